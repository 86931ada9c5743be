"""`--changed-since REV` and `--history` on real temporary git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

CRM = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken="
LEGACY = f'r = requests.get("{CRM}" + tok)\n'
SECRET = "feedfacefeedfacefeedfacefeedface"
ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    write(path, "old.py", LEGACY)
    write(path, "svc/legacy.py", LEGACY)
    write(path, ".gitignore", "*.log\n")
    commit(path, "base")
    return path


def _paths(proc) -> set[str]:
    assert proc.returncode in (0, 1), proc.stderr
    return {f["path"] for f in json.loads(proc.stdout)["findings"]}


def test_changed_since_scans_only_changed_files(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "new.py", LEGACY)  # committed on the branch
    commit(repo, "feature work")
    write(repo, "svc/legacy.py", LEGACY + LEGACY)  # modified, uncommitted
    write(repo, "untracked.py", LEGACY)  # untracked
    write(repo, "debug.log", LEGACY)  # ignored: not a change
    proc = run_cli("scan", ".", "--changed-since", "main", "--format", "json", cwd=repo)
    assert _paths(proc) == {"new.py", "svc/legacy.py", "untracked.py"}
    assert "changed since main" in proc.stderr
    full = run_cli("scan", ".", "--format", "json", cwd=repo)
    assert "old.py" in _paths(full)


def test_changed_since_uses_the_merge_base(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "mine.py", LEGACY)
    commit(repo, "mine")
    git(repo, "checkout", "-q", "main")
    write(repo, "theirs.py", LEGACY)  # landed on main after the branch was cut
    commit(repo, "theirs")
    git(repo, "checkout", "-q", "feature")
    proc = run_cli("scan", ".", "--changed-since", "main", "--format", "json", cwd=repo)
    assert _paths(proc) == {"mine.py"}


def test_changed_since_in_a_subfolder_and_with_file_arguments(repo):
    write(repo, "svc/legacy.py", LEGACY * 2)
    write(repo, "svc/extra.py", LEGACY)
    proc = run_cli("scan", "svc", "--changed-since", "HEAD", "--format", "json", cwd=repo)
    assert _paths(proc) == {"legacy.py", "extra.py"}
    files = run_cli("scan", "old.py", "svc/extra.py", "--changed-since", "HEAD", "--format", "json", cwd=repo)
    assert _paths(files) == {"svc/extra.py"}


def test_changed_since_nothing_changed_is_clean(repo):
    proc = run_cli("scan", ".", "--changed-since", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []


def test_changed_since_errors(repo, tmp_path):
    proc = run_cli("scan", ".", "--changed-since", "no-such-branch", cwd=repo)
    assert proc.returncode == 2 and "no-such-branch" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    outside = tmp_path / "plain"
    outside.mkdir()
    proc = run_cli("scan", str(outside), "--changed-since", "HEAD")
    assert proc.returncode == 2 and "not inside a git work tree" in proc.stderr


def test_history_finds_credentials_removed_since(repo):
    write(repo, "config/settings.py", f'ZOHO_AUTHTOKEN = "{SECRET}"  # zoho\n')
    leaked = commit(repo, "add token")
    write(repo, "config/settings.py", 'import os\nZOHO_AUTHTOKEN = os.environ["ZOHO_AUTHTOKEN"]  # zoho\n')
    commit(repo, "read token from env")
    # today's tree is clean of the value
    today = run_cli("scan", ".", "--format", "json", cwd=repo)
    assert SECRET[:8] not in today.stdout and "config/settings.py" not in {
        f["path"] for f in json.loads(today.stdout)["findings"] if f["category"] == "hardcoded-secret"
    }
    proc = run_cli("scan", "--history", "--format", "json", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["path"], f["line"], f["commit"]) for f in findings] == [("config/settings.py", 1, leaked)]
    assert findings[0]["category"] == "hardcoded-secret" and leaked[:12] in findings[0]["message"]
    assert SECRET not in proc.stdout + proc.stderr and "feed…face" in findings[0]["snippet"]
    text = run_cli("scan", "--history", cwd=repo)
    assert "config/settings.py" in text.stdout and SECRET not in text.stdout


def test_history_reports_each_introduction_once_and_on_other_branches(repo):
    write(repo, "a.env", f"ZOHO_AUTHTOKEN={SECRET}\n")
    first = commit(repo, "one")
    write(repo, "a.env", f"# comment\nZOHO_AUTHTOKEN={SECRET}\n")  # line moved, not added again
    commit(repo, "two")
    git(repo, "checkout", "-q", "-b", "side")
    write(repo, "side.py", f'zoho_token = "{SECRET[::-1]}"\n')
    side = commit(repo, "side branch")
    git(repo, "checkout", "-q", "main")
    proc = run_cli("scan", "--history", "--format", "json", cwd=repo)
    found = {(f["path"], f["commit"]) for f in json.loads(proc.stdout)["findings"]}
    assert found == {("a.env", first), ("side.py", side)}


def test_history_since_a_revision_and_limited_to_a_path(repo):
    write(repo, "early.py", f'zoho_key = "{SECRET}"\n')
    commit(repo, "early")
    start = git(repo, "rev-parse", "HEAD")
    write(repo, "svc/late.py", f'zoho_key = "{SECRET[::-1]}"\n')
    commit(repo, "late")
    since = run_cli("scan", "--history", "--changed-since", start, "--format", "json", cwd=repo)
    assert _paths(since) == {"svc/late.py"}
    scoped = run_cli("scan", "svc", "--history", "--format", "json", cwd=repo)
    assert _paths(scoped) == {"svc/late.py"}
    sarif = json.loads(run_cli("scan", "--history", "--format", "sarif", cwd=repo).stdout)
    assert {r["properties"]["commit"] for r in sarif["runs"][0]["results"]} == {
        git(repo, "rev-parse", "HEAD"), start
    }


def test_history_outside_git_is_a_usage_error(tmp_path):
    proc = run_cli("scan", str(tmp_path), "--history")
    assert proc.returncode == 2 and "not inside a git work tree" in proc.stderr


def test_ignore_file_holds_in_a_git_work_tree_and_with_changed_since(repo):
    write(repo, "vendor_zoho/client.py", LEGACY)
    write(repo, "svc/generated.py", LEGACY)
    write(repo, ".zoho-migrate-ignore", "vendor_*/\nsvc/generated.py\n")
    commit(repo, "vendored code")
    full = run_cli("scan", ".", "--format", "json", cwd=repo)
    assert _paths(full) == {"old.py", "svc/legacy.py"}
    for rel in ("vendor_zoho/client.py", "svc/generated.py", "old.py"):
        write(repo, rel, LEGACY + LEGACY)
    changed = run_cli("scan", ".", "--changed-since", "HEAD", "--format", "json", cwd=repo)
    assert _paths(changed) == {"old.py"}
    excluded = run_cli("scan", ".", "--changed-since", "HEAD", "--exclude", "old.py", "--format", "json", cwd=repo)
    assert _paths(excluded) == set()


def test_history_honours_todays_ignore_files_and_skipped_folders(repo):
    for rel in ("vendor_zoho/client.py", "node_modules/zoho/index.js", "app/settings.py", "app/fixtures/t.py"):
        write(repo, rel, f'zoho_token = "{SECRET}"\n')
    commit(repo, "tokens everywhere")
    write(repo, ".zoho-migrate-ignore", "vendor_*/\n")
    write(repo, "app/.zoho-migrate-ignore", "fixtures/\n")
    commit(repo, "ignore vendored code and fixtures")
    proc = run_cli("scan", "--history", "--format", "json", cwd=repo)
    assert _paths(proc) == {"app/settings.py"}
