"""`Finding.fixable` from the request model's cheap decision (no rewriting: one parse of the file).

A finding is fixable when its rule has an automatic fix and every request it is part of can be migrated whole;
XML reply handling (no fix of its own) when its request is migrated and the language's recognised reply shape
starts on its line. Definitions, secrets and config keys outside any request follow their rule's fix alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate

from migrate.requests.build import ZOHO_URL, plan_requests
from migrate.requests.definitions import kept_reason, read_in
from migrate.requests.idioms import idioms
from migrate.requests.model import RequestPlan
from migrate.requests.structure import Structure
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.finding import Finding


def fixable_fingerprints(
    text: str, language: Language, findings: list[Finding], ruleset: RuleSet, plan: RequestPlan | None = None
) -> set[str]:
    """Fingerprints of the findings `rewrite` will change (the others become manual steps)."""
    if not findings:
        return set()
    fix = idioms(ruleset, language.name)
    if not fix.known and language.kind != "config":
        return set()  # no fix idioms for this language: everything is a manual step
    if plan is None:
        try:
            plan = plan_requests(text, language, findings, ruleset)
        except Exception:  # noqa: BLE001 - a file the model cannot read: nothing is promised fixable (rewrite agrees)
            return set()
    rules = {r.id: r for r in ruleset.rules}
    if language.kind == "config":
        return _config_fixable(text, language, findings, ruleset, rules)
    lines = text.split("\n")
    fixable = set()
    header_lines = {f.line for f in findings if f.category == "auth-header"}
    structure = _LazyStructure(text, language, fix)
    definitions = _Definitions(fix, lines)
    for finding in findings:
        rule = rules.get(finding.rule_id)
        if rule is None or not plan.fixable(finding):
            continue
        if finding.category == "xml-parsing":
            requests = plan.requests_of(finding)
            line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
            if requests and fix.xml_parse is not None and fix.xml_parse.search(line) and any(r.urls for r in requests):
                fixable.add(finding.fingerprint)
            continue
        if finding.fingerprint in plan.holders and finding.line not in header_lines and not (
            finding.fingerprint in plan.soft_of and _definition(fix, lines, finding.line)
        ) and not _unread_deleted(text, structure, fix, definitions, finding):
            continue  # a parameter, struct field or unused variable holding the token: left to a person
        if rule.fix and rule.fix.get("action") == "remove-secret" and _definition_kept(text, structure, fix, definitions, finding):
            continue  # a class member or a definition nothing read: the definitions pass leaves it (manual step)
        if rule.fix and rule.fix.get("action"):
            fixable.add(finding.fingerprint)
    fixable |= _reads_of_converted_parse(findings, fixable, lines, fix.xml_parse)
    # a finding with no fix of its own that is the value of a fixable credential parameter on its line
    # (`authtoken=#{AUTH_TOKEN}`) goes with that parameter when the rewriter removes it
    for finding in findings:
        if finding.fingerprint not in fixable and _value_of_fixable(finding, findings, fixable, lines, rules):
            fixable.add(finding.fingerprint)
    return fixable


def _reads_of_converted_parse(findings: list[Finding], fixable: set[str], lines: list[str],
                              parse: re.Pattern[str] | None) -> set[str]:
    """XML reads of a reply whose parse is fixable (`root.iter("Item")` below `root = ET.fromstring(...)`): the
    replies pass rewrites the parse and its reads together, so a DOM-read finding on such a line goes with it."""
    if parse is None:
        return set()
    parsed: list[tuple[int, re.Pattern[str]]] = []
    for finding in findings:
        if finding.category != "xml-parsing" or finding.fingerprint not in fixable:
            continue
        m = parse.search(lines[finding.line - 1] if 0 < finding.line <= len(lines) else "")
        if m and "var" in m.re.groupindex and m.group("var"):
            parsed.append((finding.line, re.compile(rf"(?<![\w$.]){re.escape(m.group('var'))}\b")))
    out = set()
    for finding in findings:
        if finding.category != "xml-parsing" or finding.fingerprint in fixable:
            continue
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        # the nearest parse above the line decides (a later parse of the same name starts another reply)
        above = [(n, var) for n, var in parsed if n < finding.line]
        if above and max(above, key=lambda p: p[0])[1].search(line):
            out.add(finding.fingerprint)
    return out


VALUE_GAP = 24  # characters from a parameter's name to its value: `authtoken=#{`, `"authtoken": `, ...


def _value_of_fixable(finding: Finding, findings: list[Finding], fixable: set[str], lines: list[str],
                      rules: dict) -> bool:
    """Is `finding` (a rule without a fix) the value of a fixable `auth-param` finding just before it?"""
    rule = rules.get(finding.rule_id)
    if rule is None or (rule.fix or {}).get("action") or finding.category != "auth-param":
        return False
    line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
    for other in findings:
        if other.fingerprint not in fixable or other.line != finding.line or other.category != "auth-param":
            continue
        gap = line[other.column - 1 : finding.column - 1]
        if 0 < len(gap) <= VALUE_GAP and not re.search(r"[&,;()]", gap):
            return True
    return False


class _LazyStructure:
    """The file's Structure, parsed only when a secret's definition needs it."""

    def __init__(self, text: str, language: Language, fix) -> None:  # noqa: ANN001 - Idioms
        self._args = (text, language, fix)
        self._structure: Structure | None = None

    def get(self) -> Structure:
        if self._structure is None:
            self._structure = Structure(*self._args)
        return self._structure


DEFINITION_REACH = 30  # lines above a secret to look for the assignment holding it (a multi-line dict)


class _Definitions:
    """The assignment holding a finding's line, found once per line, with offsets from one line-start index (a
    sum of line lengths per finding was quadratic in a long file)."""

    def __init__(self, fix, lines: list[str]) -> None:  # noqa: ANN001 - Idioms
        self.fix = fix
        self.lines = lines
        self._starts: list[int] | None = None
        self._found: dict[int, tuple[int, int, str] | None] = {}

    def start_of(self, line: int) -> int:
        """Offset of 1-based `line` in the text the lines were split from (its length for the line past the end)."""
        if self._starts is None:
            self._starts = list(accumulate((len(x) + 1 for x in self.lines), initial=0))
        return self._starts[line - 1]

    def at(self, finding: Finding) -> tuple[int, int, str] | None:
        if finding.line not in self._found:
            self._found[finding.line] = _definition_at(self.fix, self.lines, finding.line, self.start_of)
        return self._found[finding.line]


def _definition_at(fix, lines: list[str], at: int, start_of: Callable[[int], int]) -> tuple[int, int, str] | None:  # noqa: ANN001
    """(start, end, name) of the assignment holding line `at` (that line, or one above it with a bracket still
    open: a multi-line dict), else None."""
    if fix.assignment is None:
        return None
    depth = 0
    for line in range(at, max(at - DEFINITION_REACH, 0), -1):
        line_text = lines[line - 1]
        if line != at:
            depth += sum(line_text.count(c) for c in "([{") - sum(line_text.count(c) for c in ")]}")
        m = fix.assignment.match(line_text)
        if m is not None and (line == at or depth > 0):
            return start_of(line) + m.start(), start_of(at + 1), m.group("name")
    return None


def _definition_kept(text: str, structure: _LazyStructure, fix, definitions: _Definitions, finding: Finding) -> bool:  # noqa: ANN001
    """Will the definitions pass keep the definition holding this secret (`definitions.kept_reason`)?"""
    found = definitions.at(finding)
    if found is None:
        return False
    start, end, name = found
    return kept_reason(structure.get(), text, start, end, name, bool(fix.raw.get("file_scope"))) is not None


def _unread_deleted(text: str, structure: _LazyStructure, fix, definitions: _Definitions, finding: Finding) -> bool:  # noqa: ANN001
    """A variable holding the token that nothing reads and nothing beyond the file can (a function's local, a
    Deluge script's variable, a plain private field): the definitions pass deletes it."""
    found = definitions.at(finding) if _definition(fix, definitions.lines, finding.line) else None
    if found is None:
        return False
    start, end, name = found
    if read_in(text, name) or structure.get().enclosing(start) == "top" and not fix.raw.get("file_scope"):
        return False
    return kept_reason(structure.get(), text, start, end, name, bool(fix.raw.get("file_scope"))) is None


def _definition(fix, lines: list[str], line: int) -> bool:  # noqa: ANN001 - Idioms
    """Is the line an assignment (a variable the rewriter deletes once no request uses it)?"""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return fix.assignment is not None and fix.assignment.match(text) is not None


def _config_fixable(text: str, language: Language, findings: list[Finding], ruleset: RuleSet, rules: dict) -> set[str]:
    """Config files: a legacy URL when the endpoint map gives its whole new URL (no `{placeholders}`, not a bare
    API prefix); keys and secrets unless the format is one the config-key pass does not edit
    (`fixes.common.requests.config_without_key_fix`)."""
    raw = (ruleset.data.get("fixes") or {}).get("common") or {}
    skip = set((raw.get("requests") or {}).get("config_without_key_fix") or ())
    lines = text.split("\n")
    fixable = set()
    for finding in findings:
        rule = rules.get(finding.rule_id)
        action = (rule.fix or {}).get("action") if rule is not None else None
        if not action:
            continue
        if action == "endpoint":
            line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
            urls = [m.group(0) for m in ZOHO_URL.finditer(line)]
            new = [ruleset.endpoints.match(u) for u in urls]
            if new and all(m is not None and m.oauth_url() and not re.search(r"\{\w+\}", m.oauth_url() or "") for m in new):
                fixable.add(finding.fingerprint)
        elif language.name not in skip:
            fixable.add(finding.fingerprint)
    return fixable
