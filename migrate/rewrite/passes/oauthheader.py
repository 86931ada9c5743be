"""Pass `oauth-header`: `Zoho-authtoken <token>` becomes the token helper's `Zoho-oauthtoken <access token>`.

`"Zoho-authtoken " + token` is replaced by the helper's authorization expression; a token spliced into a string
(`{t}`, `${t}`, `#{t}`, `$T`) by the language's in-string form of it. Anything else is left as it was with a
manual step (a scheme swapped alone would send the caller's authtoken as an OAuth token: every call refused).
"""

from __future__ import annotations

import re

from migrate.requests.headerform import SCHEME, HeaderForm, header_form
from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import interpolation_close, operand_end, string_bounds


def run(text: str, ctx: FileContext) -> list[Edit]:
    rules = ctx.rules_with_action("oauth-header")
    if not rules or ctx.fixes is None:
        return []
    rule_id = rules[0].id
    edits: list[Edit] = []
    scheme = str(ctx.data.oauth.get("header_scheme", "Zoho-oauthtoken"))
    concat = "|".join(re.escape(op) for op in ctx.fixes.concat)
    header = str(ctx.data.oauth.get("header", "Authorization"))
    for m in SCHEME.finditer(text):
        if not ctx.flagged(m.start(), rule_id):
            continue
        if ctx.fixes.get("auth") == "connection":
            edit = _drop_header_statement(text, ctx, m.start(), header, rule_id)
            if edit is not None:
                edits.append(edit)
            else:
                ctx.add_manual(m.start(), rule_id, f"remove this `{header}` header: the connection sends the OAuth token")
            continue
        form = header_form(text, m, ctx.fixes.concat, ctx.fixes.interpolation)
        if form is not None and form.kind == "concat":
            op = re.compile(rf"\s*(?:{concat})\s*").match(text, form.end)
            stop = operand_end(text, op.end()) if op is not None else form.end
            if op is not None and stop > op.end():
                edits.append(Edit(m.start() - 1, stop, ctx.render("authorization"), rule_id, "OAuth header"))
                ctx.uses_helper = True
                continue
        spliced = _spliced_end(text, form) if form is not None and form.kind != "concat" else None
        bounds = string_bounds(text, m.start())
        if spliced is not None and bounds is not None:
            start, end = bounds
            prefix = _literal_prefix(text, start)
            if spliced == end - 1 and m.start() == start + 1:
                # the whole literal is `Zoho-authtoken <token>`: it becomes the helper's authorization value
                edits.append(Edit(start - len(prefix), end, ctx.render("authorization"), rule_id, "OAuth header"))
                ctx.uses_helper = True
                continue
            inline = getattr(ctx.data.snippets(ctx.fixes), "authorization_inline", None)
            quotes = str(ctx.fixes.get("inline_quotes") or "")
            if inline is not None and (text[start] in quotes or (prefix and prefix.lower() in ("f", "$", "$@", "@$"))):
                edits.append(Edit(m.start(), spliced, str(inline()), rule_id, "OAuth header"))
                ctx.uses_helper = True
                continue
        # any other form (`fmt.Sprintf("Zoho-authtoken %s", t)`): the request model blocks it; swapping the scheme
        # alone would send the caller's authtoken as an OAuth token, so nothing changes here either
        ctx.add_manual(m.start(), rule_id, f"send the token helper's value (`{scheme} <access token>`) in this header")
    return edits


def _drop_header_statement(text: str, ctx: FileContext, index: int, header: str, rule_id: str) -> Edit | None:
    """Deluge: `h.put("Authorization", "Zoho-authtoken " + t);` goes; the invokeurl's connection carries the token."""
    assert ctx.fixes is not None
    for pattern in ctx.fixes.statement_patterns(re.escape(header)):
        for m in pattern.finditer(text):
            if m.start() <= index < m.end():
                return Edit(m.start(), m.end(), "", rule_id, "removed the Zoho-authtoken header (the connection sends the token)")
    return None


def _literal_prefix(text: str, quote_at: int) -> str:
    """A string prefix right before the quote (Python `f`, C# `$`), which belongs to the literal."""
    m = re.search(r"(?<![\w])[fFrRbBuU$@]{1,2}$", text[max(0, quote_at - 2) : quote_at])
    return m.group(0) if m else ""


def _spliced_end(text: str, form: HeaderForm) -> int | None:
    """End of the token spliced into the string (an interpolation's closing bracket, or `$VAR` / a literal token)."""
    if form.kind == "interpolation":
        close = interpolation_close(text, form.end, form.opener)
        return close + 1 if close > 0 else None
    return form.end
