"""Which rule regexes can match an ASCII file at all: one Hyperscan pass over its bytes (the scan's second filter).

The literal plan (scan/plan.py) rules a regex out when a literal it needs is missing; many rule regexes need only
common words (`token`, `key`) and then run over files where they find nothing. Hyperscan answers "could this
regex match here" for all of them in one pass, so Python's `re` runs only where the answer is yes.

Exactness. Hyperscan is not Python's `re`, so its input is not the rule's pattern text but a translation of the
pattern Python itself parsed (`re._parser`), built to match a *superset* of what Python matches on ASCII text:

- every single-character node (literal, class, `.`, `\\s`, `\\w`, ...) becomes an explicit byte class listing the
  ASCII characters Python's own compiled node matches, with the node's effective flags (IGNORECASE, DOTALL):
  Python's `\\s` includes \\x1c-\\x1f, PCRE's does not; a caseless literal lists both cases; nothing is left to
  Hyperscan's reading of an escape or a flag;
- zero-width assertions (anchors, `\\b`, lookarounds) are dropped (a lookahead that ends the pattern is kept as
  text: `A(?=X)` matches somewhere only where `AX` does), a back reference becomes "any bytes", a
  conditional group both branches, atomic and possessive forms plain ones, lazy repeats greedy ones, large repeat
  bounds are widened: each step only adds matches;
- everything is compiled with HS_FLAG_PREFILTER (Hyperscan may widen further, never narrow) and a pattern that
  Python's parser or Hyperscan's compiler refuses is simply not in the database: it always runs.

The answer is only asked for ASCII files (`bytes.isascii()`: the decoded text is then those very characters, and
no non-ASCII case fold of IGNORECASE, `K` KELVIN SIGN against `k`, can arise); any other file runs every regex the
literal plan keeps. Translated patterns never contain non-ASCII characters: a rule regex with one is left out.

Compiling the database takes about a second, so it is cached on disk (`$XDG_CACHE_HOME/zoho-migrate`, else
`~/.cache/zoho-migrate`), keyed by a hash of the patterns, their flags, this module's format, Python's and
Hyperscan's versions; written atomically; an unwritable or corrupt cache only means compiling again; only the
`KEEP` most recently used databases are kept.
`ZOHO_MIGRATE_NO_REGEX_FILTER=1` turns the filter off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    from re import _compiler as _C  # type: ignore[attr-defined]
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_compile as _C
    import sre_constants as C
    import sre_parse as P

try:  # optional: wheels exist for x86-64 only
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

FORMAT = 3  # bump when the translation changes: old cache entries are then never read
KEEP = 4  # cached databases kept (most recently used first): a rules edit or an upgrade writes a new one
DISABLE_ENV = "ZOHO_MIGRATE_NO_REGEX_FILTER"
MAX_MIN = 64  # a repeat's lower bound above this is lowered to 0 (fewer states; only adds matches)
MAX_MAX = 64  # an upper bound above this becomes unbounded
_ASCII = [chr(c) for c in range(128)]
_SINGLE = {C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
_SCOPED_OK = re.IGNORECASE | re.DOTALL | re.MULTILINE | re.UNICODE | re.VERBOSE  # flags a translation honours


# databases built or loaded in this process, by key: a scan builds its plan once, tests and `rewrite` again
_MEMO: dict[str, tuple[list[int], Any]] = {}


class Untranslatable(Exception):
    """The pattern is left out of the database (it always runs)."""


def prune(directory: Path, keep: int = KEEP) -> None:
    """Remove all but the `keep` most recently used databases (and temporaries a killed run left): each is about
    500 KB, and every rules edit or upgrade writes a new one, so without this the cache only grows."""
    try:
        entries = sorted(directory.glob("regexfilter-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        stale = [p for p in directory.glob(".regexfilter-*") if time.time() - p.stat().st_mtime > 3600]
        for path in entries[keep:] + stale:
            path.unlink(missing_ok=True)
    except OSError:
        pass  # another run pruned it, or a read-only cache: nothing is lost but disk space


def _mark_used(path: Path) -> None:
    """Bump the entry's modification time, so pruning keeps what runs still load."""
    with contextlib.suppress(OSError):
        os.utime(path)


