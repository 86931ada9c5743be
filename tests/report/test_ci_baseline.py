"""Baselines: a stable file (sorted, no line numbers, no timestamps) that survives moved lines and fails only on
new findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

from migrate import baseline
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import run_cli

SECRET = "c0ffee00c0ffee00c0ffee00c0ffee00"
ORIGINAL = f'''import requests

ZOHO_AUTHTOKEN = "{SECRET}"


def items():
    return requests.get("https://invoice.zoho.com/api/items/", params={{"authtoken": ZOHO_AUTHTOKEN}})


def leads():
    return requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + ZOHO_AUTHTOKEN)
'''
# the same code with functions swapped, lines inserted above and indentation changed
MOVED = f'''"""Module docstring added later."""
import requests

# more text
# and more


def leads():
        return requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + ZOHO_AUTHTOKEN)


def items():
    return requests.get("https://invoice.zoho.com/api/items/", params={{"authtoken": ZOHO_AUTHTOKEN}})

ZOHO_AUTHTOKEN = "{SECRET}"
'''


def _project(tmp_path: Path, text: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "sync.py").write_text(text)
    return project


def test_round_trip_with_moved_lines(tmp_path):
    project = _project(tmp_path, ORIGINAL)
    base = tmp_path / "zoho-baseline.json"
    proc = run_cli("scan", str(project), "--write-baseline", str(base), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    recorded = json.loads(base.read_text())
    count = len(recorded["findings"])
    assert count >= 5 and f"({count} findings)" in proc.stderr
    assert json.loads(proc.stdout)["stats"]["baselined"] == count

    (project / "sync.py").write_text(MOVED)
    proc = run_cli("scan", str(project), "--baseline", str(base), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    data = json.loads(proc.stdout)
    assert data["findings"] == []
    assert data["stats"]["baselined"] == count

    # re-recording the moved code writes the same bytes
    again = tmp_path / "again.json"
    run_cli("scan", str(project), "--write-baseline", str(again))
    assert again.read_bytes() == base.read_bytes()


def test_only_new_findings_fail(tmp_path):
    project = _project(tmp_path, ORIGINAL)
    base = tmp_path / "b.json"
    run_cli("scan", str(project), "--write-baseline", str(base))
    (project / "sync.py").write_text(ORIGINAL + '\nrequests.get("https://books.zoho.com/api/v3/invoices?authtoken=" + t)\n')
    proc = run_cli("scan", str(project), "--baseline", str(base), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert {f["line"] for f in data["findings"]} == {13}
    assert data["stats"]["baselined"] == len(json.loads(base.read_text())["findings"])
    assert "baselined" in proc.stderr


def test_file_is_stable_and_secret_free(tmp_path, ruleset):
    project = _project(tmp_path, ORIGINAL)
    result = scan_paths([project], ruleset, ScanOptions(jobs=1))
    text = baseline.dumps(result.findings)
    shuffled = baseline.dumps(list(reversed(result.findings)) + result.findings[:2])
    assert text == shuffled  # order and duplicates do not matter
    entries = json.loads(text)["findings"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]))
    assert all(set(e) == {"fingerprint", "rule_id", "path", "snippet"} for e in entries)
    assert SECRET not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no dates or timestamps
    assert '"line"' not in text


def test_identical_lines_are_counted_separately(tmp_path):
    line = 'requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t)\n'
    project = _project(tmp_path, line * 2)
    base = tmp_path / "b.json"
    run_cli("scan", str(project), "--write-baseline", str(base))
    (project / "sync.py").write_text(line * 3)
    data = json.loads(run_cli("scan", str(project), "--baseline", str(base), "--format", "json").stdout)
    assert {f["line"] for f in data["findings"]} == {3}


def test_bad_baseline_files_exit_two(tmp_path):
    project = _project(tmp_path, ORIGINAL)
    missing = run_cli("scan", str(project), "--baseline", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "findings": [\n{"fingerprint": 3}]}')
    proc = run_cli("scan", str(project), "--baseline", str(broken))
    assert proc.returncode == 2 and "broken.json" in proc.stderr and "fingerprint" in proc.stderr
    broken.write_text("{not json")
    proc = run_cli("scan", str(project), "--baseline", str(broken))
    assert proc.returncode == 2 and "broken.json:1" in proc.stderr


def test_write_baseline_refuses_a_partial_scan(tmp_path):
    project = _project(tmp_path, ORIGINAL)
    proc = run_cli("scan", str(project), "--write-baseline", str(tmp_path / "b.json"), "--changed-since", "HEAD")
    assert proc.returncode == 2 and "--changed-since" in proc.stderr
    assert not (tmp_path / "b.json").exists()
