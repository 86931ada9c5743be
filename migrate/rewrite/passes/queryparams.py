"""Pass `query-params`: legacy query parameters with a mechanical v2/v3 form (rules data `fixes.common.query_params`).

CRM v1 `selectColumns=Leads(First Name,Last Name)` becomes v2 `fields=First_Name,Last_Name` through the product's
field map (labels -> API names); a label the map does not know leaves the parameter as it is, with a manual step
naming it. Parameters without a mechanical form (`fromIndex`, `searchCondition`) become manual steps.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.model import Edit

RULE_ID = "zoho.legacy-endpoint"


def _labels(ctx: FileContext, product_name: str) -> dict[str, str]:
    product = ctx.ruleset.endpoints.product(product_name)
    mapping: dict[str, str] = {}
    for record in (product.records.values() if product else ()):
        for label, target in (record.get("fields") or {}).items():
            name = target.get("to") if isinstance(target, dict) else target
            if name:
                mapping[str(label)] = str(name)
    return mapping


def run(text: str, ctx: FileContext) -> list[Edit]:
    specs = ctx.data.common.get("query_params") or []
    if not specs or not ctx.findings:
        return []
    edits: list[Edit] = []
    for spec in specs:
        pattern = re.compile(rf"(?P<sep>[?&])(?P<name>{re.escape(spec['param'])})=(?P<value>\w+\([^)\"'`]*\)|[^&\"'`\s#]*)")
        for m in pattern.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            url = next((u for u in zoho_urls(text, line_start, m.start())), None)
            resolved = ctx.match_url(url.group(0)) if url else None
            product = resolved.product.name if resolved else ctx.product_near(text, "")
            if product != spec.get("product"):
                continue
            if spec.get("manual"):
                ctx.add_manual(m.start(), RULE_ID, str(spec["manual"]))
                continue
            value = re.match(spec.get("value", "(?P<list>.*)"), unquote_plus(m.group("value")))
            if value is None:
                _step(ctx, m.start(), spec, "param_by_hand")
                continue
            labels = [label.strip() for label in value.group("list").split(spec.get("separator", ","))]
            mapping = _labels(ctx, product)
            unknown = [label for label in labels if label not in mapping]
            if unknown:
                _step(ctx, m.start(), spec, "param_unknown_fields", labels=", ".join(unknown))
                continue
            names = spec.get("separator", ",").join(mapping[label] for label in labels)
            if ctx.frozen(m.start()):
                # a request left as it was keeps its v1 parameters (v1 needs them): the new form is its manual step
                _step(ctx, m.start(), spec, "param_when_moved", names=names)
                continue
            edits.append(
                Edit(m.start("name"), m.end("value"), f"{spec['to']}={names}", RULE_ID, f"{spec['param']} -> {spec['to']}")
            )
    return edits


def _step(ctx: FileContext, offset: int, spec: dict, key: str, **values: str) -> None:
    """The manual step `fixes.common.manual[key]` for this parameter (its name and its v2/v3 form filled in)."""
    ctx.add_manual(offset, RULE_ID, ctx.data.manual_text(key, param=spec["param"], to=spec["to"], **values))
