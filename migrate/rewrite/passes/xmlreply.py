"""Pass `xml`: XML reply handling. Simple, recognised shapes become JSON access through the field map (rules
data: `fixes.<language>.xml`); everything else stays and gets a manual step naming the exact field map.
"""

from __future__ import annotations

import bisect
import re

from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.model import Edit, ManualStep
from migrate.rewrite.passes.endpoints import _constant_name, _usage_regex
from migrate.rewrite.syntax import statement_extent
from migrate.ruleset.endpoints import Family


def families(ctx: FileContext, text: str) -> list[Family]:
    """The endpoint families (with a field map) of the legacy URLs the original file calls.

    Depends on the original text only, so it is worked out once per file (every XML finding left to a person asks
    for it again: recomputing it made a file of n parses cost n x URLs x file size).
    """
    cached = ctx.memo.get("xmlreply.families")
    if cached is None:
        cached = ctx.memo["xmlreply.families"] = _families(ctx)
    return list(cached)


def _families(ctx: FileContext) -> list[Family]:
    original = ctx.history.original
    found: list[Family] = []
    urls = list(zoho_urls(original))
    names = [_constant_name(original, m.start()) for m in urls]
    tails = _tails_by_name(original, {name for name in names if name})
    done: set[tuple[str, str]] = set()
    for m, name in zip(urls, names, strict=True):
        url = m.group(0)
        resolved = ctx.match_url(url)
        tail = _TAIL.match(original, m.end(), m.end() + 40)
        if resolved is not None and not resolved.family.response and tail:
            resolved = ctx.match_url(url.rstrip("/") + "/" + tail.group(1)) or resolved
        if resolved is not None and resolved.family.response and resolved.family not in found:
            found.append(resolved.family)
        if not name or (url, name) in done:
            continue  # a repeated (URL, name) pair adds no family
        done.add((url, name))
        for tail_text in tails[name]:  # BASE = ".../api/" used as BASE + "items/": the call sites tell the families
            joined = ctx.match_url(url.rstrip("/") + "/" + tail_text.lstrip("/"))
            if joined is not None and joined.family.response and joined.family not in found:
                found.append(joined.family)
    return found


_TAIL = re.compile(r"[\"'`]\s*(?:\+|\.)\s*[\"'`]([\w/]+)")


def _tails_by_name(original: str, names: set[str]) -> dict[str, list[str]]:
    """name -> the distinct tails joined to it at its call sites (`NAME + "tail"`), in text order.

    One pass over the file for all names: a lookahead finds every start, and a start inside the same name's
    previous use is dropped, so each name gets exactly the matches its own `finditer` would give.
    """
    tails: dict[str, dict[str, None]] = {name: {} for name in names}
    if not names:
        return {}
    usage = _usage_regex(sorted(names))
    ends: dict[str, int] = {}
    for probe in re.compile(f"(?=(?:{usage.pattern}))").finditer(original):
        name = probe.group("name") or probe.group("name2")
        if probe.start() < ends.get(name, 0):
            continue
        whole = usage.match(original, probe.start())
        assert whole is not None  # the lookahead matched the same pattern here
        ends[name] = whole.end()
        tail = whole.group("tail") if whole.group("tail") is not None else whole.group("tail2")
        tails[name][tail] = None
    return {name: list(found) for name, found in tails.items()}


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


def _target(value: object) -> str | None:
    name = value.get("to") if isinstance(value, dict) else value
    return str(name) if name and "." not in str(name) else None  # nested targets are not a plain lookup


def run(text: str, ctx: FileContext) -> list[Edit]:
    """Rewrite a parsed reply whose every use is a recognised shape (status check, message, record list, field)."""
    spec = ctx.fixes.get("xml") if ctx.fixes else None
    if not spec:
        _mark_unconverted(ctx, set())
        return []
    rule_ids = {r.id for r in ctx.ruleset.rules if r.category == "xml-parsing" and "payload" not in r.id}
    by_element: dict[str, Family] = {}
    for family in families(ctx, text):
        legacy_records = str(((family.response or {}).get("legacy") or {}).get("records") or "")
        if legacy_records:
            by_element.setdefault(legacy_records.split("/")[-1], family)
    edits: list[Edit] = []
    needs_import = False
    converted: set[int] = set()
    for m in re.finditer(spec["parse"], text):
        if not ctx.flagged(m.start(), rule_ids) or built_locally(text, m.group("src"), m.start()):
            continue
        planned = _plan(text, ctx, spec, m, by_element, next(iter(rule_ids), "zoho.xml-parsing"))
        if planned:
            edits.extend(planned)
            needs_import = True
            converted.add(ctx.original_line(m.start()))
            # the reads of the parsed reply it rewrote too (root.iter("Item"), findtext(...)): a finding there
            # (zoho.xml-parsing.dom-read) is handled, not a manual step
            converted.update(ctx.original_line(edit.start) for edit in planned)
    _mark_unconverted(ctx, converted)
    line = spec.get("requires_import")
    if needs_import and line and not re.search(rf"^{re.escape(line)}\s*$", text, re.MULTILINE):
        edits.append(_json_import(text, ctx, line, next(iter(rule_ids))))
    return edits


