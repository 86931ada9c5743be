"""`zoho-migrate init` and the repository's own `.pre-commit-hooks.yaml`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from migrate import __version__
from tests.conftest import REPO, run_cli

WORKFLOW = Path(".github/workflows/zoho-migrate.yml")
LEGACY = 'u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t\n'


def _hook(config: dict) -> dict:
    hooks = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "zoho-migrate"]
    assert len(hooks) == 1
    return hooks[0]


def test_init_writes_both_into_a_fresh_repository(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    hook = _hook(config)
    assert hook["entry"].startswith("zoho-migrate scan") and hook["language"] == "python"
    assert hook["additional_dependencies"] == [f"zoho-migrate=={__version__}"]

    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())
    assert workflow["permissions"]["security-events"] == "write"
    triggers = workflow[True]  # YAML 1.1 reads the `on:` key as a boolean
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["scan"]["steps"]
    scan = next(s for s in steps if s.get("id") == "scan")
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert '--format sarif --output "$RUNNER_TEMP/zoho-migrate.sarif"' in scan["run"]
    assert upload["with"]["sarif_file"] == "${{ runner.temp }}/zoho-migrate.sarif"  # outside the checkout
    assert "always()" in upload["if"]
    annotate = next(s for s in steps if "--format github" in s.get("run", ""))
    assert "--changed-since" in annotate["run"] and "${{ github.base_ref }}" in annotate["run"]
    assert any("steps.scan.outcome == 'failure'" in s.get("if", "") for s in steps)
    report = next(s for s in steps if s.get("run", "").startswith("zoho-migrate report"))
    artifact = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert '-o "$RUNNER_TEMP/zoho-migrate-report.html"' in report["run"]
    assert artifact["with"]["path"] == "${{ runner.temp }}/zoho-migrate-report.html"
    assert "pre-commit install" in proc.stderr


def test_init_adds_the_hook_to_an_existing_config_and_keeps_the_rest(tmp_path):
    existing = (
        "# team hooks\n"
        "default_stages: [pre-commit]\n"
        "repos:\n"
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: v4.5.0\n"
        "    hooks:\n"
        "      - id: trailing-whitespace  # keep this comment\n"
        "\n"
        "ci:\n"
        "  autofix_prs: false\n"
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(existing)
    assert run_cli("init", str(tmp_path), "--no-workflow").returncode == 0
    text = (tmp_path / ".pre-commit-config.yaml").read_text()
    config = yaml.safe_load(text)
    assert [r["repo"] for r in config["repos"]] == ["https://github.com/pre-commit/pre-commit-hooks", "local"]
    assert config["ci"] == {"autofix_prs": False} and config["default_stages"] == ["pre-commit"]
    assert "# keep this comment" in text and text.startswith("# team hooks\n")
    _hook(config)
    assert not (tmp_path / WORKFLOW).exists()
    # a second run changes nothing
    again = run_cli("init", str(tmp_path), "--no-workflow")
    assert again.returncode == 0 and "already has a zoho-migrate hook" in again.stderr
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == text


def test_init_with_the_hook_repository_and_an_empty_list(tmp_path):
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    proc = run_cli("init", str(tmp_path), "--no-workflow", "--hook-repo", "https://example.org/zoho-migrate")
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert config["repos"] == [
        {"repo": "https://example.org/zoho-migrate", "rev": f"v{__version__}", "hooks": [{"id": "zoho-migrate"}]}
    ]


def test_init_refuses_to_overwrite_without_force(tmp_path):
    (tmp_path / WORKFLOW).parent.mkdir(parents=True)
    (tmp_path / WORKFLOW).write_text("name: mine\n")
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 2 and "--force" in proc.stderr and "zoho-migrate.yml" in proc.stderr
    assert (tmp_path / WORKFLOW).read_text() == "name: mine\n"
    assert not (tmp_path / ".pre-commit-config.yaml").exists()  # nothing is written when one file is refused
    assert run_cli("init", str(tmp_path), "--force", "--fail-on", "error").returncode == 0
    assert "--fail-on error" in (tmp_path / WORKFLOW).read_text()


def test_init_dry_run_and_bad_input(tmp_path):
    proc = run_cli("init", str(tmp_path), "--dry-run")
    assert proc.returncode == 0 and "upload-sarif" in proc.stdout and "repo: local" in proc.stdout
    assert list(tmp_path.iterdir()) == []
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: [\n")
    bad = run_cli("init", str(tmp_path))
    assert bad.returncode == 2 and ".pre-commit-config.yaml" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert run_cli("init", str(tmp_path / "nope")).returncode == 2


def test_repository_hook_manifest_runs_like_pre_commit(tmp_path):
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in manifest if h["id"] == "zoho-migrate")
    assert hook["language"] == "python" and hook["entry"] == "zoho-migrate scan"
    assert hook["types"] == ["text"] and hook.get("pass_filenames", True)
    # pre-commit runs `<entry> <staged files...>` from the repository root
    (tmp_path / "clean.py").write_text("print('ok')\n")
    (tmp_path / "legacy.py").write_text(LEGACY)
    args = hook["entry"].split()[1:]
    assert run_cli(*args, "clean.py", cwd=tmp_path).returncode == 0
    failing = run_cli(*args, "clean.py", "legacy.py", "--format", "json", cwd=tmp_path)
    assert failing.returncode == 1
    assert {f["path"] for f in json.loads(failing.stdout)["findings"]} == {"legacy.py"}
