"""`zoho-migrate scan` as a user runs it: JSON contract, exit codes, masking, on real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"
FINDING_KEYS = {
    "rule_id", "severity", "category", "path", "line", "column", "end_line", "end_column", "message", "snippet",
    "fixable", "fingerprint", "product", "scopes",
}


def test_json_contract_and_exit_code():
    proc = run_cli("scan", str(PROJECT), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert set(data["stats"]) >= {"files_scanned", "files_skipped", "seconds"}
    assert data["stats"]["files_scanned"] == 2
    assert data["errors"] == []
    for finding in data["findings"]:
        assert set(finding) >= FINDING_KEYS
        assert finding["severity"] in ("info", "warning", "error", "critical")
        assert not finding["path"].startswith("/") and "\\" not in finding["path"]
        assert finding["line"] >= 1 and finding["column"] >= 1
    lines = {(f["path"], f["line"]) for f in data["findings"]}
    assert ("invoice_sync.py", 8) in lines  # hardcoded authtoken
    assert ("invoice_sync.py", 19) in lines  # ET.fromstring of the XML reply
    assert ("settings.env.example", 2) in lines  # config template key


def test_secret_never_printed_in_full():
    secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    for fmt in ("json", "text"):
        proc = run_cli("scan", str(PROJECT), "--format", fmt)
        assert secret not in proc.stdout + proc.stderr
        assert "0f1e…e1f0" in proc.stdout


def test_clean_tree_exits_zero(tmp_path: Path):
    (tmp_path / "app.py").write_text('headers = {"Authorization": f"Zoho-oauthtoken {tok}"}\n')
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []


def test_fail_on_threshold(tmp_path: Path):
    (tmp_path / "a.py").write_text('import xml.etree.ElementTree as ET\nET.fromstring(r)  # invoice.zoho.com/api/items/\n')
    assert run_cli("scan", str(tmp_path), "--fail-on", "error").returncode == 0
    assert run_cli("scan", str(tmp_path), "--fail-on", "warning").returncode == 1


def test_usage_errors_exit_two(tmp_path: Path):
    proc = run_cli("scan", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "missing" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert run_cli("scan", "--format", "nope").returncode == 2


def test_file_argument_keeps_path_as_given():
    proc = run_cli("scan", str(PROJECT / "invoice_sync.py"), "--format", "json")
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {(PROJECT / "invoice_sync.py").as_posix()}


def test_scopes_command():
    proc = run_cli("scopes", str(PROJECT))
    assert proc.returncode == 0
    assert set(proc.stdout.split()) == {"ZohoInvoice.settings.READ", "ZohoInvoice.invoices.READ"}
