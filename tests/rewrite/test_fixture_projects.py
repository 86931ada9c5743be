"""Each legacy fixture project goes through `rewrite --apply` as a user runs it: exact golden result, a second
run is a no-op, every file still parses, and a re-scan shows only findings that were listed as manual steps."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.rewrite.validate import parses
from migrate.scan.languages import LanguageIndex
from tests.conftest import FIXTURES, run_cli

PROJECTS = FIXTURES / "projects" / "rewrite"
LANGUAGES = sorted(p.name for p in PROJECTS.iterdir() if (p / "before").is_dir())


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode) & 0o111)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_in_process(*args: str, cwd: Path) -> Ran:
    """`zoho-migrate ARGS` through the real entry point (`migrate.cli.main`) on real files, without a subprocess."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(previous)
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.mark.parametrize("project", LANGUAGES)
def test_apply_gives_golden_tree_and_is_idempotent(project: str, tmp_path: Path, ruleset) -> None:
    work = tmp_path / project
    shutil.copytree(PROJECTS / project / "before", work)
    planned = run_in_process("rewrite", "--format", "json", ".", cwd=work)
    assert planned.returncode == 1, planned.stderr
    manual = {(s["path"], s["rule_id"]) for s in json.loads(planned.stdout)["manual_steps"]}

    applied = run_in_process("rewrite", "--apply", ".", cwd=work)
    assert applied.returncode == 0, applied.stderr
    assert _tree(work) == _tree(PROJECTS / project / "after")

    again = run_in_process("rewrite", ".", cwd=work)
    assert again.stdout == "", again.stdout
    assert "0 files to change" in again.stderr

    index = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    for path in work.rglob("*"):
        language = index.detect(path) if path.is_file() else None
        if language is not None:
            assert parses(language, path.read_text(), path.name) is not False, path

    rescan = run_in_process("scan", "--format", "json", ".", cwd=work)
    remaining = {(f["path"], f["rule_id"]) for f in json.loads(rescan.stdout)["findings"]}
    assert remaining <= manual, remaining - manual


def test_dry_run_masks_and_patch_is_exact_and_private(tmp_path: Path) -> None:
    work = tmp_path / "deluge"
    shutil.copytree(PROJECTS / "deluge" / "before", work)
    patch = tmp_path / "fix.patch"
    result = run_cli("rewrite", "--patch", str(patch), ".", cwd=work)
    assert result.returncode == 1
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" not in result.stdout + result.stderr
    assert '-authtoken = "0f1e…e1f0";' in result.stdout
    assert stat.S_IMODE(patch.stat().st_mode) == 0o600
    assert '-authtoken = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";' in patch.read_text()
    assert (work / "sync_invoices.dg").read_text() == (PROJECTS / "deluge" / "before" / "sync_invoices.dg").read_text()


def test_apply_refuses_dirty_git_files(tmp_path: Path) -> None:
    import subprocess

    work = tmp_path / "repo"
    shutil.copytree(PROJECTS / "shell" / "before", work)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    result = run_cli("rewrite", "--apply", ".", cwd=work)
    assert result.returncode == 2
    assert "uncommitted changes in leads.sh" in result.stderr
    assert (work / "leads.sh").read_bytes() == (PROJECTS / "shell" / "before" / "leads.sh").read_bytes()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "."], cwd=work, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "legacy"], cwd=work, check=True)
    committed = run_cli("rewrite", "--apply", ".", cwd=work)
    assert committed.returncode == 0, committed.stderr
    assert "zoho_authorization" in (work / "leads.sh").read_text()


def test_annotate_leaves_todo_comments_once(tmp_path: Path) -> None:
    work = tmp_path / "py"
    shutil.copytree(PROJECTS / "python" / "before", work)
    assert run_cli("rewrite", "--apply", "--annotate", ".", cwd=work).returncode == 0
    text = (work / "invoice_sync.py").read_text()
    todo = "    # TODO(zoho-migrate): not migrated (every part of this request is left as it was"
    assert text.count(todo) == 1 and "needs ItemID from the request body" in text
    assert 'return fetch("https://invoice.zoho.com/api/items/update?" + form)' in text  # the request is untouched
    again = run_cli("rewrite", "--annotate", ".", cwd=work)
    assert again.stdout == ""
    work2 = tmp_path / "plain"
    shutil.copytree(PROJECTS / "python" / "before", work2)
    assert run_cli("rewrite", "--apply", "--no-annotate", ".", cwd=work2).returncode == 0
    assert "TODO(zoho-migrate)" not in (work2 / "invoice_sync.py").read_text()


def test_scanner_fixture_tree_rewrites_safely_and_idempotently(tmp_path: Path) -> None:
    """The scanner's many-language fixture tree (not written for the rewriter): nothing refused or conflicting,
    a second run changes nothing, and what a re-scan still finds was listed as a manual step."""
    work = tmp_path / "scan"
    shutil.copytree(FIXTURES / "projects" / "scan", work)
    planned = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=work).stdout)
    assert planned["refused"] == [] and planned["conflicts"] == []
    assert planned["summary"]["files_changed"] >= 10
    manual = {(s["path"], s["rule_id"]) for s in planned["manual_steps"]}
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    again = run_in_process("rewrite", ".", cwd=work)
    assert again.stdout == "" and "0 files to change" in again.stderr
    rescan = json.loads(run_in_process("scan", "--format", "json", ".", cwd=work).stdout)
    remaining = {(f["path"], f["rule_id"]) for f in rescan["findings"]}
    assert remaining <= manual, remaining - manual
