"""`zoho-migrate rules test DIR` and `--rules DIR` with a user's own rule folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

GOOD = """rules:
  - id: acme.legacy-wrapper
    category: sdk-usage
    severity: warning
    languages: [python]
    message: Our in-house wrapper around the Zoho authtoken API; call v3 with the token helper instead.
    match:
      keywords: [acme_zoho]
      regex: '\\bimport\\s+acme_zoho\\b'
    examples:
      flag: ['import acme_zoho']
      ok: ['import acme_zoho_v3_oauth']
"""


def test_rules_test_passes_on_a_good_user_rule(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(GOOD)
    proc = run_cli("rules", "test", str(tmp_path / "rules"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_rules_test_fails_on_a_wrong_example(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(GOOD.replace("ok: ['import acme_zoho_v3_oauth']", "ok: ['import acme_zoho']"))
    proc = run_cli("rules", "test", str(tmp_path / "rules"))
    assert proc.returncode == 1
    assert "FAIL acme.legacy-wrapper [ok] flagged but should not be: import acme_zoho" in proc.stdout


def test_user_rule_is_applied_by_scan(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(GOOD)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("import os\nimport acme_zoho\n")
    proc = run_cli("scan", str(tmp_path / "src"), "--rules", str(tmp_path / "rules"), "--format", "json", "--no-progress")
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule_id"], f["line"], f["category"]) for f in findings] == [("acme.legacy-wrapper", 2, "sdk-usage")]


def test_user_rule_can_replace_a_builtin_rule_by_id(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "quiet.yaml").write_text(
        "rules:\n  - id: zoho.xml-parsing.python\n    category: xml-parsing\n    severity: info\n"
        "    languages: [python]\n    message: XML parsing (downgraded by us).\n"
        "    match: {keywords: [fromstring], regex: 'ET\\.fromstring\\(', context: zoho-legacy-xml}\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("import xml.etree.ElementTree as ET\nET.fromstring(r)  # invoice.zoho.com/api/items/\n")
    proc = run_cli("scan", str(tmp_path / "src"), "--rules", str(tmp_path / "rules"), "--format", "json", "--no-progress")
    assert proc.returncode == 0  # info is below the default --fail-on warning
    assert {f["severity"] for f in json.loads(proc.stdout)["findings"]} == {"info"}
