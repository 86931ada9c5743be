"""The scan's outside contract (DESIGN.md): JSON shape and types, exit codes, fingerprints that survive moved
lines, inline suppression, masked secrets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.scan.helpers import match

TOKEN = "5f0c3a9e1b2d4c6e8f0a1b3c5d7e9f01"
LEGACY = f'''import requests
from lxml import etree

AUTH = "{TOKEN}"


def items():
    r = requests.get("https://invoice.zoho.com/api/items/", params={{"authtoken": AUTH, "scope": "invoiceapi"}})
    return etree.fromstring(r.content)
'''
TYPES = {
    "rule_id": str, "severity": str, "category": str, "path": str, "line": int, "column": int, "end_line": int,
    "end_column": int, "message": str, "snippet": str, "fixable": bool, "fingerprint": str, "scopes": list,
}
CATEGORIES = {"auth-param", "auth-header", "auth-generation", "legacy-endpoint", "hardcoded-secret", "xml-parsing",
              "legacy-reply",
              "legacy-config", "sdk-usage"}


def scan(root: Path, *extra: str):
    return run_cli("scan", str(root), "--format", "json", "--no-progress", *extra)


def test_json_contract(tmp_path):
    (tmp_path / "sync.py").write_text(LEGACY)
    proc = scan(tmp_path)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert set(data) >= {"version", "findings", "stats", "errors"} and data["version"] == 1
    assert {"files_scanned", "files_skipped", "seconds"} <= set(data["stats"])
    assert isinstance(data["errors"], list)
    assert data["findings"]
    for finding in data["findings"]:
        for key, kind in TYPES.items():
            assert isinstance(finding[key], kind), (key, finding)
        assert finding["product"] is None or isinstance(finding["product"], str)
        assert finding["severity"] in ("info", "warning", "error", "critical")
        assert finding["category"] in CATEGORIES
        assert finding["path"] == "sync.py"
        assert 1 <= finding["line"] <= finding["end_line"] and finding["column"] >= 1
        assert TOKEN not in finding["snippet"]
    assert TOKEN not in proc.stdout + proc.stderr
    lines = {(f["line"], f["category"]) for f in data["findings"]}
    assert {(4, "hardcoded-secret"), (8, "legacy-endpoint"), (8, "auth-param"), (9, "xml-parsing")} <= lines
    endpoint = next(f for f in data["findings"] if f["category"] == "legacy-endpoint")
    assert endpoint["product"] == "invoice" and endpoint["scopes"] == ["ZohoInvoice.settings.READ"]
    # deterministic order: by path, line, column, rule
    keys = [(f["path"], f["line"], f["column"], f["rule_id"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_exit_codes(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "app.py").write_text('h = {"Authorization": f"Zoho-oauthtoken {t}"}\n')
    assert scan(clean).returncode == 0
    docs_only = tmp_path / "docs"
    docs_only.mkdir()
    (docs_only / "README.md").write_text("Old: https://invoice.zoho.com/api/items/?authtoken=T\n")
    assert scan(docs_only).returncode == 0  # info is below the default --fail-on warning
    assert scan(docs_only, "--fail-on", "info").returncode == 1
    xml_only = tmp_path / "xml"
    xml_only.mkdir()
    (xml_only / "a.py").write_text("import xml.etree.ElementTree as ET\nET.fromstring(r)  # invoice.zoho.com/api/items/\n")
    assert scan(xml_only, "--fail-on", "error").returncode == 0
    assert scan(xml_only).returncode == 1
    assert scan(tmp_path / "nope").returncode == 2
    assert run_cli("scan", str(clean), "--fail-on", "loud").returncode == 2


def test_fingerprints_survive_moved_lines(tmp_path):
    before = match(LEGACY, "python", "sync.py")
    moved = "\n\n# a comment added on top\nimport os\n\n" + LEGACY.replace("\n\ndef items", "\n\nX = 1\n\ndef items")
    after = match(moved, "python", "sync.py")
    assert {f.fingerprint for f in before} == {f.fingerprint for f in after}
    assert [f.line for f in before] != [f.line for f in after]
    # the same line twice gets two fingerprints; another file gets others
    twice = match(LEGACY + LEGACY, "python", "sync.py")
    assert len({f.fingerprint for f in twice}) == len(twice)
    assert not {f.fingerprint for f in before} & {f.fingerprint for f in match(LEGACY, "python", "other.py")}


def test_inline_suppression(tmp_path):
    code = (
        'u = "https://invoice.zoho.com/api/items/"  # zoho-migrate: ignore\n'
        "# zoho-migrate: ignore[zoho.legacy-endpoint]\n"
        'v = "https://invoice.zoho.com/api/customers/"\n'
        'w = "https://invoice.zoho.com/api/invoices/?authtoken=" + t  # zoho-migrate: ignore[zoho.legacy-endpoint]\n'
    )
    (tmp_path / "a.py").write_text(code)
    data = json.loads(scan(tmp_path).stdout)
    assert {(f["line"], f["rule_id"]) for f in data["findings"]} == {(4, "zoho.auth-param.authtoken")}
    assert data["stats"]["suppressed"] == 3


def test_a_scheme_less_authorization_token_is_masked(tmp_path):
    """The bare-authtoken rule reports a literal token given as the `Authorization` value; its snippet (text and
    JSON) shows it masked, whatever its alphabet (a 32-hex token was masked already; this one is not hex)."""
    token = "cb3ba8197c840d0d61f2398cdbEXAMPLE"
    (tmp_path / "credentials.js").write_text(
        f"const ZohoApi = {{\n  Authorization: '{token}',\n  host: 'https://desk.zoho.com/api/v1/'\n}};\n"
    )
    data = json.loads(scan(tmp_path).stdout)
    assert any(f["rule_id"] == "zoho.auth-header.bare-authtoken" for f in data["findings"])
    text = run_cli("scan", str(tmp_path), "--no-progress")
    assert token not in json.dumps(data) and token not in text.stdout + text.stderr


def test_a_non_hex_token_defined_for_a_bare_authorization_header_is_masked(tmp_path):
    """sent-credential reports `String auth_token="...";` when the file sends it as a bare `Authorization` value; the
    snippet shows the token masked, though it is neither hex nor under a name spelled `authtoken`."""
    token = "SKJDBVDBVOIEWEXAMPLETOKEN"
    (tmp_path / "Upload.java").write_text(
        "// desk.zoho.com/api/v1/tickets\nclass Upload {\n"
        f'  void run() {{\n    String auth_token="{token}";\n    req.setHeader("Authorization",auth_token);\n  }}\n}}\n'
    )
    data = json.loads(scan(tmp_path).stdout)
    assert any(f["rule_id"] == "zoho.auth-param.sent-credential" for f in data["findings"])
    text = run_cli("scan", str(tmp_path), "--no-progress")
    assert token not in json.dumps(data) and token not in text.stdout + text.stderr
