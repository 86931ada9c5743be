"""Does a text still parse? Python `ast`, JSON, YAML, tree-sitter for the other grammars, bracket balance else.

A rewrite whose original parsed but whose result does not is refused (the file is left untouched and reported).
"""

from __future__ import annotations

import ast
import json
import warnings

import yaml

from migrate.parsing import has_error
from migrate.rewrite.syntax import CLOSERS, OPENERS, QUOTES, skip_string
from migrate.ruleset.model import Language


def parses(language: Language, text: str, filename: str = "") -> bool | None:
    """True/False when the language has a checker, None when nothing can tell."""
    if language.name == "python":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        except (SyntaxError, ValueError):
            return False
        return True
    if language.name == "json":
        if not filename.endswith(".json"):
            return None
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    if language.name == "yaml":
        try:
            list(yaml.load_all(text, Loader=_TagTolerantLoader))  # noqa: S506 - safe loader, tags ignored
        except yaml.YAMLError:
            return False
        return True
    if language.tree_sitter:
        return not has_error(language.tree_sitter, text)
    if language.kind == "code" and language.name not in ("html", "other", "sql", "perl"):
        return balanced(text, language)
    return None


class _TagTolerantLoader(yaml.SafeLoader):
    """Safe YAML loading that accepts application tags (`!env X`, `!Ref Y`): syntax is what is checked."""


_TagTolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def balanced(text: str, language: Language) -> bool:
    """Brackets balance outside strings and line comments (for languages without a grammar, e.g. Deluge)."""
    stack: list[str] = []
    position = 0
    markers = tuple(m for m in language.line_comments if m)
    while position < len(text):
        char = text[position]
        if char in QUOTES:
            position = skip_string(text, position)
            continue
        if any(text.startswith(m, position) for m in markers) and text[position - 1 : position] != ":":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
            continue
        if char in OPENERS:
            stack.append(OPENERS[char])
        elif char in CLOSERS and (not stack or stack.pop() != char):
            return False
        position += 1
    return not stack
