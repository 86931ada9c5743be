"""SARIF 2.1.0: valid against the OASIS schema and carrying what GitHub code scanning needs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from migrate.formats import RenderOptions
from migrate.formats.sarif import FINGERPRINT_KEY, build, render
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import FIXTURES, REPO, run_cli

SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"  # shipped with its licence notice (tests/data/README.md)
PROJECT = FIXTURES / "projects" / "legacy-invoice-py"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()  # every format jsonschema knows, incl. the schema's uri / uri-reference
    assert not checker.conforms("not a uri", "uri") and not checker.conforms("my app.py", "uri-reference"), (
        "URI formats are not being checked: install the test extra (rfc3987)"
    )
    return cls(schema, format_checker=checker)


def _git_repo(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def test_cli_output_validates_against_schema(validator):
    proc = run_cli("scan", str(PROJECT), "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) >= 10
    assert SECRET not in proc.stdout


def test_rule_metadata_and_stable_rule_ids(ruleset):
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    first, second = build(result, ruleset), build(scan_paths([PROJECT], ruleset, ScanOptions(jobs=1)), ruleset)
    rules = first["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r.id for r in ruleset.rules)
    for rule in rules:
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert float(rule["properties"]["security-severity"]) > 0
        assert "security" in rule["properties"]["tags"]
    for a, b in zip(first["runs"][0]["results"], second["runs"][0]["results"], strict=True):
        assert a["ruleId"] == b["ruleId"] and a["partialFingerprints"] == b["partialFingerprints"]
    for res in first["runs"][0]["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in first["runs"][0]["results"]}
    assert levels["zoho.hardcoded-secret.authtoken"] == "error"
    assert levels["zoho.xml-parsing.python"] == "warning"


def test_positions_and_partial_fingerprints(ruleset):
    result = scan_paths([PROJECT], ruleset, ScanOptions(jobs=1))
    log = build(result, ruleset)
    by_key = {(f.rule_id, f.line, f.column): f for f in result.findings}
    for res in log["runs"][0]["results"]:
        region = res["locations"][0]["physicalLocation"]["region"]
        finding = by_key[(res["ruleId"], region["startLine"], region["startColumn"])]
        assert region["endLine"] == finding.end_line
        assert region["endColumn"] == finding.end_column > region["startColumn"]
        assert res["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        assert res["message"]["text"] == finding.message


def test_uris_are_repository_relative(tmp_path, ruleset, monkeypatch):
    _git_repo(tmp_path)
    src = tmp_path / "services" / "billing"
    src.mkdir(parents=True)
    (src / "sync.py").write_text('URL = "https://invoice.zoho.com/api/items/?authtoken=" + tok\n')
    monkeypatch.chdir(tmp_path / "services")
    result = scan_paths([Path("billing")], ruleset, ScanOptions(jobs=1))
    assert {f.path for f in result.findings} == {"sync.py"}
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in build(result, ruleset)["runs"][0]["results"]
    }
    assert uris == {"services/billing/sync.py"}


def test_uris_are_percent_encoded(tmp_path, ruleset, validator):
    _git_repo(tmp_path)
    (tmp_path / "my app.py").write_text('requests.get("https://invoice.zoho.com/api/items/", params={"authtoken": t})\n')
    log = build(scan_paths([tmp_path], ruleset, ScanOptions(jobs=1)), ruleset)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"my%20app.py"}
    assert not list(validator.iter_errors(log))


def test_fingerprints_survive_moved_lines(tmp_path, ruleset):
    code = 'import requests\nrequests.get("https://invoice.zoho.com/api/items/", params={"authtoken": t})\n'
    (tmp_path / "a.py").write_text(code)
    before = build(scan_paths([tmp_path], ruleset, ScanOptions(jobs=1)), ruleset)
    (tmp_path / "a.py").write_text("# a comment\n\n\n" + code)
    after = build(scan_paths([tmp_path], ruleset, ScanOptions(jobs=1)), ruleset)

    def prints(log):
        return sorted(r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"])

    def lines(log):
        return sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"])

    assert prints(before) == prints(after) and prints(before)
    assert lines(after) == [line + 3 for line in lines(before)]


def test_clean_scan_is_valid_and_empty(tmp_path, ruleset, validator):
    (tmp_path / "ok.py").write_text("print('hello')\n")
    log = json.loads(render(scan_paths([tmp_path], ruleset, ScanOptions(jobs=1)), ruleset, RenderOptions()))
    assert log["runs"][0]["results"] == []
    assert not list(validator.iter_errors(log))


def test_history_output_validates(tmp_path, validator):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "cfg.py").write_text(f'zoho_token = "{SECRET}"\n')
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=tmp_path, env=env, check=True)
    (tmp_path / "cfg.py").unlink()
    subprocess.run(["git", "commit", "-qam", "rm"], cwd=tmp_path, env=env, check=True)
    proc = run_cli("scan", "--history", "--format", "sarif", cwd=tmp_path)
    log = json.loads(proc.stdout)
    assert not list(validator.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cfg.py"
    assert len(result["properties"]["commit"]) == 40 and SECRET not in proc.stdout


def test_inline_suppressed_findings_are_in_source_suppressions(validator, tmp_path: Path):
    (tmp_path / "client.py").write_text(
        'URL = "https://invoice.zoho.com/api/items/"  # zoho-migrate: ignore[zoho.legacy-endpoint]\n'
        "TIMEOUT = 30\n"
        'OTHER = "https://invoice.zoho.com/api/invoices/"\n'
    )
    proc = run_cli("scan", str(tmp_path), "--format", "sarif")
    assert proc.returncode == 1  # the unsuppressed line still fails the scan
    log = json.loads(proc.stdout)
    validator.validate(log)
    results = log["runs"][0]["results"]
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results}
    assert by_line[1]["suppressions"] == [{"kind": "inSource", "justification": "zoho-migrate: ignore comment"}]
    assert "suppressions" not in by_line[3]
    plain = json.loads(run_cli("scan", str(tmp_path), "--format", "json").stdout)
    assert [f["line"] for f in plain["findings"]] == [3] and plain["stats"]["suppressed"] == 1
