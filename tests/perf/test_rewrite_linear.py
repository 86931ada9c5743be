"""The rewriter's linear-time versions give exactly what the straightforward (quadratic) versions gave.

Each reference below is the code as it was before it was made linear (bench/growth.py measures the speed; nothing
here is timed). They are compared on every fixture file and on texts built to hit the corner cases.
"""

from __future__ import annotations

import re

import pytest

from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.passes import xmlreply
from migrate.rewrite.passes.endpoints import _constant_name, _usage_regex
from migrate.rewrite.textedit import History
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
    assert len(xml_steps) == 12 and all("field map" in s.text for s in xml_steps)
    assert len(calls) == 1


def test_match_url_is_remembered(ruleset, data):
    ctx = _context(ruleset, data, "")
    first = ctx.match_url("https://invoice.zoho.com/api/items/")
    assert first is not None and ctx.match_url("https://invoice.zoho.com/api/items/") is first
