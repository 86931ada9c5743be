"""Reply handling the rewrite cannot convert, marked where it is read: a file whose request now goes to the v2/v3
URL but still reads the legacy reply (CRM v1 JSON `response.result.Leads.row`, `FL` lists) gets a manual step at
that reading line, with the field map, so `TODO(zoho-migrate)` annotations land on the line to change.

The reading shapes are data (`fixes.common.legacy_reply_reads`); the field maps come from the endpoint map.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import FileContext
from migrate.rewrite.passes.xmlreply import _fields, families
from migrate.rewrite.syntax import in_string

RULE_ID = "zoho.legacy-endpoint"
REPLY_CATEGORY = "legacy-reply"


def mark_readers(text: str, ctx: FileContext) -> None:
    """Add a manual step at every line that reads a legacy reply shape (called once the URLs were moved)."""
    reads = ctx.data.common.get("legacy_reply_reads") or []
    if not reads:
        return
    note = _note(ctx, text)
    if note is None:
        return
    seen: set[int] = set()
    for spec in reads:
        for m in re.finditer(str(spec["pattern"]), text):
            line = text.count("\n", 0, m.start())
            if line in seen or in_string(text, m.start()) or _in_comment(text, m.start(), ctx):
                continue
            seen.add(line)
            ctx.add_manual(m.start(), _rule_id(ctx, m.start()), note)


def _rule_id(ctx: FileContext, offset: int) -> str:
    """The scanner's reply finding on that line when there is one: its manual step is then this one (the field map
    of this file's endpoints) instead of a second, generic TODO above the same reading line."""
    line = ctx.original_line(offset)
    for finding in ctx.findings:
        if finding.category == REPLY_CATEGORY and finding.line <= line <= max(finding.line, finding.end_line):
            return finding.rule_id
    return RULE_ID


def _note(ctx: FileContext, text: str) -> str | None:
    """`the v2 reply is {"data": [...]} (was response/result/{module}/row); ... field map: ...` for this file."""
    texts = []
    for family in families(ctx, text):
        response = family.response or {}
        legacy = (response.get("legacy") or {}).get("records")
        records = (response.get("oauth") or {}).get("records")
        if not legacy or "response/result" not in str(legacy):
            continue
        texts.append(ctx.data.manual_text("legacy_reply", records=records, legacy=legacy, fields=_fields(response)))
    return " | ".join(dict.fromkeys(texts)) or None


def _in_comment(text: str, offset: int, ctx: FileContext) -> bool:
    start = text.rfind("\n", 0, offset) + 1
    before = text[start:offset]
    return any(marker and marker in before for marker in ctx.language.line_comments)
