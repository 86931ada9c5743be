"""Project configuration: `[tool.zoho-migrate]` / `.zoho-migrate.yaml`, discovery, and the command line winning."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from migrate.config import discover, load_config
from tests.conftest import run_cli

WARNING_ONLY = 'import xml.etree.ElementTree as ET\nET.fromstring(r)  # invoice.zoho.com/api/items/\n'
LEGACY = 'u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t\n'
CUSTOM_RULE = """rules:
  - id: acme.legacy-client
    category: sdk-usage
    severity: error
    languages: any
    message: The in-house AcmeZoho client is authtoken-only.
    match:
      keywords: [acmezoho]
      regex: 'AcmeZoho\\('
"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "parse.py").write_text(WARNING_ONLY)
    return project


def _json(proc):
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_yaml_fail_on_and_command_line_wins(tmp_path):
    project = _project(tmp_path)
    assert run_cli("scan", str(project)).returncode == 1  # default fail-on warning
    (project / ".zoho-migrate.yaml").write_text("fail-on: error\n")
    assert run_cli("scan", str(project)).returncode == 0
    assert run_cli("scan", str(project), "--fail-on", "warning").returncode == 1
    assert run_cli("scan", str(project), "--no-config").returncode == 1


def test_pyproject_section_with_rules_excludes_baseline_and_format(tmp_path):
    project = _project(tmp_path)
    (project / "rules").mkdir()
    (project / "rules" / "acme.yaml").write_text(CUSTOM_RULE)
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(LEGACY)
    (project / "src" / "client.py").write_text("c = AcmeZoho(token)\n")
    (project / "pyproject.toml").write_text(
        '[tool.ruff]\nexclude = ["x"]\n\n[tool.zoho-migrate]\nrules = ["rules"]\nexclude = ["legacy/*"]\n'
        'format = "json"\nfail_on = "error"\n'
    )
    data = _json(run_cli("scan", ".", cwd=project))  # format json comes from the file
    rules = {(f["path"], f["rule_id"]) for f in data["findings"]}
    assert ("src/client.py", "acme.legacy-client") in rules  # rules folder relative to the file
    assert not any(path.startswith("legacy/") for path, _ in rules)
    # command-line lists add to the file's: one more exclude
    data = _json(run_cli("scan", ".", "--exclude", "client.py", cwd=project))
    assert {f["path"] for f in data["findings"]} == {"src/parse.py"}
    # command-line format wins
    assert run_cli("scan", ".", "--format", "text", cwd=project).stdout.startswith("src/")

    # baseline from the file, relative to it
    run_cli("scan", ".", "--write-baseline", "zoho-baseline.json", cwd=project)
    with (project / "pyproject.toml").open("a") as handle:
        handle.write('baseline = "zoho-baseline.json"\n')
    (project / "src" / "more.py").write_text(LEGACY)
    data = _json(run_cli("scan", ".", cwd=project))
    assert data["stats"]["baselined"] >= 2
    assert {f["path"] for f in data["findings"]} == {"src/more.py"}


def test_discovery_from_the_scanned_path_stops_at_the_repository_root(tmp_path):
    outer = tmp_path / "outer"
    repo = outer / "repo"
    (repo / "pkg" / "deep").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (outer / ".zoho-migrate.yaml").write_text("fail-on: critical\n")  # above the repository: not ours
    assert discover([repo / "pkg" / "deep"]).source is None
    (repo / ".zoho-migrate.yaml").write_text("fail-on: error\n")
    assert discover([repo / "pkg" / "deep"]).source == repo / ".zoho-migrate.yaml"
    (repo / "pkg" / ".zoho-migrate.yml").write_text("fail-on: info\n")  # nearest wins
    assert discover([repo / "pkg" / "deep" ]).fail_on == "info"
    # run from elsewhere: the scanned path decides
    (repo / "pkg" / "deep" / "a.py").write_text(WARNING_ONLY)
    (repo / "pkg" / ".zoho-migrate.yml").write_text("fail-on: error\n")
    assert run_cli("scan", str(repo / "pkg" / "deep"), cwd=tmp_path).returncode == 0


def test_explicit_config_file(tmp_path):
    project = _project(tmp_path)
    cfg = tmp_path / "ci.yaml"
    cfg.write_text("fail-on: critical\nexclude: [nothing]\n")
    assert run_cli("scan", str(project), "--config", str(cfg)).returncode == 0
    assert load_config(cfg).exclude == ("nothing",)
    proc = run_cli("scan", str(project), "--config", str(tmp_path / "missing.yaml"))
    assert proc.returncode == 2 and "missing.yaml" in proc.stderr


def test_bad_configuration_is_one_line_exit_two(tmp_path):
    project = _project(tmp_path)
    cfg = project / ".zoho-migrate.yaml"
    cases = {
        "fail-on: error\nfial-on: warning\n": (":2:", "unknown option 'fial-on'"),
        "fail-on: loud\n": (":1:", "fail-on"),
        "jobs: many\n": (":1:", "non-negative integer"),
        "exclude: {a: 1}\n": (":1:", "list of strings"),
        "fail-on: [\n": (":", "invalid YAML"),
        "- just\n- a list\n": (":1:", "mapping"),
    }
    for text, (where, reason) in cases.items():
        cfg.write_text(text)
        proc = run_cli("scan", str(project))
        assert proc.returncode == 2, text
        line = proc.stderr.strip()
        assert len(line.splitlines()) == 1 and ".zoho-migrate.yaml" + where in line and reason in line, line
    cfg.unlink()
    (project / "pyproject.toml").write_text('[tool.zoho-migrate]\nformat = "xml"\n')
    proc = run_cli("scan", str(project))
    assert proc.returncode == 2 and "pyproject.toml" in proc.stderr and "format" in proc.stderr
    (project / "pyproject.toml").write_text("[tool.zoho-migrate\n")
    proc = run_cli("scan", str(project))
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr


def test_two_configuration_files_in_one_folder_is_an_error(tmp_path):
    project = _project(tmp_path)
    (project / ".zoho-migrate.yaml").write_text("fail-on: error\n")
    (project / "pyproject.toml").write_text('[tool.zoho-migrate]\nfail-on = "error"\n')
    proc = run_cli("scan", str(project))
    assert proc.returncode == 2 and "keep one" in proc.stderr
    # a pyproject.toml without our section does not count
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run_cli("scan", str(project)).returncode == 0
