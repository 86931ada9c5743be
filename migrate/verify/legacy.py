"""Legacy replies -> canonical records: Invoice XML, CRM v1 XML (`<FL val="Label">`) and CRM v1 `json`.

Each child element named in the field map becomes its v3 path with a typed value; every other element is
collected as "not compared" (`Item/Tax2Name`). Failures that legacy APIs send with HTTP 200 are recognised here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from migrate.verify.config import VerifyConfig
from migrate.verify.model import ReplyError
from migrate.verify.recordspec import RecordSpec
from migrate.verify.values import Canon


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
