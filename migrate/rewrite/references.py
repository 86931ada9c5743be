"""Which files of the scanned tree mention an identifier: the rewriter never deletes a definition used elsewhere.

A constant that held a legacy credential (`define('ZOHO_TOKEN', ...)`, `static final String AUTHTOKEN`, a module
variable) may look unused in its own file and still be read by ten others. One index per plan, built lazily (only
when a definition is about to go) from every file the scan walks, with a cheap word tokenizer: identifier -> the
display paths that mention it. It is lexical on purpose: a mention in a comment keeps the definition too, which
costs a manual step, never a broken build.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

WORD = re.compile(rb"[A-Za-z_$][\w$]*")
MAX_BYTES = 4 * 1024 * 1024  # larger files are data, not code that reads a constant
# the file defines the name itself (its own `AUTHTOKEN = ...`): its uses are of that definition, not of ours
_DEFINES = (
    r"^[ \t]*(?:(?:export|const|var|let|public|private|protected|internal|static|final|readonly)\s+)*"
    r"(?:[\w<>\[\],.?]+\s+)?\$?{name}\s*(?::[^=\n]+)?(?::=|=(?![=>~]))"
    r"|define\(\s*[\"']{name}[\"']"
)


class ReferenceIndex:
    """identifier -> files (display paths, as findings name them) of the scanned roots."""

    def __init__(self, roots: Iterable[Path], skip_dirs: Iterable[str] = (), excludes: tuple[str, ...] = ()) -> None:
        self._roots = [Path(r) for r in roots] or [Path(".")]
        self._skip_dirs = frozenset(skip_dirs)
        self._excludes = excludes
        self._index: dict[bytes, set[str]] | None = None
        self._paths: dict[str, Path] = {}
        self._texts: dict[str, str] | None = None

    @classmethod
    def unknown(cls) -> ReferenceIndex:
        """No tree to look at (the scanner's per-file `fixable` estimate): every name may be used elsewhere."""
        index = cls(())
        index._unknown = True
        return index

    _unknown = False

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> ReferenceIndex:
        """An index over in-memory files (display path -> text), for tests and single-text rewrites."""
        index = cls(())
        index._index = defaultdict(set)
        for display, text in texts.items():
            index._add(display, text.encode("utf-8", "surrogateescape"))
        index._texts = dict(texts)
        return index

    def _add(self, display: str, data: bytes) -> None:
        assert self._index is not None
        for word in set(WORD.findall(data)):
            self._index[word].add(display)

    def _build(self) -> dict[bytes, set[str]]:
        from migrate.scan.walk import Walker

        self._index = defaultdict(set)
        walker = Walker(skip_dirs=self._skip_dirs, excludes=self._excludes)
        for root in self._roots:
            if root.is_file():
                self._read(root, root.as_posix())
            elif root.is_dir():
                for path, relative, _ in walker.files(root):
                    self._read(Path(path), relative)
        return self._index

    def _read(self, path: Path, display: str) -> None:
        try:
            if path.stat().st_size > MAX_BYTES:
                return
            data = path.read_bytes()
        except OSError:
            return
        if b"\0" in data[:4096]:
            return  # binary
        self._paths[display] = path
        self._add(display, data)

    def files_using(self, name: str, defined_in: str, suffixes: tuple[str, ...] = ()) -> list[str]:
        """Other files (ending in one of `suffixes`, when given) that mention `name` and do not define it themselves."""
        if self._unknown:
            return ["(files outside this one)"]
        index = self._index if self._index is not None else self._build()
        others = sorted(index.get(name.encode("utf-8"), set()) - {defined_in})
        if suffixes:
            others = [f for f in others if f.lower().endswith(suffixes)]
        defines = re.compile(_DEFINES.format(name=re.escape(name)), re.MULTILINE)
        return [f for f in others if not defines.search(self._text(f))]

    def texts_mentioning(self, word: str, defined_in: str) -> list[tuple[str, str]]:
        """(display, current text) of the other files holding `word` in any letter case (a config key is read as
        `config.authToken` or `getenv("ZOHO_AUTHTOKEN")`); the texts are as this plan rewrote them so far."""
        if self._unknown:
            return []
        index = self._index if self._index is not None else self._build()
        wanted = word.lower().encode("utf-8")
        files = {f for key, found in index.items() if key.lower() == wanted for f in found} - {defined_in}
        return [(f, self._text(f)) for f in sorted(files)]

    def update(self, display: str, text: str) -> None:
        """The file's text as the plan rewrote it: its old mentions are gone (`AUTHTOKEN` no longer sent there)."""
        index = self._index if self._index is not None else self._build()
        for files in index.values():
            files.discard(display)
        self._add(display, text.encode("utf-8", "surrogateescape"))
        if self._texts is None:
            self._texts = {}
        self._texts[display] = text

    def _text(self, display: str) -> str:
        if self._texts is not None and display in self._texts:
            return self._texts[display]
        path = self._paths.get(display)
        try:
            return path.read_text(encoding="utf-8", errors="replace") if path else ""
        except OSError:
            return ""
