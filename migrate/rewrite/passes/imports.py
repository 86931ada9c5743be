"""Pass `imports`: a file that now calls the token helper imports (requires, sources) it, once, in its idiom, where
the language's formatter would put it; then imports whose only uses the rewrite removed go (`import os` after the
authtoken's environment lookup went), so the rewritten file is lint-clean (ruff F401/I001, `go vet`).

Python: `import zoho_auth` (a script) or `from .. import zoho_auth` (inside a package, the helper sits in the
package's top folder) is placed as isort/ruff would: in the first-party or local-folder section, sorted, or as a new
section after the others. PHP: after `namespace` and its `use` imports (a `require_once` above `namespace` is fatal).
"""

from __future__ import annotations

import ast
import re
import sys
from functools import lru_cache
from pathlib import Path, PurePosixPath

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.pyoutline import Outline, outline, parse
from migrate.rewrite.syntax import statement_extent

RULE_ID = "zoho.auth-param.authtoken"


def stages(ctx: FileContext) -> list:
    """Add the helper import first, then drop the imports the rewrite left unused (they see the final text), then
    add the modules the inserted code needs (`os` for an environment lookup)."""
    return [run, prune, require]


def run(text: str, ctx: FileContext) -> list[Edit]:
    if not ctx.uses_helper or ctx.fixes is None:
        return []
    spec = ctx.fixes.get("import") or {}
    helper = ctx.fixes.get("helper") or {}
    if not spec or not helper:
        return []
    module = PurePosixPath(str(helper.get("file", ctx.helper_module))).stem
    esm = spec.get("esm")
    is_esm = bool(esm and re.search(esm, text, re.MULTILINE)) or ctx.path.endswith(tuple(spec.get("esm_extensions") or ()))
    macro = "import_line_esm" if is_esm else "import_line"
    line = ctx.render(macro, module, ctx.helper_rel, ctx.helper_up)
    if not line.strip() or line.strip() in text:
        return []
    if ctx.language.name == "python":
        placed = _python_edit(text, line.strip(), ctx)
        if placed is not None:
            return [placed]
    insert_at = _position(text, spec)
    block = line.rstrip("\n") + "\n"
    if insert_at == 0 or text[insert_at - 1 : insert_at] != "\n":
        block = ("\n" if insert_at and text[insert_at - 1 : insert_at] != "\n" else "") + block
    if spec.get("blank_line_before") and insert_at > 0 and not text[:insert_at].endswith("\n\n"):
        block = "\n" + block
    elif _other_group(text, insert_at, spec, line) and not text[:insert_at].endswith("\n\n"):
        block = "\n" + block  # PHP: `use` imports, then a blank line, then the require (PSR-12)
    return [Edit(insert_at, insert_at, block, RULE_ID, "imports the generated token helper")]


def _other_group(text: str, insert_at: int, spec: dict, line: str) -> bool:
    """Is the statement before the insertion point of another kind (`use`/`namespace` before a `require_once`)?"""
    group = spec.get("group_by_keyword")
    if not group or insert_at == 0:
        return False
    before = text[: insert_at - 1]
    previous_line = before[before.rfind("\n") + 1 :]
    if not spec.get("after") or not re.match(str(spec["after"]), previous_line):
        return False  # after the file header (a comment): no group to separate from
    previous = previous_line.split(None, 1)
    first = line.split(None, 1)
    return bool(previous) and bool(first) and previous[0] != first[0]


def _position(text: str, spec: dict) -> int:
    """After the last top-level import-like statement, else after the file header (`top` regex)."""
    after = spec.get("after")
    last = None
    if after:
        for m in re.finditer(after, text, re.MULTILINE):
            last = m
    if last is not None:
        return statement_extent(text, last.start()).end
    top = spec.get("top")
    if top:
        m = re.match(top, text)
        if m:
            return m.end()
    return 0


# Python: isort/ruff placement ----------------------------------------------------------------------------------
def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for m in re.finditer("\n", text):
        offsets.append(m.end())
    return offsets


def _top_imports(tree: Outline) -> list[ast.stmt]:
    """The module's leading import statements (after the docstring), up to the first other statement."""
    nodes: list[ast.stmt] = []
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            nodes.append(node)
        else:
            break
    return nodes


def _sections(text: str, nodes: list[ast.stmt]) -> list[list[ast.stmt]]:
    """Import statements grouped as the file groups them: a blank or comment line starts a new section."""
    lines = text.split("\n")
    sections: list[list[ast.stmt]] = []
    for node in nodes:
        if sections:
            previous = sections[-1][-1]
            between = lines[(previous.end_lineno or previous.lineno) : node.lineno - 1]
            if not between:
                sections[-1].append(node)
                continue
        sections.append([node])
    return sections


