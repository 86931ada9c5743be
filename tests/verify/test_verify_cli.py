"""`zoho-migrate verify` as a user runs it (subprocess) against the emulator: output, exit codes, sources."""

from __future__ import annotations

import json
import os

from migrate.verify.results import load_results
from tests.conftest import FIXTURES, run_cli
from tests.verify.conftest import CLEAN_CALLS, INVOICE, write_calls


def _env(emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOHO_")}
    return {**env, **emulator.credentials.as_env()}


def _bases(emulator) -> list[str]:
    base = emulator.base_url
    return ["--legacy-base", base, "--oauth-base", base, "--accounts-url", base]


def test_json_output_clean_run_exits_0(emulator, tmp_path):
    calls = write_calls(tmp_path, CLEAN_CALLS)
    result = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json",
                     env=_env(emulator))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"] == {"match": len(CLEAN_CALLS), "mismatch": 0, "error": 0, "skipped": 0}
    assert [r["id"] for r in doc["results"]] == [c["id"] for c in CLEAN_CALLS]
    assert "verify: 9 calls" in result.stderr and "1 token refreshes" in result.stderr
    out = tmp_path / "results.json"
    out.write_text(result.stdout)
    assert load_results(out) == doc


def test_mismatch_exits_1_and_text_table_shows_path_and_both_values(emulator, tmp_path):
    emulator.faults.set_field("items", "4000000002019", "tax_name", "VAT", side="oauth")
    calls = write_calls(tmp_path, CLEAN_CALLS[:3])
    result = run_cli("verify", "--calls", str(calls), *_bases(emulator), env=_env(emulator))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["CALL", "STATUS", "LEGACY", "OAUTH", "DIFFS", "MESSAGE"]
    assert any(line.split()[:2] == ["items", "MISMATCH"] for line in lines)
    assert any(line.split()[:2] == ["customers", "MATCH"] for line in lines)
    # an empty <Tax1Name/> on the legacy side is "" (the string zero value) against "VAT"
    assert '  items[4000000002019].tax_name: legacy "" != oauth "VAT"' in result.stdout
    assert "1 mismatch" in result.stderr
    for secret in emulator.credentials.as_env().values():
        if secret != emulator.credentials.organization_id:
            assert secret not in result.stdout + result.stderr


def test_error_exits_1(emulator, tmp_path):
    emulator.faults.hostile_xml("external_entity", path="/api/items/")
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    result = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json", env=_env(emulator))
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["results"][0]["status"] == "error" and "DOCTYPE" in doc["results"][0]["message"]


def test_write_call_skipped_exits_0_and_is_never_sent(emulator, tmp_path):
    calls = write_calls(tmp_path, [{"id": "delete", "legacy": {
        "method": "POST", "url": f"{INVOICE}/api/invoices/delete/4000000003001"}}])
    result = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json", env=_env(emulator))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["status"] == "skipped"
    assert len(emulator.log) == 0


def test_bad_calls_file_is_one_line_exit_2(emulator, tmp_path):
    bad = tmp_path / "calls.yaml"
    bad.write_text("calls:\n  - id: a\n    legacy: {url: 'https://invoice.zoho.com/api/items/'}\n"
                   "  - id: b\n    legacy: {method: FETCH, url: 'https://invoice.zoho.com/api/items/'}\n")
    result = run_cli("verify", "--calls", str(bad), env=_env(emulator))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{bad}:5:" in result.stderr and "FETCH" in result.stderr


def test_usage_errors_exit_2(emulator, tmp_path):
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    none = run_cli("verify", env=_env(emulator))
    assert none.returncode == 2 and "exactly one of --calls" in none.stderr
    both = run_cli("verify", "--calls", str(calls), "--record", str(tmp_path / "a"), "--replay",
                   str(tmp_path / "b"), env=_env(emulator))
    assert both.returncode == 2 and "--record and --replay" in both.stderr
    base = run_cli("verify", "--calls", str(calls), "--legacy-base", "127.0.0.1:80", env=_env(emulator))
    assert base.returncode == 2 and "--legacy-base" in base.stderr
    env = {k: v for k, v in _env(emulator).items() if k != "ZOHO_AUTHTOKEN"}
    missing = run_cli("verify", "--calls", str(calls), *_bases(emulator), env=env)
    assert missing.returncode == 2 and "ZOHO_AUTHTOKEN" in missing.stderr
    assert len(emulator.log) == 0


