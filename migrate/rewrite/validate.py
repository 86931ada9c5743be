"""Does a text still parse? Python `ast`, JSON, YAML, tree-sitter for the other grammars, bracket balance else;
then the language's own tool where one is installed (`toolchecks`).

A rewrite whose original parsed but whose result does not is refused (the file is left untouched and reported).
Python 2 sources are refused outright: the Python 3 grammar cannot check them, and the generated helper and the
rewritten code are Python 3.
"""

from __future__ import annotations

import ast
import json
import re
import warnings

import yaml

from migrate.parsing import has_error
from migrate.rewrite.fixdata import FixData, LanguageFixes
from migrate.rewrite.syntax import CLOSERS, OPENERS, QUOTES, skip_string
from migrate.rewrite.toolchecks import ToolCheck, broken_by_rewrite
from migrate.ruleset.model import Language

# what only Python 2 writes (a py3-parsable file importing urllib2 is Python 2 code too)
_PY2_SYNTAX = (
    (re.compile(r"^[ \t]*print[ \t]+(?:>>|[\"'\w])", re.MULTILINE), "print statement"),
    (re.compile(r"^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:", re.MULTILINE), "`except X, e`"),
    (re.compile(r"^[ \t]*exec[ \t]+[\"'\w]", re.MULTILINE), "exec statement"),
    (re.compile(r"^[ \t]*raise[ \t]+[\w.]+[ \t]*,", re.MULTILINE), "`raise X, msg`"),
)
_PY2_MODULES = re.compile(r"^[ \t]*(?:import|from)[ \t]+(?P<module>urllib2|httplib|urlparse|cookielib|StringIO|ConfigParser)\b", re.MULTILINE)


def parses(language: Language, text: str, filename: str = "") -> bool | None:
    """True/False when the language has a checker, None when nothing can tell."""
    if language.name == "python":
        # compile() runs the same parser and then checks more, so what compiles parses; and it never builds the
        # Python-object tree ast.parse returns (about 100 MB for an 860 kB file: the rewrite's peak memory in
        # bench/growth.py's py-mixed shape). Only a text that does not compile pays for ast.parse's exact answer.
        try:
            if parses_python(text):
                return True
        except Exception:  # noqa: BLE001, S110 - e.g. RecursionError in the compiler: ast.parse decides
            pass
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        except (SyntaxError, ValueError):
            return False
        return True
    if language.name == "json":
        return _loads_as_json(text) if filename.endswith(".json") else None
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
    return json_document(text)


def json_document(text: str) -> bool | None:
    """A file of no known type (`.testrc`, `.babelrc`: language `other`) that holds a JSON document must stay JSON:
    True/False when the text opens like JSON (`{`, `[`), None otherwise. An INI `[section]` reads as False both
    before and after, so it never refuses an INI rewrite; a `#` TODO inserted into JSON is refused."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head not in ("{", "["):
        return None
    return _loads_as_json(text)


def _loads_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


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


def python2_reason(text: str) -> str | None:
    """Why `text` is Python 2 source (`print statement at line 12`), or None for Python 3 (or not Python at all)."""
    module = _PY2_MODULES.search(text)
    if module is not None:
        return f"imports `{module.group('module')}` at line {text.count(chr(10), 0, module.start()) + 1}"
    if parses_python(text):
        return None
    for pattern, what in _PY2_SYNTAX:
        m = pattern.search(text)
        if m is not None:
            return f"{what} at line {text.count(chr(10), 0, m.start()) + 1}"
    return None


def parses_python(text: str) -> bool:
    """Compiles as Python 3 (stricter than `ast.parse`: `return` outside a function, misplaced `__future__`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<rewrite>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def check_rewrite(
    language: Language,
    before: str,
    after: str,
    filename: str,
    data: FixData | None = None,
    tools: bool = True,
) -> str | None:
    """Why the rewrite of one file must be refused (the file is left unchanged), or None to accept it.

    `tools=False` skips the external tools (the scanner's cheap `fixable` estimate must not start processes).
    """
    if before == after:
        return None
    if language.name == "python":
        legacy = python2_reason(before)
        if legacy is not None:
            return _text(data, "python2", f"Python 2 source ({legacy}): not rewritten", why=legacy)
    new_ok = parses(language, after, filename)
    if new_ok is False and parses(language, before, filename) is not False:
        return _text(data, "unparsable", f"the rewritten file would not parse as {language.name}; left unchanged", language=language.name)
    if language.name == "python" and parses_python(before) and not parses_python(after):
        return _text(data, "unparsable", f"the rewritten file would not compile as {language.name}; left unchanged", language=language.name)
    if not tools or data is None:
        return None
    fixes: LanguageFixes | None = data.language(language.name)
    check = ToolCheck.from_spec(fixes.get("check")) if fixes is not None else None
    if check is None:
        return None
    reason = broken_by_rewrite(check, before, after, filename)
    return _text(data, "tool_check", f"{reason}; left unchanged", reason=reason) if reason else None


def _text(data: FixData | None, key: str, fallback: str, **values: str) -> str:
    if data is None or not (data.common.get("manual") or {}).get(key):
        return fallback
    return data.manual_text(key, **values)
