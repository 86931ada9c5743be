"""Legacy XML and v3 JSON replies -> canonical records, through the endpoint map's field maps and types.

Canonical form: a record is a flat mapping of v3 field paths (`rate`, `billing_address.city`) to typed values,
plus the line-item list under its v3 name. Types come from the field map (`{to: rate, type: number}`): numbers
compare as decimals (`"34.00"` == `34.0`), an empty legacy element is the zero value of its type (`""`, `0`,
`false`), enum `values` translate legacy codes (`"1"` -> `"active"`), dates compare as YYYY-MM-DD.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from migrate.errors import ConfigError
from migrate.verify.config import VerifyConfig

TYPES = ("string", "number", "integer", "boolean", "date")


class ReplyError(ValueError):
    """A reply that carries an API error or cannot be read as the record spec says; one line."""


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


# ---- values


class Canon:
    """Typed canonical values, so both sides compare by meaning, not spelling."""

    def __init__(self, config: VerifyConfig) -> None:
        self.config = config
        self.empty_text = frozenset(str(t) for t in config.xml.get("empty_text") or ())

    def zero(self, ftype: str) -> Any:
        value = self.config.zero_values.get(ftype, "")
        return Decimal(str(value)) if ftype in ("number", "integer") else value

    def value(self, raw: Any, spec: FieldSpec, *, legacy: bool) -> Any:
        if legacy and spec.values and raw is not None:
            raw = dict(spec.values).get(str(raw).strip(), raw)
        if legacy and isinstance(raw, str) and raw.strip() in self.empty_text:
            raw = None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.zero(spec.type)
        if spec.type in ("number", "integer"):
            if isinstance(raw, bool):
                return Decimal(int(raw))
            try:
                number = Decimal(str(raw).strip().replace(",", ""))
            except InvalidOperation:
                return str(raw).strip()
            return number.normalize() if number == number.to_integral_value() else number
        if spec.type == "boolean":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in self.config.true_words:
                return True
            if word in self.config.false_words:
                return False
            return str(raw).strip()
        if spec.type == "date":
            return self._date(str(raw).strip())
        if isinstance(raw, (dict, list)):
            return json.dumps(raw, sort_keys=True)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return str(raw).strip()

    def _date(self, text: str) -> str:
        for fmt in self.config.date_formats:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            return text[:10]
        return text


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return type(a) is type(b) and a == b


def plain(value: Any) -> Any:
    """A canonical value as JSON data (Decimal -> int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# ---- legacy XML


@dataclass
class LegacyRecords:
    records: list[dict[str, Any]]
    single: bool
    not_compared: set[str] = field(default_factory=set)


def legacy_error(root: etree._Element, config: VerifyConfig) -> str | None:
    """The legacy API failure a reply carries (HTTP 200 with `<Response status="0">`), or None."""
    xml = config.xml
    if root.get(xml.get("status_attribute", "status")) == str(xml.get("error_status", "0")):
        code = (root.findtext(xml.get("error_code", "Code")) or "").strip()
        message = (root.findtext(xml.get("error_message", "Message")) or "").strip()
        return f"legacy API error {code or '?'}: {message or 'no message'}"
    for name in xml.get("error_elements") or ():
        element = root.find(str(name))
        if element is not None:
            code = (element.findtext("code") or element.findtext("Code") or "").strip()
            message = (element.findtext("message") or element.findtext("Message") or "").strip()
            return f"legacy API error {code or '?'}: {message or 'no message'}"
    return None


def legacy_is_empty(root: etree._Element, config: VerifyConfig) -> bool:
    """A legacy "no data" reply (CRM v1 `<nodata>`): an empty collection, not an error."""
    return any(root.find(str(name)) is not None for name in config.xml.get("empty_elements") or ())


def _find(root: etree._Element, path: str) -> list[etree._Element]:
    """Elements at a slash path below `root` (the root's own tag may start the path)."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == root.tag and len(parts) > 1 and root.find(parts[0]) is None:
        parts = parts[1:]
    return root.findall("/".join(parts)) if parts else [root]


def legacy_records(root: etree._Element, spec: RecordSpec, canon: Canon, config: VerifyConfig) -> LegacyRecords:
    """Canonical records of one legacy XML page; unmapped legacy fields are collected as `not_compared`."""
    single = False
    elements: list[etree._Element] = []
    if legacy_is_empty(root, config):
        return LegacyRecords([], False)
    if spec.legacy_records:
        container = spec.legacy_records.rsplit("/", 1)[0] if "/" in spec.legacy_records else None
        elements = _find(root, spec.legacy_records)
        if not elements and container and not _find(root, container) and spec.legacy_single:
            elements = _find(root, spec.legacy_single)
            single = bool(elements)
            if not elements:
                raise ReplyError(f"legacy reply has neither {spec.legacy_records} nor {spec.legacy_single}")
        elif not elements and container and not _find(root, container):
            raise ReplyError(f"legacy reply has no {container} element")
    elif spec.legacy_single:
        elements = _find(root, spec.legacy_single)
        single = True
        if not elements:
            raise ReplyError(f"legacy reply has no {spec.legacy_single} element")
    result = LegacyRecords([], single)
    for element in elements:
        result.records.append(_legacy_record(element, spec, canon, config, result.not_compared))
    return result


def _name(element: etree._Element, config: VerifyConfig) -> str:
    if element.tag == config.xml.get("field_element", "FL"):
        return str(element.get(config.xml.get("field_name_attribute", "val")) or element.tag)
    return str(element.tag)


def _legacy_record(element: etree._Element, spec: RecordSpec, canon: Canon, config: VerifyConfig,
                   unmapped: set[str]) -> dict[str, Any]:
    by_legacy = {f.legacy: f for f in spec.fields}
    lines_container = spec.lines.legacy.split("/")[0] if spec.lines else None
    record: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _name(child, config)
        if spec.lines and name == lines_container:
            line_tag = spec.lines.legacy.split("/", 1)[1] if "/" in spec.lines.legacy else None
            rows = child.findall(line_tag) if line_tag else list(child)
            line_map = {f.legacy: f for f in spec.lines.fields}
            lines = []
            for row in rows:
                line: dict[str, Any] = {}
                for cell in row:
                    if not isinstance(cell.tag, str):
                        continue
                    cell_name = _name(cell, config)
                    fspec = line_map.get(cell_name)
                    if fspec is None:
                        unmapped.add(f"{element.tag}/{spec.lines.legacy}/{cell_name}")
                        continue
                    line[fspec.target] = canon.value(cell.text, fspec, legacy=True)
                lines.append(line)
            record[spec.lines.oauth] = lines
            continue
        fspec = by_legacy.get(name)
        if fspec is None:
            unmapped.add(f"{element.tag}/{name}")
            continue
        record[fspec.target] = canon.value("".join(child.itertext()), fspec, legacy=True)
    return record


def first_page_params(spec: RecordSpec | None, config: VerifyConfig) -> dict[str, str]:
    """Parameters the first legacy request needs for paging (CRM v1: fromIndex=1&toIndex=200)."""
    paging = config.paging.get(spec.legacy_paging or "", {}) if spec else {}
    if paging.get("kind") == "index-range":
        return {str(paging["from_param"]): "1", str(paging["to_param"]): str(paging.get("size", 200))}
    return {}


def legacy_next_page(root: etree._Element, spec: RecordSpec, config: VerifyConfig,
                     current: dict[str, str] | None = None) -> dict[str, str] | None:
    """Query parameters for the next page when the reply says there is one, else None."""
    if not spec.legacy_paging:
        return None
    paging = config.paging.get(spec.legacy_paging, {})
    if paging.get("kind") == "index-range":
        if legacy_is_empty(root, config) or not spec.legacy_records:
            return None
        size = int(paging.get("size", 200))
        start = int((current or {}).get(str(paging["from_param"]), "1") or 1)
        end = int((current or {}).get(str(paging["to_param"]), str(start + size - 1)) or start + size - 1)
        if len(_find(root, spec.legacy_records)) < end - start + 1:
            return None
        span = end - start + 1
        return {str(paging["from_param"]): str(end + 1), str(paging["to_param"]): str(end + span)}
    element = next(iter(_find(root, spec.legacy_paging)), None)
    if element is None or paging.get("kind") != "xml-attributes":
        return None
    try:
        page = int(element.get(paging.get("page", "Page")) or 1)
        pages = int(element.get(paging.get("pages", "Total_Pages")) or 1)
    except ValueError:
        return None
    return {str(paging.get("page_param", "Page")): str(page + 1)} if page < pages else None


def json_to_element(obj: Any, tag: str = "root") -> etree._Element:
    """A legacy JSON reply (CRM v1 `json` format) as the element tree its XML twin would have been.

    `{"response": {"result": {"Leads": {"row": [{"FL": [{"val": "Company", "content": "Acme"}]}]}}}}` becomes
    `<response><result><Leads><row><FL val="Company">Acme</FL></row>...`, so one field map serves both formats.
    """
    if isinstance(obj, dict) and len(obj) == 1 and tag == "root":
        (key, value), = obj.items()
        return json_to_element(value, str(key))
    element = etree.Element(_safe_tag(tag))
    _fill(element, obj)
    return element


def _safe_tag(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-." else "_" for c in str(name)) or "_"
    return cleaned if not cleaned[0].isdigit() and cleaned[0] not in "-." else "_" + cleaned


def _fill(element: etree._Element, obj: Any) -> None:
    if isinstance(obj, dict):
        as_attributes = "content" in obj
        for key, value in obj.items():
            if key == "content" and not isinstance(value, (dict, list)):
                element.text = "" if value is None else str(value)
            elif as_attributes and not isinstance(value, (dict, list)):
                element.set(_safe_tag(key), "" if value is None else str(value))
            elif isinstance(value, list):
                for item in value:
                    child = etree.SubElement(element, _safe_tag(key))
                    _fill(child, item)
            else:
                child = etree.SubElement(element, _safe_tag(key))
                _fill(child, value)
    elif obj is not None:
        element.text = str(obj)


# ---- v3 JSON


@dataclass
class OAuthRecords:
    records: list[dict[str, Any]]
    single: bool


def parse_json(body: bytes, side: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReplyError(f"{side} reply is not valid JSON: {getattr(error, 'msg', error)}") from None


def json_error(obj: Any, config: VerifyConfig, side: str = "v3") -> str | None:
    """A JSON failure body (`{"code": 57, "message": ...}`), or None."""
    if not isinstance(obj, dict):
        return None
    code_key = config.json.get("error_code", "code")
    if code_key not in obj:
        return None
    code = obj[code_key]
    if code in (0, "0", "SUCCESS", "success"):
        return None
    message = obj.get(config.json.get("error_message", "message")) or ""
    return f"{side} API error {code}: {message or 'no message'}"


def oauth_records(obj: Any, spec: RecordSpec) -> OAuthRecords:
    if obj == {}:  # HTTP 204 / empty body: CRM v2's "no records"
        return OAuthRecords([], False)
    if not isinstance(obj, dict):
        raise ReplyError("OAuth reply is not a JSON object")
    if spec.oauth_records and isinstance(obj.get(spec.oauth_records), list):
        return OAuthRecords([r for r in obj[spec.oauth_records] if isinstance(r, dict)], False)
    if spec.oauth_single and isinstance(obj.get(spec.oauth_single), dict):
        return OAuthRecords([obj[spec.oauth_single]], True)
    if spec.oauth_records and spec.oauth_records not in obj and spec.oauth_single not in obj:
        wanted = " or ".join(k for k in (spec.oauth_records, spec.oauth_single) if k)
        raise ReplyError(f"OAuth reply has no `{wanted}`")
    return OAuthRecords([], False)


def json_next_page(obj: Any, paging_name: str | None, config: VerifyConfig) -> dict[str, str] | None:
    """Query parameters for the next page of a JSON reply (`page=N+1`) when it says there are more."""
    if not paging_name or not isinstance(obj, dict) or not isinstance(obj.get(paging_name), dict):
        return None
    paging = config.paging.get(paging_name, {})
    context = obj[paging_name]
    if not context.get(paging.get("more", "has_more_page")):
        return None
    try:
        page = int(context.get(paging.get("page", "page")) or 1) + 1
    except (TypeError, ValueError):
        return None
    return {str(paging.get("page_param", "page")): str(page)}


def get_path(record: Any, path: str, default: Any = None) -> Any:
    current = record
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return default
    return current


def leaf_paths(record: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the scalar (and list) leaves of a JSON object."""
    if not isinstance(record, dict):
        return [prefix] if prefix else []
    out = []
    for key, value in record.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.extend(leaf_paths(value, path))
        else:
            out.append(path)
    return out
