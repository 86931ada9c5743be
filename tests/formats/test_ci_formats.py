"""`github` annotations, `junit` XML and the `markdown` PR comment, parsed the way their consumers parse them."""

from __future__ import annotations

import re
import subprocess

import junitparser
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from migrate.formats import RenderOptions, formatter
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ANNOTATION = re.compile(r"^::(?P<cmd>error|warning|notice) (?P<props>[^:]*)::(?P<msg>.*)$")


def _render(name, result, ruleset, fail_on="warning"):
    return formatter(name).render(result, ruleset, RenderOptions(fail_on=fail_on))


# github ---------------------------------------------------------------------------------------------------------
def test_github_annotations_one_per_finding(ruleset):
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    lines = _render("github", result, ruleset).splitlines()
    assert len(result.findings) > 10
    assert len(lines) == len(result.findings) + 1  # one per finding + the count GitHub would otherwise hide
    assert lines[-1].startswith("::notice title=zoho-migrate::") and f"{len(result.findings)} findings" in lines[-1]
    for line, finding in zip(lines, result.findings, strict=False):
        m = ANNOTATION.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group("props").split(","))
        assert props["file"] == f"fixtures/projects/legacy-invoice-py/{finding.path}"
        assert props["line"] == str(finding.line) and props["col"] == str(finding.column)
        assert props["title"].startswith(finding.rule_id)
        expected = {"critical": "error", "error": "error", "warning": "warning", "info": "notice"}
        assert m.group("cmd") == expected[finding.severity]
        assert "\n" not in m.group("msg") and "%0A" in m.group("msg")
    assert SECRET not in "\n".join(lines)


def test_github_escapes_properties_and_data(tmp_path, ruleset):
    (tmp_path / "a,b:c.py").write_text('x = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t  # 100%\n')
    result = scan_paths([tmp_path], ruleset, ScanOptions(jobs=1))
    out = _render("github", result, ruleset)
    assert "file=a%2Cb%3Ac.py," in out
    assert "100%25" in out


def test_github_format_from_cli_exit_code():
    proc = run_cli("scan", str(PROJECT), "--format", "github", "--fail-on", "critical")
    assert proc.returncode == 1
    assert proc.stdout.startswith("::")


# junit ----------------------------------------------------------------------------------------------------------
def test_junit_parses_with_a_junit_parser(ruleset):
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    xml = junitparser.JUnitXml.fromstring(_render("junit", result, ruleset, fail_on="error").encode())
    suites = list(xml) if isinstance(xml, junitparser.JUnitXml) else [xml]
    cases = [case for suite in suites for case in suite]
    assert len(cases) == len(result.findings)
    failed = [c for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
    skipped = [c for c in cases if any(isinstance(r, junitparser.Skipped) for r in c.result)]
    at_or_above = [f for f in result.findings if f.severity in ("error", "critical")]
    assert len(failed) == len(at_or_above) and len(skipped) == len(result.findings) - len(at_or_above)
    assert suites[0].failures == len(failed) and suites[0].tests == len(cases)
    assert {c.classname for c in cases} == {f.path for f in result.findings}
    root = lxml_html.etree.fromstring(_render("junit", result, ruleset).encode())
    files = {case.get("file") for case in root.iter("testcase")}
    assert files == {f"fixtures/projects/legacy-invoice-py/{f.path}" for f in result.findings}
    assert all(c.result[0].type in ("error", "critical") for c in failed)


def test_junit_clean_scan_has_one_passing_case(tmp_path, ruleset):
    (tmp_path / "ok.py").write_text("print(1)\n")
    xml = junitparser.JUnitXml.fromstring(_render("junit", scan_paths([tmp_path], ruleset), ruleset).encode())
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 1 and cases[0].is_passed


def test_junit_survives_control_characters(tmp_path, ruleset):
    (tmp_path / "a.py").write_text('u = "https://invoice.zoho.com/api/items/?authtoken=" + t  # \x0b\x1b[0m\n')
    result = scan_paths([tmp_path], ruleset, ScanOptions(jobs=1))
    assert result.findings
    junitparser.JUnitXml.fromstring(_render("junit", result, ruleset).encode())


def test_junit_from_cli_to_file(tmp_path):
    out = tmp_path / "report.xml"
    proc = run_cli("scan", str(PROJECT), "--format", "junit", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert SECRET not in out.read_text()
    junitparser.JUnitXml.fromfile(str(out))


# markdown -------------------------------------------------------------------------------------------------------
def _table_rows(markdown_text):
    rendered = MarkdownIt("commonmark").enable("table").render(markdown_text)
    tree = lxml_html.fromstring(f"<div>{rendered}</div>")
    tables = tree.findall(".//table")
    return tables, [[td.text_content() for td in tr.findall("td")] for tr in tree.findall(".//tbody/tr")]


def test_markdown_renders_a_table(ruleset):
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    text = _render("markdown", result, ruleset)
    tables, rows = _table_rows(text)
    assert len(tables) == 1
    assert len(rows) == len(result.findings)
    assert all(len(row) == 5 for row in rows)
    assert {row[2] for row in rows} == {f.rule_id for f in result.findings}
    assert "<code>Authorization: Zoho-oauthtoken &lt;access token&gt;</code>" in text
    assert SECRET not in text and "0f1e…e1f0" in text


def test_markdown_cells_survive_pipes_and_backticks(tmp_path, ruleset):
    (tmp_path / "a.sh").write_text('curl "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=$T" | jq `x`\n')
    result = scan_paths([tmp_path], ruleset, ScanOptions(jobs=1))
    _, rows = _table_rows(_render("markdown", result, ruleset))
    assert rows and all(len(row) == 5 for row in rows)
    assert any("| jq `x`" in row[4] for row in rows)


def test_markdown_clean_scan(tmp_path, ruleset):
    (tmp_path / "ok.py").write_text("print(1)\n")
    text = _render("markdown", scan_paths([tmp_path], ruleset), ruleset)
    assert "no legacy Zoho" in text and "<table" not in MarkdownIt().render(text)


def test_markdown_paths_are_repository_relative(tmp_path, ruleset, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text('u = "https://invoice.zoho.com/api/items/?authtoken=" + t\n')
    monkeypatch.chdir(tmp_path / "src")
    result = scan_paths([tmp_path / "src"], ruleset, ScanOptions(jobs=1))
    _, rows = _table_rows(_render("markdown", result, ruleset))
    assert {row[3] for row in rows} == {"src/a.py:1"}


def test_markdown_links_lines_inside_github_actions(ruleset, monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/billing")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    rendered = MarkdownIt("commonmark").enable("table").render(_render("markdown", result, ruleset))
    links = lxml_html.fromstring(f"<div>{rendered}</div>").xpath("//td/a/@href")
    assert len(links) == len(result.findings)
    first = result.findings[0]
    assert links[0] == (
        "https://github.example/acme/billing/blob/abc123/fixtures/projects/legacy-invoice-py/"
        f"{first.path}#L{first.line}"
    )
