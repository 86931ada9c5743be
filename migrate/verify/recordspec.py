"""A family's `response:` record spec from the endpoint map, validated: where records sit in each style's reply,
their key, and the field map (legacy name -> v3 path, declared type, enum values, line items)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migrate.errors import ConfigError

TYPES = ("string", "number", "integer", "boolean", "date")


@dataclass(frozen=True)
class FieldSpec:
    legacy: str  # legacy element name / CRM v1 label
    target: str  # v3 dotted path
    type: str = "string"
    values: tuple[tuple[str, str], ...] = ()  # legacy text -> v3 value


@dataclass(frozen=True)
class LinesSpec:
    legacy: str  # "InvoiceItems/InvoiceItem"
    oauth: str  # "line_items"
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class RecordSpec:
    """A family's `response:` record spec, validated."""

    name: str
    legacy_records: str | None
    legacy_single: str | None
    legacy_paging: str | None
    oauth_records: str | None
    oauth_single: str | None
    oauth_paging: str | None
    key: str | None
    fields: tuple[FieldSpec, ...]
    lines: LinesSpec | None = None

    @property
    def targets(self) -> dict[str, FieldSpec]:
        return {f.target: f for f in self.fields}


def _fields(raw: Any, where: str) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: `fields` must be a non-empty mapping of legacy name -> v3 name")
    out = []
    for legacy, spec in raw.items():
        if isinstance(spec, str):
            out.append(FieldSpec(str(legacy), spec))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("to"), str):
            raise ConfigError(f"{where}: field {legacy!r} must be a v3 name or {{to, type, values}}")
        ftype = str(spec.get("type") or "string")
        if ftype not in TYPES:
            raise ConfigError(f"{where}: field {legacy!r} has unknown type {ftype!r}; known: {', '.join(TYPES)}")
        values = tuple((str(k), str(v)) for k, v in (spec.get("values") or {}).items())
        out.append(FieldSpec(str(legacy), spec["to"], ftype, values))
    return tuple(out)


def record_spec(response: dict[str, Any], where: str, params: dict[str, str] | None = None) -> RecordSpec:
    """Validate a family's `response` mapping; `{module}`-style placeholders are filled from `params`."""
    params = params or {}

    def fill(value: Any) -> str | None:
        if value is None:
            return None
        text = str(value)
        for k, v in params.items():
            text = text.replace("{" + k + "}", v)
        return text

    legacy = response.get("legacy") or {}
    oauth = response.get("oauth") or {}
    if not isinstance(legacy, dict) or not isinstance(oauth, dict):
        raise ConfigError(f"{where}: `legacy` and `oauth` must be mappings")
    lines = None
    raw_lines = response.get("lines")
    if raw_lines is not None:
        if not isinstance(raw_lines, dict) or not raw_lines.get("legacy") or not raw_lines.get("oauth"):
            raise ConfigError(f"{where}: `lines` needs `legacy`, `oauth` and `fields`")
        lines = LinesSpec(str(raw_lines["legacy"]), str(raw_lines["oauth"]), _fields(raw_lines.get("fields"),
                                                                                      f"{where} lines"))
    return RecordSpec(
        name=where,
        legacy_records=fill(legacy.get("records")),
        legacy_single=fill(legacy.get("single")),
        legacy_paging=fill(legacy.get("paging")),
        oauth_records=fill(oauth.get("records")),
        oauth_single=fill(oauth.get("single")),
        oauth_paging=fill(oauth.get("paging")),
        key=response.get("key"),
        fields=_fields(response.get("fields"), where),
        lines=lines,
    )
