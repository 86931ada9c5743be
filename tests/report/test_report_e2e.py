"""End to end as a team runs it: scan, verify the legacy calls against the Zoho emulator (real HTTP on 127.0.0.1),
then the review report with the verify results; no secret (neither the code's nor the emulator's) in the report."""

from __future__ import annotations

import os
import shutil

from lxml import html as lxml_html

from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"


def test_scan_verify_report(emulator, tmp_path):
    project = tmp_path / "legacy-invoice-py"
    shutil.copytree(PROJECT, project)
    creds = emulator.credentials
    env = {**os.environ, **creds.as_env()}
    scan_json = tmp_path / "scan.json"
    assert run_cli("scan", str(project), "--format", "json", "-o", str(scan_json)).returncode == 1
    verify_json = tmp_path / "verify.json"
    proc = run_cli(
        "verify", "--from-scan", str(scan_json), "--legacy-base", emulator.base_url, "--oauth-base", emulator.base_url,
        "--accounts-url", emulator.base_url, "--format", "json", "--output", str(verify_json),
        "--store", f"sqlite:{tmp_path / 'tokens.db'}", env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "report.html"
    proc = run_cli("report", str(project), "-o", str(out), "--verify-results", str(verify_json), env=env)
    assert proc.returncode == 0, proc.stderr
    raw = out.read_text()
    for secret in (creds.authtoken, creds.apikey, creds.client_secret, creds.refresh_token, creds.access_token,
                   "0f1e2d3c4b5a69788796a5b4c3d2e1f0"):  # fmt: skip
        assert secret not in raw
    doc = lxml_html.fromstring(raw)
    rows = doc.xpath('//section[@id="verification"]//tbody/tr')
    assert len(rows) >= 2
    assert {row.xpath("./td")[1].text_content().strip() for row in rows} == {"match"}
    assert doc.xpath('//section[@id="changes"]//article')  # the rewrite's diff
    assert doc.xpath('//section[@id="revoke"]')
