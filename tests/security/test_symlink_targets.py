"""Symlink clobbering: every file the tool writes refuses a symlink at its name (one line, exit 2, the link's
target untouched and its mode unchanged), and outputs never overwrite a scanned source file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.conftest import LEGACY, one_error_line, run_in_process, untouched


def test_patch_through_symlink_is_refused(project: Path, victim: Path, tmp_path: Path) -> None:
    link = tmp_path / "p.patch"
    link.symlink_to(victim)
    ran = run_in_process("rewrite", "--patch", str(link), str(project), cwd=tmp_path)
    assert ran.returncode == 2 and one_error_line(ran.stderr)
    assert "symbolic link" in ran.stderr
    assert untouched(victim) and link.is_symlink()


@pytest.mark.parametrize("command", [
    ("scan", "--format", "json"),
    ("report", "--format", "markdown"),
])
def test_output_through_symlink_is_refused(command: tuple[str, ...], project: Path, victim: Path,
                                          tmp_path: Path) -> None:
    link = tmp_path / "out.txt"
    link.symlink_to(victim)
    ran = run_in_process(*command, "-o", str(link), str(project), cwd=tmp_path)
    assert ran.returncode == 2 and one_error_line(ran.stderr) and "symbolic link" in ran.stderr
    assert untouched(victim)


def test_write_baseline_through_symlink_is_refused(project: Path, victim: Path, tmp_path: Path) -> None:
    link = tmp_path / "baseline.json"
    link.symlink_to(victim)
    ran = run_in_process("scan", "--write-baseline", str(link), str(project), cwd=tmp_path)
    assert ran.returncode == 2 and one_error_line(ran.stderr) and "symbolic link" in ran.stderr
    assert untouched(victim)


def test_dangling_symlink_is_not_created_through(project: Path, tmp_path: Path) -> None:
    """A link to a file that does not exist yet must not create it (O_CREAT would follow it)."""
    link = tmp_path / "out.sarif"
    link.symlink_to(tmp_path / "created-elsewhere")
    ran = run_in_process("scan", "--format", "sarif", "-o", str(link), str(project), cwd=tmp_path)
    assert ran.returncode == 2 and not (tmp_path / "created-elsewhere").exists()


def test_init_through_symlink_is_refused(victim: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").symlink_to(victim)
    ran = run_in_process("init", str(repo), "--no-workflow", cwd=tmp_path)
    assert ran.returncode == 2 and "symbolic link" in ran.stderr
    assert untouched(victim)


@pytest.mark.parametrize("command", [("scan",), ("report", "--format", "markdown")])
def test_output_equal_to_a_scanned_file_is_refused(command: tuple[str, ...], project: Path, tmp_path: Path) -> None:
    target = project / "sync.py"
    ran = run_in_process(*command, "-o", str(target), str(project), cwd=tmp_path)
    assert ran.returncode == 2 and one_error_line(ran.stderr)
    assert "inside the scanned folder" in ran.stderr
    assert target.read_text() == LEGACY
    ran = run_in_process(*command, "-o", str(target), str(target), cwd=tmp_path)  # the file itself as argument
    assert ran.returncode == 2 and "is a scanned file" in ran.stderr and target.read_text() == LEGACY


def test_new_output_inside_the_root_is_allowed_and_rewritten_next_time(project: Path, tmp_path: Path) -> None:
    """The CI pattern `scan . -o results.sarif` keeps working: a new file, then our own output next time."""
    out = project / "results.sarif"
    for _ in range(2):
        ran = run_in_process("scan", "--format", "sarif", "-o", str(out), str(project), cwd=tmp_path)
        assert ran.returncode == 1, ran.stderr
        assert json.loads(out.read_text())["runs"]


def test_patch_inside_the_root_is_refused(project: Path, tmp_path: Path) -> None:
    """The exact patch holds unmasked secrets: never inside the folders being rewritten (nor over a source)."""
    for target in (project / "sync.py", project / "fix.patch"):
        ran = run_in_process("rewrite", "--patch", str(target), str(project), cwd=tmp_path)
        assert ran.returncode == 2 and one_error_line(ran.stderr) and "inside the scanned folder" in ran.stderr
    assert (project / "sync.py").read_text() == LEGACY and not (project / "fix.patch").exists()


def test_stale_output_is_removed_when_the_run_fails(project: Path, tmp_path: Path) -> None:
    """Nothing of a previous run is left looking current: a run that fails removes the old -o file."""
    out = tmp_path / "scan.json"
    assert run_in_process("scan", "--format", "json", "-o", str(out), str(project), cwd=tmp_path).returncode == 1
    assert out.is_file()
    ran = run_in_process("scan", "--format", "json", "-o", str(out), "--rules", str(tmp_path / "missing"),
                         str(project), cwd=tmp_path)
    assert ran.returncode == 2
    assert not out.exists()
