"""The rewriter's linear-time versions give exactly what the straightforward (quadratic) versions gave.

Each reference below is the code as it was before it was made linear (bench/growth.py measures the speed; nothing
here is timed). They are compared on every fixture file and on texts built to hit the corner cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.passes import xmlreply
from migrate.rewrite.passes.endpoints import _constant_name, _usage_regex
from migrate.rewrite.textedit import History
from migrate.scan.languages import LanguageIndex
from tests.conftest import FIXTURES

FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 300_000)

TRICKY_BASES = [
    # the same name bound to two URLs, and a use of one name inside another's tail
    '$url = "https://invoice.zoho.com/api/";\n$u = $url . "items/";\n$url = "https://crm.zoho.com/crm/private/xml/";\n'
    '$x = $url . "Leads/getRecords";\nBASE = "https://invoice.zoho.com/api/"\ny = BASE + "x url . "\n'
    'z = url . "invoices/"\n',
    'B = "https://invoice.zoho.com/api/"\nB2 = "https://invoice.zoho.com/api/"\nf"{B}items/" + B2 + "invoices/" + B + "items/"\n',
    'const base = "https://crm.zoho.com/crm/private/xml/"; get(`${base}Leads/getRecords`); get(base + "Contacts/getRecords")',
]


def _old_families(ctx: FileContext) -> list:
    """xmlreply.families before it was linear: every URL re-scans the file for its constant's uses."""
    found: list = []
    for m in zoho_urls(ctx.history.original):
        url = m.group(0)
        resolved = ctx.match_url(url)
        tail = re.match(r"[\"'`]\s*(?:\+|\.)\s*[\"'`]([\w/]+)", ctx.history.original[m.end() : m.end() + 40])
        if resolved is not None and not resolved.family.response and tail:
            resolved = ctx.match_url(url.rstrip("/") + "/" + tail.group(1)) or resolved
        if resolved is not None and resolved.family.response and resolved.family not in found:
            found.append(resolved.family)
        name = _constant_name(ctx.history.original, m.start())
        if name:
            for usage in _usage_regex([name]).finditer(ctx.history.original):
                tail = usage.group("tail") if usage.group("tail") is not None else usage.group("tail2")
                joined = ctx.match_url(url.rstrip("/") + "/" + tail.lstrip("/"))
                if joined is not None and joined.family.response and joined.family not in found:
                    found.append(joined.family)
    return found


@pytest.fixture(scope="module")
def data(ruleset):
    return FixData(ruleset)


def _context(ruleset, data, text: str, language: str = "python") -> FileContext:
    lang = ruleset.languages[language]
    return FileContext("f", lang, data.language(language), data, ruleset, [], History(text))


def test_families_same_as_before_on_every_fixture(ruleset, data):
    compared = 0
    for path in FILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        if ".zoho" not in text.lower():
            continue
        ctx = _context(ruleset, data, text)
        assert xmlreply.families(ctx, text) == _old_families(_context(ruleset, data, text)), path
        compared += 1
    assert compared > 20, "the fixtures must hold Zoho URLs, or this comparison proves nothing"


@pytest.mark.parametrize("text", TRICKY_BASES)
def test_families_same_as_before_on_tricky_bases(ruleset, data, text):
    old = _old_families(_context(ruleset, data, text))
    assert old, "the text must resolve some family, or the comparison proves nothing"
    assert xmlreply.families(_context(ruleset, data, text), text) == old


def test_families_worked_out_once_per_file(ruleset, data, monkeypatch):
    """Every XML finding left to a person asks for the field map: the families behind it are computed once."""
    unit = (
        'function f{i}($t) {{\n    $url = "https://invoice.zoho.com/api/items/";\n'
        '    $r = file_get_contents($url . "?authtoken=" . $t . "&scope=invoiceapi");\n'
        "    $xml = simplexml_load_string($r);\n    return $xml->xpath('//Item');\n}}\n"
    )
    text = "<?php\n" + "".join(unit.format(i=i) for i in range(12))
    language = ruleset.languages["php"]
    findings = scan_text(ruleset, text, language, "f.php")
    calls = []
    original = xmlreply._families
    monkeypatch.setattr(xmlreply, "_families", lambda ctx: calls.append(1) or original(ctx))
    result = rewrite_text("f.php", text, language, findings, ruleset, data)
    xml_steps = [s for s in result.manual if s.rule_id.startswith("zoho.xml")]
    # one line each (a request left whole also gets its "not migrated" step beside the field map)
    assert {s.line for s in xml_steps} == {s.line for s in xml_steps if "field map" in s.text}
    assert {s.line for s in xml_steps} == {f.line for f in findings if f.category == "xml-parsing"}
    assert len(calls) == 1


def test_match_url_is_remembered(ruleset, data):
    ctx = _context(ruleset, data, "")
    first = ctx.match_url("https://invoice.zoho.com/api/items/")
    assert first is not None and ctx.match_url("https://invoice.zoho.com/api/items/") is first


