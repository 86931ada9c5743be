"""Literal extraction from regexes: which fixed strings must appear in a file for a regex to match there at all.

ripgrep's idea: before running a regex over a file, look for text that every match must contain. For each
regex this module derives a *requirement*: clauses of lowercase ASCII strings; from each clause one occurs
(ASCII case-insensitively) in every match. A file missing a whole clause cannot match, so the regex is not run
on it. The requirement is a necessary condition only, never a guess: whatever cannot be reasoned about exactly
(classes, repeats, back references, non-ASCII text) simply yields no requirement and the regex always runs.

One gap of byte-level case folding is closed by the caller: under IGNORECASE, Python's `re` also matches four
non-ASCII characters to ASCII letters (U+0130, U+0131, U+017F, U+212A against i, i, s, k). A file holding any of
them (`FOLD_SEQUENCES`, their UTF-8 bytes) must not be judged by requirements.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from itertools import product

if sys.version_info >= (3, 11):
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as P

# non-ASCII characters that `re.IGNORECASE` equates with an ASCII letter; no single cp1252/Latin-1 byte decodes
# to one of them, so in any file the scanner decodes they can only arrive as these UTF-8 sequences
FOLD_CHARACTERS = ("\u0130", "\u0131", "\u017f", "\u212a")
FOLD_SEQUENCES = tuple(c.encode("utf-8") for c in FOLD_CHARACTERS)

MAX_SET = 64  # an exact alternative set larger than this is given up (keeps products small)
MAX_CLASS = 8  # a character class of at most this many ASCII characters counts as exact alternatives
MIN_USEFUL = 3  # a requirement whose shortest string is shorter than this filters nothing worth the work


@dataclass(frozen=True)
class _Info:
    """What one regex node tells: `exact` (it matches exactly one of these strings) or `required` (any-of)."""

    exact: frozenset[str] | None = None
    required: tuple[frozenset[str], ...] = ()  # all of these hold: one string of each occurs in a match


_UNKNOWN = _Info()
_EMPTY = _Info(exact=frozenset({""}))


def _best(clauses: tuple[frozenset[str], ...]) -> frozenset[str] | None:
    """The most selective single clause: longest shortest string, then fewest alternatives."""
    if not clauses:
        return None
    return max(clauses, key=lambda c: (min(map(len, c)), -len(c)))


def _clause(strings: frozenset[str] | None) -> tuple[frozenset[str], ...]:
    if not strings or "" in strings:
        return ()
    return (strings,)


def _literal(code: int) -> _Info:
    if code < 128:
        return _Info(exact=frozenset({chr(code).lower()}))
    return _UNKNOWN


def _char_class(items: list[tuple]) -> _Info:
    chars: set[str] = set()
    for op, value in items:
        if op is C.LITERAL and value < 128:
            chars.add(chr(value).lower())
        elif op is C.RANGE and value[1] < 128 and value[1] - value[0] < MAX_CLASS:
            chars.update(chr(c).lower() for c in range(value[0], value[1] + 1))
        else:
            return _UNKNOWN  # NEGATE, categories, non-ASCII
        if len(chars) > MAX_CLASS:
            return _UNKNOWN
    return _Info(exact=frozenset(chars)) if chars else _UNKNOWN


def _repeat(low: int, high: int, body: _Info) -> _Info:
    if low == 0:
        if high == 1 and body.exact is not None and len(body.exact) < MAX_SET:
            return _Info(exact=body.exact | {""})
        return _EMPTY if body.exact == frozenset({""}) else _UNKNOWN
    if body.exact is not None and low == high and low <= 3 and len(body.exact) ** low <= MAX_SET:
        return _Info(exact=frozenset("".join(p) for p in product(sorted(body.exact), repeat=low)))
    return _Info(required=body.required + _clause(body.exact))


def _branch(branches: list) -> _Info:
    infos = [_sequence(branch) for branch in branches]
    if all(info.exact is not None for info in infos):
        union = frozenset().union(*(info.exact for info in infos))  # type: ignore[arg-type]
        if len(union) <= MAX_SET:
            return _Info(exact=union)
    required: set[str] = set()
    for info in infos:
        best = _best(info.required + _clause(info.exact))
        if best is None:
            return _UNKNOWN
        required |= best
    return _Info(required=(frozenset(required),))


def _node(op, value) -> _Info:
    if op is C.LITERAL:
        return _literal(value)
    if op is C.IN:
        return _char_class(value)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) or getattr(C, "POSSESSIVE_REPEAT", None) is op:
        low, high, body = value
        return _repeat(low, high, _sequence(body))
    if op is C.SUBPATTERN:
        return _sequence(value[-1])
    if getattr(C, "ATOMIC_GROUP", None) is op:
        return _sequence(value)
    if op is C.BRANCH:
        return _branch(value[1])
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return _EMPTY  # zero-width: the text on both sides stays adjacent in the match
    return _UNKNOWN  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...


def _sequence(items) -> _Info:
    """Concatenation: runs of exact nodes multiply out; each broken run becomes a candidate requirement."""
    clauses: tuple[frozenset[str], ...] = ()
    current: frozenset[str] | None = frozenset({""})
    whole_exact = True
    for op, value in items:
        info = _node(op, value)
        if info.exact is not None and current is not None and len(current) * len(info.exact) <= MAX_SET:
            current = frozenset(a + b for a in current for b in info.exact)
            continue
        whole_exact = False
        clauses += _clause(current)
        if info.exact is not None:
            current = info.exact
        else:
            clauses += info.required
            current = frozenset({""})
    if whole_exact:
        return _Info(exact=current)
    return _Info(required=clauses + _clause(current))


def requirement(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Clauses that every match of `pattern` satisfies: from each clause, one lowercase ASCII string occurs in the
    match. Empty when nothing is certain (the regex then always runs)."""
    if not isinstance(pattern.pattern, str):
        return ()
    try:
        parsed = P.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - anything unusual simply means "no requirement"
        return ()
    info = _sequence(list(parsed))
    clauses = info.required + _clause(info.exact)
    useful = {c for c in clauses if min(map(len, c)) >= MIN_USEFUL}
    return tuple(sorted(useful, key=lambda c: sorted(c)))
