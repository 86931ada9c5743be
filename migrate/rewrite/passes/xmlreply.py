"""Pass `xml`: XML reply handling. Simple, recognised shapes become JSON access through the field map (rules
data: `fixes.<language>.xml`); everything else stays and gets a manual step naming the exact field map.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import ZOHO_URL, FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.passes.endpoints import _constant_name, _usage_regex
from migrate.ruleset.endpoints import Family


def families(ctx: FileContext, text: str) -> list[Family]:
    """The endpoint families (with a field map) of the legacy URLs the original file calls."""
    found: list[Family] = []
    for m in ZOHO_URL.finditer(ctx.history.original):
        url = m.group(0)
        resolved = ctx.match_url(url)
        tail = re.match(r"[\"'`]\s*(?:\+|\.)\s*[\"'`]([\w/]+)", ctx.history.original[m.end():m.end() + 40])
        if resolved is not None and not resolved.family.response and tail:
            resolved = ctx.match_url(url.rstrip("/") + "/" + tail.group(1)) or resolved
        if resolved is not None and resolved.family.response and resolved.family not in found:
            found.append(resolved.family)
        name = _constant_name(ctx.history.original, m.start())
        if name:  # BASE = ".../api/" used as BASE + "items/": the call sites tell the families
            for usage in _usage_regex(name).finditer(ctx.history.original):
                tail = usage.group("tail") if usage.group("tail") is not None else usage.group("tail2")
                joined = ctx.match_url(url.rstrip("/") + "/" + tail.lstrip("/"))
                if joined is not None and joined.family.response and joined.family not in found:
                    found.append(joined.family)
    return found


def _fields(response: dict) -> str:
    fields = response.get("fields") or {}
    parts = []
    for legacy, target in fields.items():
        if isinstance(target, dict):
            extra = f" ({target['type']})" if target.get("type") else ""
            values = target.get("values")
            if values:
                extra += " " + ", ".join(f'"{k}"->"{v}"' for k, v in values.items())
            parts.append(f"{legacy} -> {target.get('to')}{extra}")
        else:
            parts.append(f"{legacy} -> {target}")
    return ", ".join(parts)


def field_map_text(ctx: FileContext, text: str, payload: bool = False) -> str | None:
    """`the v3 reply is JSON (items list ...); ... field map: ItemID -> item_id, ...` for this file's calls."""
    texts = []
    for family in families(ctx, text):
        response = family.response or {}
        records = (response.get("oauth") or {}).get("records", "?")
        legacy = (response.get("legacy") or {}).get("records", "?")
        if payload:
            texts.append(ctx.data.manual_text("body", field="the XML document", fields=_fields(response)))
        else:
            texts.append(ctx.data.manual_text("xml", records=f"`{records}`, was {legacy}", fields=_fields(response)))
    return " | ".join(dict.fromkeys(texts)) or None


def run(text: str, ctx: FileContext) -> list[Edit]:
    return []
