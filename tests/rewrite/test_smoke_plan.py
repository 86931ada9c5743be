"""The plan API other stages build on: plan_rewrite and fixable_fingerprints on a small legacy file."""

from __future__ import annotations

from pathlib import Path

from migrate.requests.fixable import fixable_fingerprints
from migrate.rewrite.engine import scan_text
from migrate.rewrite.plan import plan_rewrite

LEGACY = '''import requests

TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def items():
    return requests.get("https://invoice.zoho.eu/api/items/", params={"authtoken": TOKEN, "scope": "invoiceapi"})
'''


def test_plan_rewrites_and_masks(tmp_path: Path, ruleset) -> None:
    (tmp_path / "sync.py").write_text(LEGACY)
    plan = plan_rewrite([tmp_path], ruleset)
    masked = plan.diff()
    exact = plan.diff(masked=False)
    assert "https://www.zohoapis.eu/invoice/v3/items" in exact
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" in exact
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" not in masked and "0f1e…e1f0" in masked
    assert "https://accounts.zoho.eu" in exact  # the helper refreshes on the file's data center
    assert plan.to_json()["summary"]["files_created"] == 1


def test_fixable_fingerprints_are_the_changed_findings(ruleset) -> None:
    language = ruleset.languages["python"]
    findings = scan_text(ruleset, LEGACY, language, "sync.py")
    fixable = fixable_fingerprints(LEGACY, language, findings, ruleset)
    assert fixable == {f.fingerprint for f in findings}
