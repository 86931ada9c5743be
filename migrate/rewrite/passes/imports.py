"""Pass `imports`: a file that now calls the token helper imports (requires, sources) it, once, in its idiom."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import statement_extent

RULE_ID = "zoho.auth-param.authtoken"


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
    line = ctx.render("import_line_esm" if is_esm else "import_line", module)
    if not line.strip() or line.strip() in text:
        return []
    insert_at = _position(text, spec)
    block = line.rstrip("\n") + "\n"
    if insert_at == 0 or text[insert_at - 1 : insert_at] != "\n":
        block = ("\n" if insert_at and text[insert_at - 1 : insert_at] != "\n" else "") + block
    if spec.get("blank_line_before") and insert_at > 0 and not text[:insert_at].endswith("\n\n"):
        block = "\n" + block
    return [Edit(insert_at, insert_at, block, RULE_ID, "imports the generated token helper")]


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
