"""Which code still reads a config file's credential key: one decision for the config-key pass and scan's `fixable`.

Read on real code (issue 11): node-zoho's `spec/config.json.default` had `"authToken": null` renamed to
`client_id`/`client_secret`/`refresh_token` while `integration-spec.coffee`, whose requests stay legacy, still
reads `config.authToken`: after the rewrite that code silently never runs. A key in a config or data file (JSON,
YAML, .env, INI, .properties) is the code's input, so it may change only together with every reader: when code
left in the tree still reads it (`config.authToken`, `config["authToken"]`, `os.environ["ZOHO_AUTHTOKEN"]`,
`getenv(...)`, `ENV[...]`, `process.env.X`, `$_ENV[...]`, `getProperty("x")`, `${x}`), the key stays and the
reader is named in a manual step. The spellings are data (`fixes.common.requests.config_readers`).

Lexical on purpose, like the reference index: a false reader costs a manual step, a missed one a broken path.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePath

from migrate.requests.definitions import without_notes
from migrate.ruleset import RuleSet
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex
from migrate.scan.prefilter import Prefilter
from migrate.scan.textfile import SkipFile, read_bytes
from migrate.scan.walk import Walker

HEAD = 256  # bytes of a file's start the language detection looks at (shebangs)


class ConfigReaders:
    """Finds the code lines that read a config key, in files of the scanned tree."""

    def __init__(self, ruleset: RuleSet) -> None:
        raw = ((ruleset.data.get("fixes") or {}).get("common") or {}).get("requests") or {}
        self._spellings: tuple[str, ...] = tuple(str(s) for s in raw.get("config_readers") or ())
        self._languages = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
        self._suffixes = tuple(ruleset.scan.template_suffixes)
        self._any_case = frozenset(str(s) for s in raw.get("config_readers_any_case") or ())
        # every spelling holds the key as written and asks no case-insensitive matching: then a text without the
        # key's exact letters has no reading line, and the regex need not run over it
        self._literal_key = all("{key}" in s and "(?i" not in s for s in self._spellings)

    @property
    def enabled(self) -> bool:
        return bool(self._spellings)

    def is_code(self, display: str, text: str) -> bool:
        """Code (not config, not documentation): what reads a config file."""
        language = self._languages.detect(PurePath(display), text[:HEAD].encode("utf-8", "replace"))
        return language is not None and language.kind == "code"

    def lines(self, text: str, key: str, ignore_case: bool = False) -> list[int]:
        """1-based lines of `text` reading `key` (our own `TODO(zoho-migrate)` notes naming it do not count)."""
        if not self._spellings or key.lower() not in text.lower():
            return []
        pattern = _pattern(self._spellings, key, ignore_case)
        if not ignore_case and self._literal_key and not pattern.flags & re.IGNORECASE and key not in text:
            return []
        clean = without_notes(text)
        found: list[int] = []
        line, position = 1, 0  # matches come in order: count the newlines between them, not from the start each time
        for m in pattern.finditer(clean):
            line += clean.count("\n", position, m.start())
            position = m.start()
            if not found or found[-1] != line:
                found.append(line)
        return found

    def ignore_case(self, config_path: str) -> bool:
        """Keys of this config format are read in any letter case (INI: configparser lowercases them); environment
        variables, JSON, YAML and properties keys are case-sensitive."""
        language = self._languages.detect(PurePath(config_path))
        return language is not None and language.name in self._any_case

    def readers(self, key: str, files: Iterable[tuple[str, str]], config_path: str = "") -> list[tuple[str, int]]:
        """(display path, line) of every reading line in the code files among `files` ((display, text) pairs);
        files that name the config file (`require('../config.json')`) first: the likeliest readers to show."""
        found = []
        name = self._loaded_name(config_path)
        for display, text in files:
            if key.lower() in text.lower() and self.is_code(display, text):
                first = 0 if name and name in text else 1
                found.extend((first, display, line) for line in self.lines(text, key, self.ignore_case(config_path)))
        return [(display, line) for _, display, line in sorted(found)]

    def _loaded_name(self, config_path: str) -> str:
        """The name code loads the config by: `config.json.default` -> `config.json` (the template is copied)."""
        name = PurePath(config_path).name
        suffix = next((s for s in self._suffixes if name.endswith(s) and len(name) > len(s)), "")
        return name[: len(name) - len(suffix)]


def key_words(key: str) -> list[str]:
    """The identifier words of a key (`zoho.auth-token` -> `zoho`, `auth`, `token`), longest first: what a word
    index can look the key up by."""
    return sorted(re.findall(r"[A-Za-z_$][\w$]*", key), key=len, reverse=True)


def describe(readers: list[tuple[str, int]], limit: int = 3) -> str:
    """`a.coffee:6, b.py:12` (and how many more)."""
    shown = ", ".join(f"{path}:{line}" for path, line in readers[:limit])
    more = len(readers) - limit
    return shown + (f" and {more} more" if more > 0 else "")


@lru_cache(maxsize=256)
def _pattern(spellings: tuple[str, ...], key: str, ignore_case: bool) -> re.Pattern[str]:
    escaped = f"(?i:{re.escape(key)})" if ignore_case else re.escape(key)
    return re.compile("|".join(f"(?:{s.replace('{key}', escaped)})" for s in spellings))


KEY_LINE = re.compile(r"^[ \t]*(?:export\s+)?[\"']?(?P<key>[\w.-]+)[\"']?[ \t]*[:=]")
KEY_ACTIONS = ("config-key", "remove-secret")


def unmark_read_keys(
    findings: list[Finding],
    roots: list[Path],
    walker: Walker,
    ruleset: RuleSet,
    files: Iterable[tuple[str, str, bool, frozenset[str] | None]] | None = None,
    vocabulary: Iterable[str] | None = None,
) -> None:
    """Scan's `fixable`, tree-wide: a config key finding is not fixable while code the rewrite leaves as it is
    reads that key (a reading line with no finding, or with one the rewrite does not fix), as the config-key pass
    decides. Only when such findings exist are files read again.

    `files`: (path, display path, known to be code, hits) of the files of the scan's own walk that may be code (the
    scan knows the others are not), so no second walk is needed; None walks `roots` with `walker`. `hits`: the
    words of `vocabulary` (lower-case) the file's bytes hold in any letter case, when the scan knows them all (None:
    not known). A file reads a key only if it holds the key, so every vocabulary word inside the key. With a
    `vocabulary`, `files` may leave out the files holding none of its words: should some key hold no vocabulary
    word, the tree is walked instead."""
    finder = ConfigReaders(ruleset)
    rules = {r.id: r for r in ruleset.rules}
    candidates: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        rule = rules.get(finding.rule_id)
        if finding.fixable and rule is not None and (rule.fix or {}).get("action") in KEY_ACTIONS:
            candidates.setdefault((finding.path, finding.line), []).append(finding)
    if not candidates or not finder.enabled:
        return
    keys: dict[tuple[str, int], str] = {}
    for path, line in candidates:
        source = _source(roots, path)
        if source is None or finder.is_code(path, ""):
            continue
        lines = source.split("\n")
        found = KEY_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
        if found is not None:
            keys[(path, line)] = found.group("key")
    if not keys:
        return
    words = {k.lower() for k in keys.values()}
    fixable_lines = {(f.path, f.line) for f in findings if f.fixable}
    code = []
    inside = _inside(words, vocabulary)
    if files is None or (inside is None and vocabulary is not None):
        files = _walked(roots, walker)
    needles = _ascii_needles(words)
    for path, display, known_code, hits in files:
        if inside is not None and hits is not None and not any(need <= hits for need in inside):
            continue  # no key can be in it: a word some key holds is not in its bytes
        if needles is not None and not _may_hold(path, needles):
            continue
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lower = text.lower()
        if any(w in lower for w in words) and (known_code or finder.is_code(display, text)):
            code.append((display, text))
    read: dict[tuple[str, str, bool], list[int]] = {}  # two config files with the same key: one search per reader
    for (path, line), key in keys.items():
        ignore_case = finder.ignore_case(path)
        for display, text in code:
            lines = read.get((display, key, ignore_case))
            if lines is None:
                lines = read[(display, key, ignore_case)] = finder.lines(text, key, ignore_case)
            # a reading line the rewrite fixes goes with the key; any other reader keeps it
            if any((display, n) not in fixable_lines for n in lines):
                for finding in candidates[(path, line)]:
                    finding.fixable = False
                break


def _walked(roots: list[Path], walker: Walker) -> Iterable[tuple[str, str, bool, frozenset[str] | None]]:
    for root in roots:
        if root.is_file():
            yield str(root), root.as_posix(), False, None
        else:
            yield from ((p, rel, False, None) for p, rel, _ in walker.files(root))


def _inside(words: set[str], vocabulary: Iterable[str] | None) -> list[frozenset[str]] | None:
    """Per key, the ASCII vocabulary words it holds (a file holding the key in its lower-cased text holds each of
    them in its bytes, in some letter case, barring the characters of `_ASCII_FROM_LOWER`, which the scan reports
    as "not known"); None when some key holds none, so no file can be ruled out this way."""
    if vocabulary is None:
        return None
    ascii_words = [v for v in vocabulary if v and v.isascii() and v == v.lower()]
    inside = [frozenset(v for v in ascii_words if v in word) for word in words]
    return inside if all(inside) else None


# non-ASCII characters whose str.lower() holds an ASCII letter (U+0130 -> "i\u0307", U+212A KELVIN SIGN -> "k"), in
# UTF-8: a file holding one may contain a key in its lower-cased text without holding it in its lower-cased bytes
_ASCII_FROM_LOWER = (b"\xc4\xb0", b"\xe2\x84\xaa")


def _ascii_needles(words: set[str]) -> Prefilter | None:
    """The scan's multi-literal matcher for the words (ASCII case-insensitive) and the two characters above, when
    every word is ASCII (then a bytes test rules files out exactly); else None."""
    if not all(w.isascii() for w in words):
        return None
    return Prefilter(words, sentinels=_ASCII_FROM_LOWER)


def _may_hold(path: str, needles: Prefilter) -> bool:
    """Could this file's lower-cased text (UTF-8, errors replaced, universal newlines) hold one of the ASCII words?
    Decided on the raw bytes without decoding: an ASCII byte is its own character in UTF-8 and no word holds a
    line break, so a word in the text is one in the bytes, except through the two characters above. Unreadable
    files answer True (the caller's own read reports them as before)."""
    try:
        data = read_bytes(path, sys.maxsize)
    except SkipFile:
        return True
    return bool(needles.found(data))


def _source(roots: list[Path], display: str) -> str | None:
    for root in roots:
        path = root if root.is_file() else root / display
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
    return None