def _json_import(text: str, ctx: FileContext, line: str, rule_id: str) -> Edit:
    """The JSON module's import, where the language's formatter would put it (Python: isort's stdlib section)."""
    from migrate.rewrite.passes.imports import _python_edit

    placed = _python_edit(text, line, ctx) if ctx.language.name == "python" else None
    if placed is not None:
        return Edit(placed.start, placed.end, placed.replacement, rule_id, "imports json")
    at = _import_position(text, (ctx.fixes.get("import") if ctx.fixes else None) or {})
    return Edit(at, at, line + "\n", rule_id, "imports json")


def _plan(text: str, ctx: FileContext, spec: dict, m: re.Match[str], by_element: dict[str, Family], rule_id: str) -> list[Edit]:
    variable = m.group("var")
    scope_start = statement_extent(text, m.start()).end
    end = re.compile(spec.get("scope_end", r"^\S"), re.MULTILINE).search(text, scope_start)
    scope_end = end.start() if end else len(text)
    edits: list[Edit] = []
    family: Family | None = None
    for use in re.finditer(rf"(?<![\w.]){re.escape(variable)}(?!\w)", text[scope_start:scope_end]):
        position = scope_start + use.end()
        for shape in spec.get("root_uses") or ():
            found = re.compile(shape["pattern"]).match(text, position)
            if found is None:
                continue
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            if shape.get("records"):
                family = by_element.get(values.get("element", ""))
                if family is None:
                    return []
                values["records"] = (family.response or {}).get("oauth", {}).get("records", "")
            edits.append(Edit(position, found.end(), shape["replacement"].format(**values), rule_id, "XML reply -> JSON"))
            break
        else:
            return []  # a use the rewriter does not recognise: leave it all to a person
    loop = re.compile(spec["loop"].replace("{var}", re.escape(variable)))
    items = {found.group("item") for found in loop.finditer(text, scope_start, scope_end)}
    if items and family is None:
        return []
    fields = (family.response or {}).get("fields", {}) if family else {}
    for item in items:
        for use in re.finditer(rf"(?<![\w.]){re.escape(item)}(?!\w)", text[scope_start:scope_end]):
            start = scope_start + use.start()
            if re.search(spec.get("binding", r"\bfor\s+$"), text[max(0, start - 12) : start]):
                continue  # the loop's own binding (`for item in`, `as $item`)
            position = scope_start + use.end()
            for shape in spec.get("item_uses") or ():
                found = re.compile(shape["pattern"]).match(text, position)
                if found is None:
                    continue
                values = dict(found.groupdict())
                if shape.get("field"):
                    target = _target(fields.get(values.get("field", ""))) if values.get("field") in fields else None
                    if target is None:
                        return []
                    values["field"] = target
                edits.append(Edit(position, found.end(), shape["replacement"].format(**values), rule_id, "XML field -> JSON field"))
                break
            else:
                return []
    replacement = spec["parse_replacement"].format(var=variable, src=m.group("src"))
    edits.append(Edit(m.start(), m.end(), replacement, rule_id, "XML reply parsed as JSON"))
    return edits


def _import_position(text: str, spec: dict) -> int:
    from migrate.rewrite.passes.imports import _position

    return _position(text, spec)


_XML_LITERAL = re.compile(r"""^[fbrFBRU]{0,2}(?:'{3}|"{3}|"|')\s*<""")


def built_locally(text: str, source: str, before: int) -> bool:
    """Is the parsed text an XML document the code builds itself (`xml = "<Invoice>..."`), not a reply?

    Such a payload stays XML in the code (the request body is a manual step): decoding it as JSON would break it.
    """
    name = source.strip().lstrip("$")
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        return _XML_LITERAL.match(source.strip()) is not None
    assigned = re.compile(
        rf"^[ \t]*\$?{re.escape(name)}\s*(?:\.|\+)?=\s*"
        r"""(?:[fbrFBRU]{0,2}(?:'{3}|"{3}|"|')\s*<|[\w.]*\b(?:Element|SubElement|tostring)\()""",
        re.MULTILINE,
    )
    # as `assigned.search(text, 0, before)`, without searching the text before every parse again (quadratic in a
    # file of many parses): a match starts at a line start; one that needs no text at or after `before` also
    # matches the whole text there, so only those line starts are tried again with the bound
    starts = _ASSIGNMENTS.starts(text, name, assigned)
    return any(assigned.match(text, start, before) for start in starts[: bisect.bisect_left(starts, before)])


