"""`zoho_urls` (literal search, then expand) finds exactly what `ZOHO_URL.finditer` finds, ten times faster."""

from __future__ import annotations

import pytest

from migrate.rewrite.context import ZOHO_URL, zoho_urls
from tests.conftest import FIXTURES

TRICKY = [
    "xhttps://crm.zoho.com/a.zoho.b",
    "www.crm.zoho.com/x and crm.zoho.com",
    "HTTPS://Invoice.ZOHO.eu/api/items/",
    "http://.zoho.com a.zoho.com -crm.zoho.com _crm.zoho.com écrm.zoho.com",
    "crm.zoho.com.zoho.eu https://crm.zohocloud.ca/crm/private/json/Leads/getRecords",
    "nothttp://crm.zoho.com https://https://crm.zoho.com",
    'BASE = "https://invoice.zoho.com/api/" + "items/"; u = `${host}.zoho.com`',
]
FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 300_000)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts(text):
    assert [m.span() for m in zoho_urls(text)] == [m.span() for m in ZOHO_URL.finditer(text)]


def test_every_fixture_file_and_window():
    for path in FILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert [m.span() for m in zoho_urls(text)] == [m.span() for m in ZOHO_URL.finditer(text)], path
        middle = len(text) // 3
        assert [m.span() for m in zoho_urls(text, 5, middle)] == [
            m.span() for m in ZOHO_URL.finditer(text, 5, middle)
        ], path