def _kind(section: list[ast.stmt], local: set[str]) -> str:
    """future | stdlib | local (relative) | first (modules beside the file) | third."""
    modules = []
    for node in section:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                return "local"
            modules.append((node.module or "").split(".")[0])
        else:
            modules.extend(alias.name.split(".")[0] for alias in node.names)  # type: ignore[attr-defined]
    if modules and all(m == "__future__" for m in modules):
        return "future"
    if modules and all(m in sys.stdlib_module_names for m in modules):
        return "stdlib"
    if modules and all(m in local for m in modules):
        return "first"
    return "third"


def _has_stdlib(section: list[ast.stmt]) -> bool:
    for node in section:
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]  # type: ignore[attr-defined]
        if any(n.split(".")[0] in sys.stdlib_module_names for n in names) and not getattr(node, "level", 0):
            return True
    return False


def _sort_key(node: ast.stmt) -> tuple:
    """ruff's default order inside a section: straight `import x` first, then `from` imports, by module (no case)."""
    if isinstance(node, ast.ImportFrom):
        return (1, -node.level, (node.module or "").lower())
    return (0, 0, node.names[0].name.lower())  # type: ignore[attr-defined]


def _python_edit(text: str, line: str, ctx: FileContext) -> Edit | None:
    """Insert the helper import where isort would; None when the file does not parse (the generic rule applies)."""
    tree = outline(text)
    if tree is None:
        return None
    new_tree = parse(line)
    if new_tree is None or not new_tree.body:
        return None
    new = new_tree.body[0]
    offsets = _line_offsets(text)
    nodes = _top_imports(tree)
    if not nodes:
        body = tree.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            at = offsets[body[0].end_lineno] if (body[0].end_lineno or 0) < len(offsets) else len(text)
            return Edit(at, at, "\n" + line + "\n", RULE_ID, "imports the generated token helper")
        first = body[0] if body else None
        gap = "\n\n" if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else "\n"
        return Edit(0, 0, line + "\n" + gap, RULE_ID, "imports the generated token helper")
    local = _local_modules(ctx)
    sections = _sections(text, nodes)
    kinds = [_kind(s, local) for s in sections]
    # a second non-stdlib absolute section is first-party (isort puts third-party before it)
    others = [i for i, k in enumerate(kinds) if k in ("third", "first")]
    if len(others) >= 2 and kinds[others[-1]] == "third":
        kinds[others[-1]] = "first"
    if isinstance(new, ast.ImportFrom) and new.level:
        target_kind = "local"
    elif isinstance(new, ast.Import) and new.names[0].name.split(".")[0] in sys.stdlib_module_names:
        target_kind = "stdlib"
    else:
        target_kind = "first"
    if target_kind == "stdlib" and "stdlib" not in kinds:
        mixed = [i for i, s in enumerate(sections) if kinds[i] != "future" and _has_stdlib(s)]
        if mixed:  # `import sys` and `import requests` in one unsorted block: join it, sorted
            kinds[mixed[0]] = "stdlib"
    if target_kind in kinds:
        section = sections[kinds.index(target_kind)]
        key = _sort_key(new)
        for node in section:
            if _sort_key(node) > key:
                at = offsets[node.lineno - 1]
                return Edit(at, at, line + "\n", RULE_ID, "imports the generated token helper")
        last = section[-1]
        at = _end_of_line(text, offsets, last)
        return Edit(at, at, line + "\n", RULE_ID, "imports the generated token helper")
    order = ["future", "stdlib", "third", "first", "local"]
    rank = order.index(target_kind)
    before = [i for i, k in enumerate(kinds) if order.index(k) < rank]
    if before:
        last = sections[before[-1]][-1]
        at = _end_of_line(text, offsets, last)
        follows = before[-1] + 1 < len(sections)
        return Edit(at, at, "\n" + line + "\n" + ("\n" if follows else ""), RULE_ID, "imports the generated token helper")
    at = offsets[sections[0][0].lineno - 1]
    return Edit(at, at, line + "\n\n", RULE_ID, "imports the generated token helper")


def _end_of_line(text: str, offsets: list[int], node: ast.stmt) -> int:
    end_line = node.end_lineno or node.lineno
    return offsets[end_line] if end_line < len(offsets) else len(text)


def _local_modules(ctx: FileContext) -> set[str]:
    """Modules beside the file (its folder's `.py` files and packages): isort's first party."""
    folder = ctx.helper_dir
    if folder is None:
        return {ctx.helper_module}
    names = {ctx.helper_module}
    try:
        for entry in Path(folder).iterdir():
            if entry.suffix == ".py":
                names.add(entry.stem)
            elif entry.is_dir() and (entry / "__init__.py").is_file():
                names.add(entry.name)
    except OSError:
        pass
    return names


