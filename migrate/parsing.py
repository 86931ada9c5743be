"""Tree-sitter grammars from the per-language PyPI wheels (offline; no run-time downloads), loaded lazily.

Used by the scanner (comment spans) and the rewriter (does the rewritten file still parse?).
"""

from __future__ import annotations

import importlib
from functools import cache

from tree_sitter import Language, Parser, Query, QueryCursor, Tree


@cache
def grammar(spec: str) -> Language:
    """`module` or `module:function` -> tree-sitter Language (cached per process)."""
    module_name, _, function = spec.partition(":")
    module = importlib.import_module(module_name)
    return Language(getattr(module, function or "language")())


@cache
def _query(spec: str, source: str) -> Query:
    return Query(grammar(spec), source)


def parse(spec: str, data: bytes) -> Tree:
    """Parse UTF-8 bytes with the named grammar."""
    return Parser(grammar(spec)).parse(data)


def has_error(spec: str, text: str) -> bool:
    """True when the text does not parse cleanly (ERROR or MISSING nodes)."""
    return parse(spec, text.encode("utf-8", errors="surrogateescape")).root_node.has_error


def capture_spans(spec: str, tree: Tree, query_source: str) -> list[tuple[int, int]]:
    """Byte spans of every capture of `query_source`, sorted."""
    captures = QueryCursor(_query(spec, query_source)).captures(tree.root_node)
    spans = [(node.start_byte, node.end_byte) for nodes in captures.values() for node in nodes]
    return sorted(spans)


def capture_nodes(spec: str, tree: Tree, query_source: str) -> dict[str, list]:
    """Every capture of `query_source` by capture name (nodes), for structure beyond spans (names, fields)."""
    return QueryCursor(_query(spec, query_source)).captures(tree.root_node)
