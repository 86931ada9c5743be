"""The rewrite's Python parse check answers exactly what `ast.parse` answers, though it asks `compile` first (which
builds no Python-object tree: the rewrite's peak memory on a big file, bench/growth.py's py-mixed shape)."""

from __future__ import annotations

import ast
import warnings

import pytest

from migrate.rewrite.validate import parses

TEXTS = [
    "x = 1\n",
    "def f():\n    return 1\n",
    "return 1\n",  # compiles? no: 'return' outside function; parses: yes
    "break\n",
    "nonlocal x\n",
    "await x\n",
    "def f(a, a):\n    pass\n",
    "from __future__ import braces\n",
    "x = 1\nfrom __future__ import annotations\n",
    "def f(:\n",
    "x = (\n",
    "print 'py2'\n",
    "x = '\0'\n",
    "f(" * 150 + ")" * 150 + "\n",
    "",
]


def _ast_answer(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


@pytest.mark.parametrize("text", TEXTS)
def test_python_parse_check_is_ast_parse(ruleset, text: str) -> None:
    assert parses(ruleset.languages["python"], text) is _ast_answer(text)


def test_some_texts_parse_without_compiling(ruleset) -> None:
    answers = [parses(ruleset.languages["python"], t) for t in ("return 1\n", "break\n", "def f(:\n")]
    assert answers == [True, True, False]