# imports the rewrite left unused ---------------------------------------------------------------------------------
def prune(text: str, ctx: FileContext) -> list[Edit]:
    """Remove an import whose every use the rewrite removed (never one that was unused already)."""
    if text == ctx.history.original:
        return []
    if ctx.language.name == "python":
        return _prune_python(ctx.history.original, text)
    if ctx.language.name == "go":
        return _prune_go(ctx.history.original, text)
    return []


@lru_cache(maxsize=2)
def _names_used_in(text: str) -> frozenset[str] | None:
    """The names the original text uses (None: it does not parse), cached: every stage compares against it."""
    parsed = outline(text)
    return None if parsed is None else parsed.used


def _names_and_outline(original: str, text: str) -> tuple[frozenset[str], Outline] | None:
    """The names the original uses and the rewrite's outline; None when either does not parse."""
    used_before = _names_used_in(original)
    after = outline(text) if used_before is not None else None
    if used_before is None or after is None:
        return None
    return used_before, after


def _prune_python(original: str, text: str) -> list[Edit]:
    parsed = _names_and_outline(original, text)
    if parsed is None:
        return []
    used_before, after = parsed
    used_after = after.used
    offsets = _line_offsets(text)
    edits: list[Edit] = []
    for node in after.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            continue
        bound = [(alias, (alias.asname or alias.name).split(".")[0]) for alias in node.names]
        gone = [alias for alias, name in bound if name in used_before and name not in used_after and name != "*"]
        if not gone:
            continue
        start = offsets[node.lineno - 1]
        end = _end_of_line(text, offsets, node)
        if len(gone) == len(bound):
            if text[start + node.col_offset : end].rstrip("\n").endswith(";") or node.col_offset:
                continue  # `import os; x = 1` or an indented import: leave it
            if (start == 0 or text[start - 2 : start] == "\n\n") and text[end : end + 1] == "\n":
                end += 1  # it was a section of its own: its blank separator goes with it
            edits.append(Edit(start, end, "", RULE_ID, f"removed the import of {', '.join(a.name for a in gone)} (no longer used)"))
            continue
        kept = [alias for alias, _ in bound if alias not in gone]
        rendered = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
        if isinstance(node, ast.ImportFrom):
            replacement = f"from {'.' * node.level}{node.module or ''} import {rendered}\n"
        else:
            replacement = f"import {rendered}\n"
        edits.append(Edit(start, end, replacement, RULE_ID, f"removed the import of {', '.join(a.name for a in gone)} (no longer used)"))
    return edits


_GO_IMPORT = re.compile(r'^[ \t]*(?:import[ \t]+)?(?:(?P<alias>[\w.]+)[ \t]+)?"(?P<path>[^"\n]+)"[ \t]*\n', re.MULTILINE)


def _prune_go(original: str, text: str) -> list[Edit]:
    """Go refuses to compile an unused import: drop one whose package the rewrite stopped using."""
    block = re.search(r"^import[ \t]*\((?P<body>.*?)^\)", text, re.MULTILINE | re.DOTALL)
    edits: list[Edit] = []
    spans = [(block.start("body"), block.end("body"))] if block else []
    single = [m for m in re.finditer(r'^import[ \t]+(?:[\w.]+[ \t]+)?"[^"\n]+"[ \t]*\n', text, re.MULTILINE)]
    spans += [(m.start(), m.end()) for m in single]
    for start, end in spans:
        for m in _GO_IMPORT.finditer(text, start, end):
            alias = m.group("alias")
            if alias in ("_", "."):
                continue
            name = alias or m.group("path").rsplit("/", 1)[-1]
            use = re.compile(rf"(?<![\w.]){re.escape(name)}\.\w")
            if use.search(original) and not use.search(text):
                edits.append(Edit(m.start(), m.end(), "", RULE_ID, f'removed the import of "{m.group("path")}" (no longer used)'))
    return edits


def require(text: str, ctx: FileContext) -> list[Edit]:
    """Python: import a module the rewrite's own snippets use (`os.environ.get(...)`) when the file does not."""
    if ctx.language.name != "python" or text == ctx.history.original or ctx.fixes is None:
        return []
    needs = (ctx.fixes.get("import") or {}).get("requires") or {}
    if not needs:
        return []
    parsed = _names_and_outline(ctx.history.original, text)
    if parsed is None:
        return []
    used_before, after = parsed
    used_after, bound = after.used, after.bound
    edits = []
    for name, line in needs.items():
        if name in used_after and name not in used_before and name not in bound:
            placed = _python_edit(text, str(line), ctx)
            if placed is not None:
                edits.append(Edit(placed.start, placed.end, placed.replacement, RULE_ID, f"imports {name} (used by the rewrite)"))
    return edits[:1]  # one insertion point per stage; a second module would need its own position
