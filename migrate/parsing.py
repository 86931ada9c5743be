"""Tree-sitter grammars from the per-language PyPI wheels (offline; no run-time downloads), loaded lazily.

Used by the scanner (comment spans) and the rewriter (does the rewritten file still parse?).

Parsing has a time budget proportional to the input: ordinary code parses at megabytes per second, but error
recovery on some inputs (a 200 KB line of nested PHP `{$a{$a...}}` interpolation) runs at a few kilobytes per
second. A parse over budget gives up (`parse` returns None), so one odd file cannot stall a run; callers fall back
to what they do without a grammar. Whether a text parses is remembered for a few recent texts, since the scanner
and the rewriter's parse check ask about the same original text.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections import OrderedDict
from functools import cache

from tree_sitter import Language, Parser, Query, QueryCursor, Tree

# budget of one parse: this many seconds plus the time ordinary code of this size would take many times over
PARSE_SECONDS = 0.25
PARSE_BYTES_PER_SECOND = 250_000  # a floor: real code parses at 2-5 MB/s on this project's CI machines
READ_CHUNK = 1 << 16
ERROR_MEMO_SIZE = 16  # texts whose "does it parse?" answer is kept (digest keys: the texts are not held)


@cache
def grammar(spec: str) -> Language:
    """`module` or `module:function` -> tree-sitter Language (cached per process)."""
    module_name, _, function = spec.partition(":")
    module = importlib.import_module(module_name)
    return Language(getattr(module, function or "language")())


@cache
def _query(spec: str, source: str) -> Query:
    return Query(grammar(spec), source)


_ERRORS: OrderedDict[tuple[str, int, bytes], bool] = OrderedDict()
# texts whose parse ran over its budget: the next caller on the same bytes (the scan's comment map, then its
# `fixable` decision) gets None at once instead of spending the budget again on the same error recovery
_GAVE_UP: OrderedDict[tuple[str, int, bytes], None] = OrderedDict()


def _key(spec: str, data: bytes) -> tuple[str, int, bytes]:
    return (spec, len(data), hashlib.blake2b(data, digest_size=16).digest())


def _remember(key: tuple[str, int, bytes], error: bool) -> None:
    _ERRORS[key] = error
    while len(_ERRORS) > ERROR_MEMO_SIZE:
        _ERRORS.popitem(last=False)


def forget() -> None:
    """Drop the kept tree and the remembered answers (bench/growth.py: a repeated run on the same text must cost
    what a fresh process pays, not reuse the previous run's parse)."""
    _LAST.clear()
    _ERRORS.clear()
    _GAVE_UP.clear()


def budget(size: int) -> float:
    """Seconds a parse of `size` bytes may take before it gives up."""
    return PARSE_SECONDS + size / PARSE_BYTES_PER_SECOND


# the last tree parsed, for the next caller asking about the same bytes (the scanner's comment map, then its
# `fixable` decision, parse each file with findings); one tree of a bounded size, so memory stays flat
_LAST: list[tuple[str, bytes, Tree]] = []
LAST_TREE_MAX_BYTES = 256 * 1024  # a tree costs tens of times its source: bigger ones are not kept


def parse(spec: str, data: bytes) -> Tree | None:
    """Parse UTF-8 bytes with the named grammar; None when the parse ran over its budget (see `budget`).

    Trees are never edited here or by callers, so the same bytes may share one."""
    if _LAST and _LAST[0][0] == spec and _LAST[0][1] == data:
        return _LAST[0][2]
    _LAST.clear()  # before parsing: never two kept trees at once
    tree = _parse(spec, data)
    if tree is not None and len(data) <= LAST_TREE_MAX_BYTES:
        _LAST.append((spec, data, tree))
    return tree


def _parse(spec: str, data: bytes) -> Tree | None:
    key = _key(spec, data)
    if key in _GAVE_UP:
        return None
    deadline = time.perf_counter() + budget(len(data))

    def read(offset: int, _point: object) -> bytes:
        return data[offset : offset + READ_CHUNK]

    def over_budget(*_state: object) -> bool:
        return time.perf_counter() > deadline

    try:
        tree: Tree | None = Parser(grammar(spec)).parse(read, progress_callback=over_budget)
    except ValueError:  # "Parsing failed": the progress callback stopped it
        tree = None
        _GAVE_UP[key] = None
        while len(_GAVE_UP) > ERROR_MEMO_SIZE:
            _GAVE_UP.popitem(last=False)
    _remember(key, tree is None or tree.root_node.has_error)
    return tree


def has_error(spec: str, text: str) -> bool:
    """True when the text does not parse cleanly (ERROR or MISSING nodes), or could not be parsed in its budget."""
    data = text.encode("utf-8", errors="surrogateescape")
    known = _ERRORS.get(_key(spec, data))
    if known is not None:
        return known
    tree = parse(spec, data)
    return tree is None or tree.root_node.has_error


def capture_spans(spec: str, tree: Tree, query_source: str) -> list[tuple[int, int]]:
    """Byte spans of every capture of `query_source`, sorted."""
    captures = QueryCursor(_query(spec, query_source)).captures(tree.root_node)
    spans = [(node.start_byte, node.end_byte) for nodes in captures.values() for node in nodes]
    return sorted(spans)


def capture_nodes(spec: str, tree: Tree, query_source: str) -> dict[str, list]:
    """Every capture of `query_source` by capture name (nodes), for structure beyond spans (names, fields)."""
    return QueryCursor(_query(spec, query_source)).captures(tree.root_node)
