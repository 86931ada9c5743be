"""The chunked outline of a Python module answers exactly as a whole-text `ast.parse` would (issue 12: the imports
pass reads it instead of one ~100 MB tree of a large rewritten file)."""

from __future__ import annotations

import ast
import email
import json
import textwrap
from pathlib import Path

import pytest

from migrate.rewrite.pyoutline import outline


def _whole(text: str):
    """What the outline must equal, computed from one `ast.parse` of the whole text."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    used, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            used.add(node.value)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return used, bound, [_shape(n) for n in tree.body]


def _shape(node: ast.stmt) -> tuple:
    kept = isinstance(node, (ast.Import, ast.ImportFrom)) or (isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant))
    whole = ast.dump(node) if kept else ""  # every other statement is a shell: its kind and lines
    return type(node).__name__, node.lineno, node.end_lineno, node.col_offset, whole


def _outlined(text: str):
    result = outline(text)
    if result is None:
        return None
    return set(result.used), set(result.bound), [_shape(n) for n in result.body]


CASES = {
    "decorated": """
        import os
        @decorator(
        arg)
        def f():
            return os.environ
        """,
    "clauses at column 0": """
        try:
            import json
        except ImportError:
            json = None
        else:
            pass
        finally:
            x = 1
        if a:
            b = 1
        elif c:
            b = 2
        else:
            b = 3
        """,
    "column-0 lines inside a string": '''
        """Docstring."""
        SQL = """
        select * from t
        where x = 1
        """
        import sys
        print(sys)
        ''',
    "brackets and continuations": """
        x = [
        1,
        2]
        y = 1 + \\
        2
        from a import (b,
        c as d)
        """,
    "does not parse": """
        import os
        def f(:
            pass
        """,
    "unterminated string at the end": '''
        import os
        s = """
        never closed
        ''',
    "a stray clause": """
        x = 1
        else:
            y = 2
        """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outline_equals_whole_parse(name: str) -> None:
    text = textwrap.dedent(CASES[name]).lstrip("\n")
    assert _outlined(text) == _whole(text)


def test_outline_of_real_modules_equals_whole_parse() -> None:
    """Stdlib packages: real code with every statement form, docstrings and module-level strings."""
    files = sorted(Path(json.__file__).parent.glob("*.py")) + sorted(Path(email.__file__).parent.glob("*.py"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _outlined(text) == _whole(text), path


def test_outline_does_not_parse_is_none() -> None:
    assert outline("def f(:\n") is None
    assert outline("") is not None and outline("").body == []
