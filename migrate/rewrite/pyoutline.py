"""The outline of a Python module: its top-level statements, the names it uses and the names its imports bind.

Why not `ast.parse` of the whole text: its Python-object tree is about 120 times the source (~100 MB for an 860 kB
file), and the imports pass only needs the top-level imports, the shape of the first statements and two name sets.
The text is parsed one top-level statement at a time and each statement's tree is dropped once read, so peak memory
is bounded by the largest statement instead of the file (issue 12: `py-mixed` rewrite over its 150 MB target).

Where a top-level statement starts is decided without a tokenizer: a candidate is any line that starts in column 0
with something other than a comment, a closing bracket or a clause keyword (`else:`, `except`, ...). A candidate
inside a string, brackets or a continued line makes the chunk before it fail to parse (the chunk's tokens are the
whole text's up to there, and they end unterminated), so a chunk that does not parse is widened to twice as many
candidates until it does; a chunk that parses ends at a real statement boundary. The answer is `ast.parse`'s: a text
that does not parse as a whole leaves a last chunk that never parses (None).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

# column 0, not blank, not a comment, not a closing bracket, not a clause continuing the statement above
_CANDIDATE = re.compile(r"^(?![ \t\f\r\n#)\]}]|(?:else|elif|except|finally)\b)", re.MULTILINE)


@dataclass(frozen=True)
class Outline:
    """`body`: the top-level statements in order with the whole text's line numbers; imports and docstring-like
    expression statements are whole, every other statement is a childless node of its own class (its kind and lines
    only). `used`: every `Name` id and every identifier-like string constant (`__all__`, string annotations).
    `bound`: the first component of every name an import statement binds, at any depth."""

    body: list[ast.stmt]
    used: frozenset[str]
    bound: frozenset[str]


def outline(text: str) -> Outline | None:
    """The outline of `text`, or None when it does not parse (as `ast.parse` decides)."""
    starts = [m.start() for m in _CANDIDATE.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    body: list[ast.stmt] = []
    used: set[str] = set()
    bound: set[str] = set()
    index, line = 0, 0
    while index < len(starts) - 1:
        step = 1
        while True:
            end = min(index + step, len(starts) - 1)
            chunk = text[starts[index] : starts[end]]
            tree = parse(chunk)
            if tree is not None:
                break
            if end == len(starts) - 1:
                return None
            step *= 2
        _read(tree, line, body, used, bound)
        line += chunk.count("\n")
        index = end
    return Outline(body, frozenset(used), frozenset(bound))


def parse(text: str) -> ast.Module | None:
    """`ast.parse`, None for a text that does not parse (warnings about the text silenced)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _read(tree: ast.Module, line: int, body: list[ast.stmt], used: set[str], bound: set[str]) -> None:
    """Add one chunk's statements (shifted by `line`) and names; nothing of its tree is kept but imports and
    docstring-like statements."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            used.add(node.value)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for node in tree.body:
        keep = isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        )
        kept = node if keep else _shell(node)
        ast.increment_lineno(kept, line)
        body.append(kept)


def _shell(node: ast.stmt) -> ast.stmt:
    """A node of the same class with the statement's position and no children."""
    shell = type(node)()
    for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        setattr(shell, field, getattr(node, field, None))
    return shell