def test_from_scan_verifies_the_static_urls_a_scan_found(emulator, tmp_path):
    project = FIXTURES / "projects" / "legacy-invoice-py"
    scan = run_cli("scan", str(project), "--format", "json")
    scan_file = tmp_path / "scan.json"
    scan_file.write_text(scan.stdout)
    result = run_cli("verify", "--from-scan", str(scan_file), *_bases(emulator), "--format", "json",
                     env=_env(emulator))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    ids = {r["id"]: r["status"] for r in doc["results"]}
    # BASE + "items/" (a resolved constant) and the literal invoices URL; the BASE definition itself is no call
    assert ids == {"invoice_sync.py:15": "match", "invoice_sync.py:26": "match"}
    assert {e.path for e in emulator.log.find(side="legacy")} == {"/api/items/", "/api/invoices/"}
    # the authtoken hard-coded in the scanned file is never sent: the verifier's own credentials are
    assert {e.query["authtoken"] for e in emulator.log.find(side="legacy")} == {emulator.credentials.authtoken}


def test_har_source_strips_recorded_credentials(emulator, tmp_path):
    stale = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    har = {"log": {"version": "1.2", "entries": [
        {"request": {"method": "GET", "url": f"{INVOICE}/api/items/?authtoken={stale}&scope=invoiceapi&apikey=k",
                     "headers": [{"name": "Cookie", "value": "session=abc"}, {"name": "Accept", "value": "*/*"}]},
         "response": {"status": 200}},
        {"request": {"method": "GET", "url": "https://www.zohoapis.com/invoice/v3/items", "headers": []}},
        {"request": {"method": "GET", "url": "https://static.example.com/app.js", "headers": []}},
        {"request": {"method": "GET", "url": f"{INVOICE}/api/customers/4000000001001?authtoken={stale}",
                     "headers": []}},
        {"request": {"method": "POST", "url": f"{INVOICE}/api/items/create", "headers": [],
                     "postData": {"mimeType": "application/x-www-form-urlencoded",
                                  "params": [{"name": "authtoken", "value": stale},
                                             {"name": "XMLString", "value": "<Item/>"}]}}},
    ]}}
    path = tmp_path / "session.har"
    path.write_text(json.dumps(har))
    result = run_cli("verify", "--har", str(path), *_bases(emulator), "--format", "json", env=_env(emulator))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {r["id"]: r["status"] for r in doc["results"]} == {
        "session.har#0": "match", "session.har#3": "match", "session.har#4": "skipped"}
    sent = emulator.log.find(side="legacy")
    assert sent and all(e.query["authtoken"] == emulator.credentials.authtoken for e in sent)
    assert all("cookie" not in e.headers for e in sent)
    assert stale not in result.stdout + result.stderr


def test_record_then_replay_from_the_cli(emulator, tmp_path):
    calls = write_calls(tmp_path, CLEAN_CALLS[:3])
    cassettes = tmp_path / "rec"
    first = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--record", str(cassettes),
                    "--format", "json", env=_env(emulator))
    assert first.returncode == 0, first.stderr
    emulator.log.clear()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOHO_")}
    second = run_cli("verify", "--calls", str(calls), "--replay", str(cassettes), "--format", "json", env=env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert len(emulator.log) == 0 and "0 requests" in second.stderr


def test_results_file_feeds_the_report(emulator, tmp_path):
    emulator.faults.set_field("items", "4000000002011", "rate", 99, side="oauth")
    calls = write_calls(tmp_path, CLEAN_CALLS[:2])
    results = tmp_path / "verify.json"
    run = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json", "--output",
                  str(results), env=_env(emulator))
    assert run.returncode == 1 and run.stdout == ""
    assert load_results(results)["summary"]["mismatch"] == 2
    report = tmp_path / "report.md"
    made = run_cli("report", str(FIXTURES / "projects" / "legacy-invoice-py"), "-o", str(report), "--format",
                   "markdown", "--verify-results", str(results))
    assert made.returncode == 0, made.stderr
    text = report.read_text()
    assert "`items`" in text and "items[4000000002011].rate" in text


def test_user_rules_folder_overrides_verify_defaults(emulator, tmp_path):
    emulator.faults.set_field("items", "4000000002011", "rate", 99, side="oauth")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "verify.yaml").write_text("verify:\n  ignore_fields: [rate]\n")
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    result = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--rules", str(rules), "--format", "json",
                     env=_env(emulator))
    assert result.returncode == 0, result.stderr
    assert "rate (ignored)" in json.loads(result.stdout)["results"][0]["not_compared"]
    (rules / "verify.yaml").write_text("verify:\n  retries: many\n")
    bad = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--rules", str(rules), env=_env(emulator))
    assert bad.returncode == 2 and "verify.retries must be a whole number" in bad.stderr