class _AssignmentIndex:
    """Per text (the last one asked about): for a name, the line starts where `assigned` matches the whole text."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.by_name: dict[str, list[int]] = {}
        self.line_starts: dict[str, list[int]] = {}

    def starts(self, text: str, name: str, assigned: re.Pattern[str]) -> list[int]:
        if text is not self.text:
            self.text, self.by_name, self.line_starts = text, {}, {}
            for m in re.finditer(r"(?m)^[ \t]*\$?([A-Za-z_]\w*)", text):
                self.line_starts.setdefault(m.group(1), []).append(m.start())
        if name not in self.by_name:
            # a match begins `^[ \t]*\$?name`: only lines whose first word is the name (or one starting with it)
            candidates = sorted({s for word, found in self.line_starts.items() if word.startswith(name) for s in found})
            self.by_name[name] = [s for s in candidates if assigned.match(text, s)]
        return self.by_name[name]


_ASSIGNMENTS = _AssignmentIndex()


# the TODO at each reading line names the field map of that line's own request -----------------------------------
_WINDOW_LINES = 25  # how far above a reading line its request is looked for (the same function, in practice)


def _mark_unconverted(ctx: FileContext, converted: set[int]) -> None:
    """A manual step at every XML-reading finding left as it is, with the field map of the request it reads.

    The file-wide text lists every family the file calls; a TODO above `list_invoices()`'s parsing must name the
    invoices map, so the request nearest above the reading line decides (the file-wide text stays the fallback).
    """
    index: _UrlIndex | None = None
    for finding in ctx.findings:
        if finding.category != "xml-parsing" or finding.line in converted:
            continue
        index = index or _UrlIndex(ctx.history.original)
        family = _family_near(ctx, finding.line, index)
        if family is None or not family.response:
            continue
        text = _family_text(ctx, family, payload="payload" in finding.rule_id)
        step = ManualStep(ctx.path, finding.line, finding.rule_id, text)
        if step not in ctx.manual:
            ctx.manual.append(step)


class _UrlIndex:
    """The original text's Zoho URLs, their constant names and line offsets, found once per file: each reading
    line used to search the whole file again (quadratic in a file of many requests)."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.offsets = [0]  # offsets[k]: where line index k starts, as `sum(len(x) + 1 for x in lines[:k])`
        for line in original.split("\n"):
            self.offsets.append(self.offsets[-1] + len(line) + 1)
        self.urls = list(zoho_urls(original))
        self.starts = [m.start() for m in self.urls]
        self.bases: dict[str, str] = {}
        for m in self.urls:
            name = _constant_name(original, m.start())
            if name:
                self.bases[name] = m.group(0)
        self.usage = _usage_regex(list(self.bases)) if self.bases else None

    def window(self, line: int) -> tuple[int, int]:
        """Offsets of the _WINDOW_LINES lines above `line` and `line` itself."""
        count = len(self.offsets) - 1
        first = max(0, line - 1 - _WINDOW_LINES)
        return self.offsets[min(first, count)], self.offsets[min(max(line, first), count)]


def _family_near(ctx: FileContext, line: int, index: _UrlIndex) -> Family | None:
    """The endpoint family of the last legacy request written above (or on) `line` within a short window."""
    original = index.original
    window_start, window_end = index.window(line)
    found: list[tuple[int, Family]] = []
    low = bisect.bisect_left(index.starts, window_start)
    high = bisect.bisect_left(index.starts, window_end)
    for m in index.urls[low:high]:
        resolved = ctx.match_url(m.group(0))
        tail = re.match(r"[\"'`]\s*(?:\+|\.)\s*[\"'`]([\w/]+)", original[m.end() : m.end() + 40])
        if resolved is not None and not resolved.family.response and tail:
            resolved = ctx.match_url(m.group(0).rstrip("/") + "/" + tail.group(1)) or resolved
        if resolved is not None:
            found.append((m.start(), resolved.family))
    if index.usage is not None:
        for usage in index.usage.finditer(original, window_start, window_end):
            name = usage.group("name") or usage.group("name2")
            tail = usage.group("tail") if usage.group("tail") is not None else usage.group("tail2")
            joined = ctx.match_url(index.bases[name].rstrip("/") + "/" + (tail or "").lstrip("/"))
            if joined is not None:
                found.append((usage.start(), joined.family))
    found = [item for item in found if item[1].response]
    return max(found, key=lambda item: item[0])[1] if found else None


def _family_text(ctx: FileContext, family: Family, payload: bool) -> str:
    response = family.response or {}
    if payload:
        return ctx.data.manual_text("body", field="the XML document", fields=_fields(response))
    records = (response.get("oauth") or {}).get("records", "?")
    legacy = (response.get("legacy") or {}).get("records", "?")
    return ctx.data.manual_text("xml", records=f"`{records}`, was {legacy}", fields=_fields(response))