def _old_taint(
    text: str, ctx: FileContext
) -> tuple[dict[str, set[int]], dict[str, list[int]], dict[tuple[str, int], set[int]]]:
    """headers._taint before it was linear: every definition searched for every tainted name with its own regex.
    (Since heldout8, a use takes the sites of the name's definitions within NEAR before it, not all of the name's.)"""
    from migrate.rewrite.passes.headers import MAX_TAINT_ROUNDS, NEAR, _sites_in
    from migrate.rewrite.syntax import at_statement_start, statement_extent

    def mentions(body: str, name: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body) is not None

    assignment = ctx.fixes.assignment if ctx.fixes else None
    names: dict[str, set[int]] = {}
    where: dict[str, list[int]] = {}
    per: dict[tuple[str, int], set[int]] = {}
    for index, name in ctx.site_receivers.items():
        names.setdefault(name, set()).add(ctx.auth_sites[index])
        if ctx.auth_sites[index] not in where.get(name, []):
            where.setdefault(name, []).append(ctx.auth_sites[index])
        per.setdefault((name, ctx.auth_sites[index]), set()).add(ctx.auth_sites[index])
    if assignment is None:
        return names, where, per
    definitions = []
    for m in assignment.finditer(text):
        if at_statement_start(text, m.start()):
            span = statement_extent(text, m.start())
            definitions.append((m.group("name"), span.start, span.end))
    sorted_sites = sorted(ctx.auth_sites)
    for _ in range(MAX_TAINT_ROUNDS):
        changed = False
        for name, start, end in definitions:
            sites = _sites_in(sorted_sites, [(start, end)])
            body = text[start:end]
            for other in list(names):
                if other != name and mentions(body, other):
                    for d in where.get(other, ()):
                        if 0 <= start - d <= NEAR:
                            sites |= per[(other, d)]
            if not sites:
                continue
            if not sites <= names.get(name, set()):
                names[name] = names.get(name, set()) | sites
                changed = True
            if not sites <= per.get((name, start), set()):
                if start not in where.get(name, []):
                    where.setdefault(name, []).append(start)
                per.setdefault((name, start), set()).update(sites)
                changed = True
        if not changed:
            break
    return names, where, per


def _old_definition_text(text: str, ctx: FileContext, name: str) -> str:
    from migrate.rewrite.syntax import statement_extent

    assignment = ctx.fixes.assignment if ctx.fixes else None
    for m in assignment.finditer(text) if assignment else ():
        if m.group("name") == name:
            span = statement_extent(text, m.start())
            return text[span.start : span.end]
    return ""


def _legacy_texts() -> list[tuple[str, str]]:
    """(file name, text) of every fixture source file, plus generated ones with many tainted names."""
    import sys

    from tests.conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import growth
    finally:
        sys.path.remove(str(REPO / "bench"))
    texts = [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in FILES if p.suffix in SOURCE_SUFFIXES]
    for shape, (name, generate) in growth.SHAPES.items():
        texts.append((name, generate(7 if "line" in shape or "minified" in shape else 24)))
    texts.append(("dollar.js", 'const $u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t;\n'
                  "const $$u = 1;\nconst a$u = $u + '&x=1';\nfetch($u);\nfetch(a$u, {method: 'GET'});\n"))
    return texts


SOURCE_SUFFIXES = {".py", ".php", ".js", ".ts", ".rb", ".java", ".go", ".cs", ".sh", ".ds", ".dg"}


def test_taint_and_definitions_same_as_before(ruleset, data, monkeypatch):
    """Rewrite every fixture and generated file; at each call, the new taint and definitions equal the old ones."""
    from migrate.rewrite.passes import headers

    new_taint, new_definition = headers._taint, headers.definition_text
    checked = {"taint": 0, "definitions": 0}

    def taint_both(text, ctx):
        names, reaching = new_taint(text, ctx)
        old_names, old_where, old_per = _old_taint(text, ctx)
        assert names == old_names
        assert reaching.where == {name: sorted(starts) for name, starts in old_where.items()}
        assert reaching.sites == old_per
        checked["taint"] += bool(names)
        return names, reaching

    def definition_both(text, ctx, name):
        found = new_definition(text, ctx, name)
        assert found == _old_definition_text(text, ctx, name)
        checked["definitions"] += bool(found)
        return found

    monkeypatch.setattr(headers, "_taint", taint_both)
    monkeypatch.setattr(headers, "definition_text", definition_both)
    languages = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    for name, text in _legacy_texts():
        language = languages.detect(Path(name), text.encode()[:256])
        if language is None:
            continue
        findings = scan_text(ruleset, text, language, name)
        if findings:
            rewrite_text(name, text, language, findings, ruleset, data)
    assert checked["taint"] > 20 and checked["definitions"] > 20, checked


def test_lines_before_same_as_before():
    from migrate.rewrite.passes.headers import _lines_before

    def old(text: str, start: int, names: list[str]) -> str:
        begin = start
        for _ in range(20):
            begin = text.rfind("\n", 0, max(begin - 1, 0)) + 1
            if begin == 0:
                break
        lines = text[begin:start].split("\n")
        return "\n".join(line for line in lines if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", line) for n in names))

    text = "q = {}\nq.Set('organization_id', org)\n$u = 1\na$u = 2\n$$u = 3\nurl_2 = url\nurls = 1\nreq(q, url)\n"
    start = text.index("req(")
    for names in (["q"], ["url"], ["$u"], ["u"], ["url", "$u", "q"], []):
        assert _lines_before(text, start, names) == old(text, start, names), names


def test_one_line_of_many_calls_is_judged_once(ruleset, data, monkeypatch):
    """A minified line holding n requests is one statement: the headers pass looks at its words once, not n times."""
    from migrate.rewrite.passes import headers

    url = "https://crm.zoho.com/crm/private/json/Leads/getRecords?scope=crmapi&authtoken="
    text = " ".join(f'fetch("{url}" + t + "&i={i}");' for i in range(30)) + "\n"
    language = ruleset.languages["javascript"]
    findings = scan_text(ruleset, text, language, "bundle.js")
    calls = []
    original = headers._mentioned
    monkeypatch.setattr(headers, "_mentioned", lambda *args: calls.append(1) or original(*args))
    result = rewrite_text("bundle.js", text, language, findings, ruleset, data)
    assert result.manual  # the one decision for the line (the header, or the request left whole)
    assert len(calls) <= 1
