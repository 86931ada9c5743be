"""Package-level contexts: a file reached from a legacy Zoho client in the same package is about that client too.

Real authtoken-era clients build the request in one module and read the reply in another (a `Response` class,
a `transport.rb`, a `decodeXML` helper, a CoffeeScript `response_parser`), and the reading module never says
"zoho". A context declared with `package: true` (rules/contexts.yaml) therefore also holds for a file when a
file *related* to it is in the context by its own keywords. Related means, cheaply and conservatively:

- it sits in the same folder, is a file of the folder above (`lib/zoho.rb` for `lib/zoho/parser.rb`) or of a
  folder up to two levels below (`lib/products/crm/crm-module.coffee` for `lib/base-module.coffee`), and
- one of the two names the other: the file's stem appears as a word in the Zoho file (`require './parser'`,
  `new Response(...)`, `from .response import ...`) or the Zoho file's stem appears in the file, or
- both are Go files of one folder with the same `package` clause (Go packages share functions without naming
  files).

A feed reader that happens to sit next to a Zoho client, and that nothing connects to it, stays out.

Only asked after a rule's regex already matched (see FileMatcher), so ordinary files never trigger a folder read;
folders are read once per process and the last few are cached.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from migrate.scan.prefilter import Prefilter

# siblings bigger than this are not read (generated bundles, data files)
MAX_SIBLING_BYTES = 512 * 1024
# folders with more files than this are not packages a person wrote (vendored dumps, fixtures by the thousand)
MAX_SIBLINGS = 400
CACHE_FOLDERS = 64
# a folder with more subfolders than this is a tree root, not a package: its subfolders are not read
MAX_SUBFOLDERS = 16
GO_PACKAGE = re.compile(r"(?m)^package\s+(\w+)")


@dataclass
class _Sibling:
    path: str
    stem: str
    data: bytes
    _text: str | None = None

    @property
    def text(self) -> str:
        """The file's text, lower-cased (decoded on first use: most siblings are only asked for keywords)."""
        if self._text is None:
            self._text = self.data.decode("utf-8", "replace").lower()
        return self._text


# non-ASCII characters whose str.lower() holds an ASCII letter (U+0130 -> "i\u0307", U+212A KELVIN SIGN -> "k"), in
# UTF-8: in a file holding one, a keyword may be in the lower-cased text without being in the bytes (any case)
_ASCII_FROM_LOWER = (b"\xc4\xb0", b"\xe2\x84\xaa")


class PackageIndex:
    """Per-process cache of folders' source files, for `in_package_context`."""

    def __init__(self, extensions: frozenset[str]) -> None:
        self.extensions = extensions
        self._folders: OrderedDict[str, list[_Sibling]] = OrderedDict()
        self._holder_cache: OrderedDict[tuple[str, tuple[str, ...]], frozenset[str]] = OrderedDict()
        self._prefilters: dict[tuple[str, ...], Prefilter | None] = {}

    def _folder(self, folder: str) -> list[_Sibling]:
        cached = self._folders.get(folder)
        if cached is not None:
            self._folders.move_to_end(folder)
            return cached
        siblings: list[_Sibling] = []
        try:
            entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
        except OSError:
            entries = []
        if len(entries) <= MAX_SIBLINGS:
            for entry in entries:
                stem, ext = os.path.splitext(entry.name)
                if ext.lower() not in self.extensions:
                    continue
                try:
                    if entry.stat().st_size > MAX_SIBLING_BYTES:
                        continue
                    with open(entry.path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if b"\0" in data[:1024]:
                    continue
                siblings.append(_Sibling(entry.path, stem.lower(), data))
        self._folders[folder] = siblings
        if len(self._folders) > CACHE_FOLDERS:
            self._folders.popitem(last=False)
        return siblings

    def _subfolders(self, folder: str, depth: int = 2) -> list[str]:
        """Folders up to two levels below (`lib/products/crm/` for `lib/`); none under a tree root."""
        try:
            found = sorted(e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
        except OSError:
            return []
        if depth > 1:
            found += [sub for child in list(found) for sub in self._subfolders(child, depth - 1)]
        return [] if len(found) > MAX_SUBFOLDERS else found

    def _candidates(self, resolved: str) -> list[str]:
        folder = os.path.dirname(resolved)
        return [folder, os.path.dirname(folder), *self._subfolders(folder)]

    def any_in_context(self, path: Path, keywords: tuple[str, ...]) -> bool:
        """Is any file that could be related to `path` in the context at all? (A necessary condition of
        `related_in_context` that needs no text: when False, a rule of the context cannot report anything in this
        file, so the scanner need not run its regexes; the folders read here are the ones that check would read.)"""
        resolved = os.path.abspath(path)
        for where in self._candidates(resolved):
            holders = self._holders(where, keywords)
            if holders and (len(holders) > 1 or resolved not in holders):
                return True
        return False

    def _holders(self, folder: str, keywords: tuple[str, ...]) -> frozenset[str]:
        """Paths of the folder's files that hold one of `keywords`, remembered: every file of a big folder asks."""
        key = (folder, keywords)
        holders = self._holder_cache.get(key)
        if holders is None:
            holders = frozenset(s.path for s in self._folder(folder) if self._holds(s, keywords))
            self._holder_cache[key] = holders
            if len(self._holder_cache) > 4 * CACHE_FOLDERS:
                self._holder_cache.popitem(last=False)
        return holders

    def _holds(self, sibling: _Sibling, keywords: tuple[str, ...]) -> bool:
        """`any(k in sibling.text for k in keywords)`, from one Hyperscan pass over the bytes when every keyword is
        ASCII: an ASCII keyword is in the lower-cased text exactly when its bytes are in the file in any letter
        case, unless one of the two characters above is there (then the text decides)."""
        if keywords not in self._prefilters:
            ascii_only = all(k.isascii() and k == k.lower() for k in keywords)
            self._prefilters[keywords] = Prefilter(keywords, sentinels=_ASCII_FROM_LOWER) if ascii_only else None
        prefilter = self._prefilters[keywords]
        if prefilter is None:
            return any(k in sibling.text for k in keywords)
        found = prefilter.found(sibling.data)
        if found.difference(prefilter.sentinels):
            return True  # a keyword's bytes, in some letter case
        return bool(found) and any(k in sibling.text for k in keywords)

    def related_in_context(self, path: Path, text: str, keywords: tuple[str, ...]) -> bool:
        """Is a file related to `path` (see the module docstring) in the context of these keywords?"""
        resolved = os.path.abspath(path)
        folder = os.path.dirname(resolved)
        own_stem = os.path.splitext(os.path.basename(resolved))[0].lower()
        lowered = text.lower()
        own_go = GO_PACKAGE.search(text) if resolved.endswith(".go") else None
        for where in self._candidates(resolved):
            for sibling in self._folder(where):
                if sibling.path == resolved or not self._holds(sibling, keywords):
                    continue
                if _names(sibling.text, own_stem) or _names(lowered, sibling.stem):
                    return True
                if own_go and where == folder and sibling.path.endswith(".go"):
                    other = GO_PACKAGE.search(sibling.text)
                    if other and other.group(1) == own_go.group(1).lower():
                        return True
        return False


def _names(text: str, stem: str) -> bool:
    """Does `text` name `stem` as a word (`response` in `Response.new`, not in `responses_total`)?"""
    if len(stem) < 3 or stem in ("index", "main", "init", "__init__", "test", "tests", "setup", "readme"):
        return False
    return re.search(rf"(?<![a-z0-9_]){re.escape(stem)}(?![a-z0-9_])", text) is not None
