"""Outputs saved inside the scanned tree (SARIF, JUnit, Markdown, baseline, the review report) quote findings;
a later scan or report recognises them and does not report those quotes again."""

from __future__ import annotations

import json

from tests.conftest import run_cli

LEGACY = 'r = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + tok)\n'


def _findings(proc):
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_saved_outputs_are_not_scanned_again(tmp_path):
    (tmp_path / "app.py").write_text(LEGACY)
    outputs = {"sarif": "out/results.sarif", "junit": "out/junit.xml", "markdown": "out/comment.md"}
    for fmt, rel in outputs.items():
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(run_cli("scan", str(tmp_path), "--format", fmt).stdout)
    run_cli("scan", str(tmp_path), "--write-baseline", str(tmp_path / "out" / "baseline.json"))
    run_cli("report", str(tmp_path), "-o", str(tmp_path / "out" / "report.html"))
    run_cli("report", str(tmp_path), "-o", str(tmp_path / "out" / "report.md"))
    assert len(list((tmp_path / "out").iterdir())) == 6

    data = _findings(run_cli("scan", str(tmp_path), "--format", "json"))
    assert {f["path"] for f in data["findings"]} == {"app.py"}
    notes = {e["path"]: e["message"] for e in data["errors"]}
    assert set(notes) == {f"out/{name}" for name in ("results.sarif", "junit.xml", "comment.md", "baseline.json",
                                                      "report.html", "report.md")}  # fmt: skip
    assert "SARIF output" in notes["out/results.sarif"] and "review report" in notes["out/report.html"]

    # the review report neither lists them nor proposes to rewrite them
    proc = run_cli("report", str(tmp_path), "-o", "-", "--format", "markdown")
    assert "out/results.sarif" not in proc.stdout.split("## Findings by file")[1]
    assert "### `" in proc.stdout and "results.sarif`" not in proc.stdout


def test_a_file_that_only_mentions_zoho_migrate_is_still_scanned(tmp_path):
    (tmp_path / "notes.py").write_text("# we run zoho-migrate in CI\n" + LEGACY)
    data = _findings(run_cli("scan", str(tmp_path), "--format", "json"))
    assert {f["path"] for f in data["findings"]} == {"notes.py"}
