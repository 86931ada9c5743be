"""A v3 base constant joined to a path only the legacy API had is still a legacy call (half-migrated code)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

SOURCE = '''import requests
BASE = "https://www.zohoapis.eu/invoice/v3/"

def update(form):
    return requests.post(BASE + "items/update?" + form)

def listed(org):
    return requests.get(BASE + "items?organization_id=" + org)

def customers():
    return requests.get(f"{BASE}customers/")

def emailed(invoice_id):
    return requests.post(BASE + "invoices/" + invoice_id + "/email")
'''


def test_legacy_only_paths_under_a_v3_base_are_flagged(tmp_path: Path):
    (tmp_path / "client.py").write_text(SOURCE)
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    findings = json.loads(proc.stdout)["findings"]
    flagged = {f["line"]: f for f in findings}
    assert set(flagged) == {5, 11}, findings  # items/update and customers exist only in the legacy API
    assert flagged[5]["scopes"] == ["ZohoInvoice.settings.UPDATE"]
    assert flagged[11]["product"] == "invoice"
