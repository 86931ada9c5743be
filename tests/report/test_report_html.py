"""`zoho-migrate report`: one self-contained HTML file (or Markdown) holding every finding and no secret value."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from migrate.report.inputs import Proposal, split_diff
from migrate.report.model import build_report
from migrate.report.render import Renderer
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import run_cli

AUTHTOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ENV_TOKEN = "0123456789abcdef0123456789abcdef"
PASSWORD = "Sup3rS3cret!2021"
REFRESH = "1000." + "ab" * 16 + "." + "cd" * 16
SECRETS = (AUTHTOKEN, ENV_TOKEN, PASSWORD, REFRESH)

PYTHON = f'''"""Nightly sync (legacy)."""
import xml.etree.ElementTree as ET

import requests

ZOHO_AUTHTOKEN = "{AUTHTOKEN}"
BASE = "https://invoice.zoho.eu/api/"


def items():
    reply = requests.get(BASE + "items/", params={{"authtoken": ZOHO_AUTHTOKEN, "scope": "invoiceapi"}})
    return ET.fromstring(reply.content)
'''
SHELL = f'''#!/bin/sh
# fetch a new token for the CRM export
curl "https://accounts.zoho.eu/apiauthtoken/nb/create?SCOPE=ZohoCRM/crmapi&EMAIL_ID=ops@example.com&PASSWORD={PASSWORD}"
curl "https://crm.zoho.eu/crm/private/json/Leads/getRecords?authtoken=$TOKEN&scope=crmapi"
'''
JS = f'''// zoho books client (half migrated)
const REFRESH_TOKEN = "{REFRESH}";
fetch("https://books.zoho.eu/api/v3/invoices?organization_id=1&authtoken=" + token);
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "billing-sync"
    (root / "scripts").mkdir(parents=True)
    (root / "web").mkdir()
    (root / "sync.py").write_text(PYTHON)
    (root / "scripts" / "export.sh").write_text(SHELL)
    (root / "web" / "books.js").write_text(JS)
    (root / ".env").write_text(f"ZOHO_AUTHTOKEN={ENV_TOKEN}  # zoho\n")
    (root / ".gitignore").write_text(".env\n")
    return root


def _scan_json(path: Path) -> list[dict]:
    return json.loads(run_cli("scan", str(path), "--format", "json").stdout)["findings"]


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret {secret[:4]}… leaked into the report"


def test_html_report_contains_each_finding_and_no_secret(project, tmp_path):
    out = tmp_path / "report.html"
    proc = run_cli("report", str(project), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "report written" in proc.stderr and proc.stdout == ""
    raw = out.read_text(encoding="utf-8")
    _no_secrets(raw)
    doc = lxml_html.fromstring(raw)
    _no_secrets(doc.text_content())

    expected = {(f["path"], f["rule_id"], f["line"], f["column"]) for f in _scan_json(project)}
    assert len(expected) >= 10
    shown = set()
    for article in doc.xpath('//section[@id="findings"]//article[contains(@class, "file")]'):
        path = article.xpath('.//span[@class="path"]')[0].text_content()
        for finding in article.xpath('.//div[contains(@class, "finding")]'):
            rule = finding.xpath('.//div[@class="fhead"]/code')[0].text_content()
            line, column = finding.xpath('.//span[@class="pos"]')[0].text_content().split()[1].split(":")
            shown.add((path, rule, int(line), int(column)))
            assert finding.xpath('.//div[contains(@class, "hl")]'), "code context missing"
    assert shown == expected


def test_html_is_self_contained_and_printable(project, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", str(project), "-o", str(out))
    doc = lxml_html.fromstring(out.read_bytes())
    assert doc.xpath("//script") == []
    assert doc.xpath("//link") == [] and doc.xpath("//img") == [] and doc.xpath("//iframe") == []
    assert all(href.startswith("#") for href in doc.xpath("//a/@href"))
    style = "".join(doc.xpath("//style/text()"))
    assert "@media print" in style and "url(" not in style and "@import" not in style
    assert doc.xpath("//*[@src]") == []


def test_summary_revoke_oauth_and_manual_sections(project, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", str(project), "-o", str(out))
    doc = lxml_html.fromstring(out.read_bytes())
    findings = _scan_json(project)

    def table(heading):
        rows = doc.xpath(f'//section[@id="summary"]//table[thead/tr/th[text()="{heading}"]]/tbody/tr')
        return {row.xpath("./td")[0].text_content().strip(): int(row.xpath("./td")[1].text_content()) for row in rows}

    assert table("By severity") == {s: sum(f["severity"] == s for f in findings) for s in {f["severity"] for f in findings}}
    assert table("By category") == {c: sum(f["category"] == c for f in findings) for c in {f["category"] for f in findings}}
    assert sum(table("By product").values()) == len(findings)

    revoke = doc.xpath('//section[@id="revoke"]')[0].text_content()
    assert "sync.py:6" in revoke and "0f1e…e1f0" in revoke
    assert "scripts/export.sh:3" in revoke  # the literal password
    assert ".env:1" in revoke and "git-ignored" in revoke
    assert "accounts.zoho.eu" in revoke  # revoke at the code's data center
    assert "does not remove it from git history" in revoke

    oauth = doc.xpath('//section[@id="oauth"]')[0].text_content()
    assert "EU" in oauth and "https://accounts.zoho.eu" in oauth and "https://www.zohoapis.eu" in oauth
    assert "ZohoInvoice.settings.READ" in oauth
    assert "zoho-migrate auth login --dc eu --scope" in oauth

    steps = doc.xpath('//section[@id="manual"]//ol/li')
    assert steps and any("export.sh" in li.text_content() for li in steps)


def test_proposed_diff_is_highlighted(project, ruleset):
    result = scan_paths([project], ruleset, ScanOptions(jobs=1))
    diff = (
        "--- a/sync.py\n+++ b/sync.py\n@@ -6,2 +6,2 @@\n"
        f'-ZOHO_AUTHTOKEN = "{AUTHTOKEN}"\n+from zoho_auth import authorization\n'
        " BASE = 1\n"
    )
    proposal = Proposal(diffs=split_diff(diff), available=True)
    report = build_report(result, ruleset, proposal=proposal)
    text = Renderer(ruleset).html(report)
    _no_secrets(text)  # masked even though the diff handed in was not
    section = lxml_html.fromstring(text).xpath('//section[@id="changes"]')[0]
    assert section.xpath('.//article/h3')[0].text_content() == "sync.py"
    assert section.xpath('.//span[@class="gd"]') and section.xpath('.//span[@class="gi"]')
    assert "from zoho_auth import authorization" in section.text_content()


def test_split_diff_by_file():
    diff = (
        "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
        "--- /dev/null\n+++ b/helpers/zoho_auth.py\n@@ -0,0 +1 @@\n+x\n"
        "--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-y\n"
    )
    assert [p for p, _ in split_diff(diff)] == ["x.py", "helpers/zoho_auth.py", "gone.py"]
    assert split_diff(diff)[1][1].endswith("+x\n")


def test_report_includes_the_rewrite_plan(project, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", str(project), "-o", str(out))
    section = lxml_html.fromstring(out.read_bytes()).xpath('//section[@id="changes"]')[0]
    assert section.xpath(".//article//span[@class='gi']"), section.text_content()[:500]
    _no_secrets(out.read_text())


def test_verification_results(project, tmp_path):
    results = {
        "version": 1,
        "results": [
            {"id": "list-items", "status": "match", "differences": [], "additions": ["item_type"],
             "not_compared": [], "legacy_status": 200, "oauth_status": 200, "message": ""},
            {"id": "get-invoice", "status": "mismatch",
             "differences": [{"path": "invoices[0].total", "legacy": 120.5, "oauth": 121.5}],
             "additions": [], "not_compared": ["PONumber"], "legacy_status": 200, "oauth_status": 200,
             "message": "1 field differs"},
            {"id": "create-item", "status": "skipped", "differences": [], "additions": [], "not_compared": [],
             "legacy_status": 0, "oauth_status": 0, "message": "not a read; pass --allow-writes"},
        ],
        "summary": {"match": 1, "mismatch": 1, "error": 0, "skipped": 1},
    }  # fmt: skip
    verify = tmp_path / "verify.json"
    verify.write_text(json.dumps(results))
    out = tmp_path / "r.html"
    assert run_cli("report", str(project), "-o", str(out), "--verify-results", str(verify)).returncode == 0
    section = lxml_html.fromstring(out.read_bytes()).xpath('//section[@id="verification"]')[0]
    rows = section.xpath(".//tbody/tr")
    assert [r.xpath("./td")[1].text_content().strip() for r in rows] == ["match", "mismatch", "skipped"]
    assert "invoices[0].total: 120.5 → 121.5" in section.text_content()
    assert "not compared: PONumber" in section.text_content()

    verify.write_text('{"results": [{"id": "x", "status": "maybe"}]}')
    proc = run_cli("report", str(project), "-o", str(out), "--verify-results", str(verify))
    assert proc.returncode == 2 and "verify.json" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_markdown_report(project, tmp_path):
    out = tmp_path / "review.md"  # the suffix picks the format
    assert run_cli("report", str(project), "-o", str(out)).returncode == 0
    text = out.read_text()
    _no_secrets(text)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    doc = lxml_html.fromstring(f"<div>{rendered}</div>")
    assert len(doc.xpath("//table")) >= 5
    cells = " ".join(td.text_content() for td in doc.xpath("//td"))
    for f in _scan_json(project):
        assert f["rule_id"] in cells
    assert doc.xpath("//h2[contains(text(), 'Revoke what leaked')]")
    stdout = run_cli("report", str(project), "-o", "-", "--format", "markdown")
    assert stdout.stdout.splitlines()[1].startswith("# Zoho OAuth migration review")


def test_report_in_the_scanned_tree_is_not_scanned_again(project):
    first = run_cli("report", ".", "-o", "review/report.html", cwd=project)
    assert first.returncode == 0, first.stderr
    second = run_cli("report", ".", "-o", "review/report.html", cwd=project)
    assert second.stderr.split("):", 1)[1] == first.stderr.split("):", 1)[1]


def test_history_leaks_in_the_report(project, tmp_path):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip
    old = "feedfacefeedfacefeedfacefeedface"
    (project / "old_config.py").write_text(f'zoho_token = "{old}"\n')
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True)
    (project / "old_config.py").unlink()
    subprocess.run(["git", "commit", "-qam", "remove"], cwd=project, env=env, check=True)
    out = tmp_path / "r.html"
    assert run_cli("report", str(project), "-o", str(out), "--history").returncode == 0
    raw = out.read_text()
    assert old not in raw and "feed…face" in raw
    doc = lxml_html.fromstring(raw)
    history = doc.xpath('//div[@class="history"]')[0].text_content()
    assert "old_config.py:1" in history and "in commit" in history
    # sync.py's authtoken and export.sh's password were committed too, but are listed as current leaks already
    assert "old_config.py" in history and "sync.py" not in history and "export.sh" not in history
    assert "Git history searched: 1 more credential found only in past commits" in " ".join(
        doc.xpath('//section[@id="summary"]')[0].text_content().split()
    )


def test_usage_errors(project, tmp_path):
    assert run_cli("report", str(project)).returncode == 2  # -o is required
    proc = run_cli("report", str(tmp_path / "missing"), "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and "missing" in proc.stderr


def test_minified_lines_are_cut_and_masked(tmp_path, ruleset):
    secret = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
    line = "var a=1;" * 4000 + f'zoho.authtoken="{secret}";fetch("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken="+t);' + "b();" * 5000
    (tmp_path / "bundle.min.js").write_text(line + "\n")
    result = scan_paths([tmp_path], ruleset, ScanOptions(jobs=1))
    assert result.findings
    report = build_report(result, ruleset, proposal=Proposal(note="none"))
    shown = report.files[0].findings[0].context.lines[0]
    assert len(shown) < 400 and "more characters]" in shown and "characters] " in shown
    text = Renderer(ruleset).html(report)
    assert secret not in text and len(text) < 200_000


def test_a_failing_rewrite_stage_becomes_a_note(project, ruleset, monkeypatch):
    from migrate.report import inputs
    from migrate.rewrite import plan as rewrite_plan

    def broken(paths, rs, options=None):
        raise RuntimeError(f"template exploded near authtoken={AUTHTOKEN}")

    monkeypatch.setattr(rewrite_plan, "plan_rewrite", broken)
    proposal = inputs.proposal([project], ruleset)
    assert not proposal.available and "rewrite stage failed" in proposal.note
    assert AUTHTOKEN not in proposal.note  # the error text is masked too
    result = scan_paths([project], ruleset, ScanOptions(jobs=1))
    report = build_report(result, ruleset, proposal=proposal)
    assert report.manual  # manual steps fall back to the rules' texts
    text = Renderer(ruleset).html(report)
    assert "rewrite stage failed" in text and AUTHTOKEN not in text


def test_oauth_section_with_several_or_no_data_centers(tmp_path, ruleset):
    (tmp_path / "eu.py").write_text(
        'a = requests.get("https://invoice.zoho.eu/api/items/", params={"authtoken": t})\n'
        'b = requests.get("https://invoice.zoho.eu/api/invoices/", params={"authtoken": t})\n'
    )
    (tmp_path / "us.py").write_text('c = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t)\n')
    report = build_report(scan_paths([tmp_path], ruleset, ScanOptions(jobs=1)), ruleset, proposal=Proposal(note="-"))
    assert [use.datacenter.id for use in report.oauth.datacenters] == ["eu", "us"]  # most hosts first
    assert report.oauth.primary.id == "eu" and not report.oauth.assumed
    doc = lxml_html.fromstring(Renderer(ruleset).html(report))
    oauth = " ".join(doc.xpath('//section[@id="oauth"]')[0].text_content().split())
    assert "talks to 2 data centers" in oauth and "--dc eu" in oauth

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "x.py").write_text('params = {"authtoken": TOKEN, "scope": "invoiceapi"}  # zoho\n')
    report = build_report(scan_paths([plain], ruleset, ScanOptions(jobs=1)), ruleset, proposal=Proposal(note="-"))
    assert report.oauth.assumed and report.oauth.primary.id == ruleset.endpoints.datacenters.default.id
    assert "default assumed" in Renderer(ruleset).html(report)


def test_markdown_structure_with_and_without_findings(project, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.py").write_text("print('hello')\n")
    for path, expected in (
        (project, ["Summary", "⚠️ Revoke what leaked", "OAuth setup", "Proposed changes", "Manual steps",
                   "Findings by file"]),
        (clean, ["Summary", "OAuth setup", "Proposed changes", "Manual steps", "Findings by file"]),
    ):  # fmt: skip
        text = run_cli("report", str(path), "-o", "-", "--format", "markdown").stdout
        doc = lxml_html.fromstring(MarkdownIt("commonmark").enable("table").render(text))
        assert [h.text_content() for h in doc.xpath("//h2")] == expected
        assert len(doc.xpath("//h1")) == 1 and doc.xpath("//hr")