def cache_dir() -> Path:
    """Where the compiled database is kept: `$XDG_CACHE_HOME/zoho-migrate`, else `~/.cache/zoho-migrate`."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(base or Path.home() / ".cache") / "zoho-migrate"


class _Translator:
    """Python's parse tree of one pattern -> a Hyperscan expression matching a superset of it on ASCII text."""

    def __init__(self) -> None:
        self._classes: dict[tuple[Any, ...], str] = {}

    def translate(self, pattern: str, flags: int) -> bytes:
        if not pattern.isascii():
            raise Untranslatable("non-ASCII pattern")
        try:
            parsed = P.parse(pattern, flags)
        except Exception as error:  # pragma: no cover - the rule loader compiled it already
            raise Untranslatable(str(error)) from None
        out = self._sequence(parsed.data, parsed.state.flags, last=True)
        return out.encode("ascii")

    def _sequence(self, nodes: list[tuple[Any, Any]], flags: int, last: bool = False) -> str:
        """`last`: nothing of the pattern follows this sequence (a lookahead ending it can be matched as text)."""
        end = len(nodes) - 1
        return "".join(self._node(op, av, flags, last and i == end) for i, (op, av) in enumerate(nodes))

    def _node(self, op: Any, av: Any, flags: int, last: bool = False) -> str:
        if op in _SINGLE:
            return self._class(op, av, flags)
        if op is C.BRANCH:
            return "(?:" + "|".join(self._sequence(branch.data, flags, last) for branch in av[1]) + ")"
        if op is C.SUBPATTERN:
            _, add, remove, sub = av
            if (add | remove) & ~_SCOPED_OK:
                raise Untranslatable("scoped flag")
            return "(?:" + self._sequence(sub.data, (flags | add) & ~remove, last) + ")"
        if op is C.ASSERT and last and av[0] == 1:
            # `A(?=X)` with nothing after it matches somewhere only where `AX` does: the lookahead's text is kept
            return "(?:" + self._sequence(av[1].data, flags, last=True) + ")"
        if op in _REPEATS:
            low, high, sub = av
            body = self._sequence(sub.data, flags)
            if high == 0 or not body:
                return ""
            low = low if low <= MAX_MIN else 0
            bound = "" if high is C.MAXREPEAT or high > MAX_MAX else str(high)
            return f"(?:{body}){{{low},{bound}}}"
        if op is getattr(C, "ATOMIC_GROUP", None):
            return "(?:" + self._sequence(av.data, flags) + ")"
        if op is C.GROUPREF_EXISTS:
            _, yes, no = av
            branches = [self._sequence(yes.data, flags), self._sequence(no.data, flags) if no else ""]
            return "(?:" + "|".join(branches) + ")"
        if op is C.GROUPREF:
            return "[\\x00-\\xff]*"
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return ""
        raise Untranslatable(f"operator {op}")

    def _class(self, op: Any, av: Any, flags: int) -> str:
        """The ASCII characters Python's own compiled node matches, as an explicit byte class."""
        key = (op, repr(av), flags)
        cached = self._classes.get(key)
        if cached is not None:
            return cached
        state = P.State()
        state.flags = flags
        node = _C.compile(P.SubPattern(state, [(op, av)]), flags)
        codes = [c for c, char in enumerate(_ASCII) if node.fullmatch(char)]
        if not codes:
            raise Untranslatable("a node that matches no ASCII character")
        ranges: list[str] = []
        start = previous = codes[0]
        for code in [*codes[1:], None]:
            if code is not None and code == previous + 1:
                previous = code
                continue
            ranges.append(f"\\x{start:02x}" if start == previous else f"\\x{start:02x}-\\x{previous:02x}")
            if code is not None:
                start = previous = code
        text = "[" + "".join(ranges) + "]"
        self._classes[key] = text
        return text


def _flags() -> int:
    return hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY


def _compile(expressions: list[bytes]) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=[_flags()] * len(expressions),
    )
    return database


class RegexFilter:
    """`fired(data)`: the ids of the given regexes that may match the ASCII bytes `data`; None: not known.

    Ids are positions in the `regexes` given; `covered` holds those in the database (the others always run).
    """

    def __init__(self, regexes: Iterable[re.Pattern[str]], cache: Path | None | bool = True) -> None:
        self.regexes = list(regexes)
        self.covered: frozenset[int] = frozenset()
        self._database: Any = None
        self._members: list[int] = []  # database id -> regex id
        if hyperscan is None or not self.regexes or os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
            return
        directory = cache_dir() if cache is True else (cache or None)
        key = self.key()
        loaded = _MEMO.get(key) if cache is True else None
        if loaded is None and directory is not None:
            loaded = self._load(directory, key)
        if loaded is None:
            members, expressions = self._translate()
            if not expressions:
                return
            try:
                database = _compile(expressions)
            except hyperscan.error:  # one refused pattern: find it, leave it out (it always runs)
                members, expressions = self._accepted(members, expressions)
                if not expressions:
                    return
                database = _compile(expressions)
            loaded = members, database
            if directory is not None:
                self._store(directory, key, members, database)
        if cache is True:
            _MEMO[key] = loaded
        self._members, self._database = loaded
        self.covered = frozenset(self._members)

    def key(self) -> str:
        """The cache key: everything the compiled database depends on."""
        described = [
            FORMAT,
            list(sys.version_info[:2]),
            getattr(hyperscan, "__version__", ""),
            [[r.pattern, r.flags] for r in self.regexes],
        ]
        return hashlib.sha256(json.dumps(described).encode("utf-8")).hexdigest()

    def _translate(self) -> tuple[list[int], list[bytes]]:
        translator = _Translator()
        members: list[int] = []
        expressions: list[bytes] = []
        for index, regex in enumerate(self.regexes):
            try:
                expressions.append(translator.translate(regex.pattern, regex.flags))
            except Untranslatable:
                continue
            members.append(index)
        return members, expressions

    @staticmethod
    def _accepted(members: list[int], expressions: list[bytes]) -> tuple[list[int], list[bytes]]:
        """The patterns Hyperscan compiles on their own (slow: only when the whole set failed)."""
        kept: list[tuple[int, bytes]] = []
        for index, expression in zip(members, expressions, strict=True):
            try:
                _compile([expression])
            except hyperscan.error:
                continue
            kept.append((index, expression))
        return [i for i, _ in kept], [e for _, e in kept]

    def _load(self, directory: Path, key: str) -> tuple[list[int], Any] | None:
        try:
            blob = (directory / f"regexfilter-{key}.bin").read_bytes()
            header, _, payload = blob.partition(b"\n")
            members = json.loads(header)
            database = hyperscan.loadb(payload, mode=hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)  # a loaded database comes without one
            _mark_used(directory / f"regexfilter-{key}.bin")
            if not isinstance(members, list) or not all(isinstance(m, int) for m in members):
                return None
            if any(m < 0 or m >= len(self.regexes) for m in members):
                return None
            return members, database
        except Exception:  # missing, unreadable, corrupt, another platform's database: compile again
            return None

    def _store(self, directory: Path, key: str, members: list[int], database: Any) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            blob = json.dumps(members).encode("ascii") + b"\n" + hyperscan.dumpb(database)
            fd, temporary = tempfile.mkstemp(prefix=".regexfilter-", dir=directory)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(temporary, directory / f"regexfilter-{key}.bin")
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return  # no cache: the next run compiles again
        prune(directory)

    def fired(self, data: bytes) -> set[int] | None:
        """Regex ids in the database that may match `data`; None when the filter cannot say (non-ASCII, no db)."""
        if self._database is None or not data.isascii():
            return None
        hits: set[int] = set()
        members = self._members

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            hits.add(members[pattern_id])

        try:
            self._database.scan(data, match_event_handler=on_match)
        except hyperscan.error:  # pragma: no cover - Hyperscan refused the scan: every regex runs, as without it
            return None
        return hits

    def possible(self, index: int, fired: set[int] | None) -> bool:
        """Can regex `index` match a file whose `fired(data)` answer is `fired`?"""
        return fired is None or index not in self.covered or index in fired
