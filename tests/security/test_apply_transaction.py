"""`rewrite --apply` against a hostile or busy tree: folder symlinks leading out, a concurrent writer, a full
disk, Ctrl-C in the middle, read-only files, and scan's own configuration and output recognition."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from migrate.rewrite import apply as apply_module
from migrate.rewrite.plan import RewriteOptions, plan_rewrite
from tests.security.conftest import LEGACY, one_error_line, run_in_process, untouched

REPO = Path(__file__).resolve().parents[2]


def test_folder_symlink_out_of_the_root_is_not_followed(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.py").write_text(LEGACY)
    (project / "up").symlink_to(outside)
    dry = run_in_process("rewrite", "--format", "json", str(project), cwd=tmp_path)
    refused = {r["path"]: r["reason"] for r in json.loads(dry.stdout)["refused"]}
    assert "outside the folders given" in refused["up/other.py"]
    ran = run_in_process("rewrite", "--apply", "--allow-dirty", str(project), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "up/other.py" in ran.stderr and "symbolic link" in ran.stderr
    assert (outside / "other.py").read_text() == LEGACY  # not edited
    assert not (outside / "zoho_auth.py").exists()  # and no helper created out there
    assert "zoho_auth" in (project / "sync.py").read_text() and (project / "zoho_auth.py").is_file()


def test_parent_folder_symlink_is_not_followed(project: Path, tmp_path: Path) -> None:
    """The issue's `proj/up -> ..`: the parent's files are outside the root."""
    (tmp_path / "neighbour.py").write_text(LEGACY)
    (project / "up").symlink_to("..")
    assert run_in_process("rewrite", "--apply", "--allow-dirty", str(project), cwd=tmp_path).returncode == 0
    assert (tmp_path / "neighbour.py").read_text() == LEGACY


def test_concurrent_writer_between_plan_and_rename_wins(project: Path, ruleset) -> None:
    """The compare-and-swap runs right before the rename: a change made then is kept, the file refused."""
    plan = plan_rewrite([project], ruleset, RewriteOptions())
    theirs = LEGACY + "# edited by someone else meanwhile\n"

    def concurrent_writer(path: Path) -> None:
        path.write_text(theirs)

    report = plan.apply([project], before_swap=concurrent_writer)
    assert report.written == []
    assert any(p == "sync.py" and "other writer's version was kept" in r for p, r in report.refused)
    assert (project / "sync.py").read_text() == theirs
    assert not list(project.glob(".*.zoho-migrate"))  # no temporary file left behind


def test_concurrent_writer_thread_never_loses_an_edit(project: Path, ruleset) -> None:
    """A real second thread writes while the apply runs: whichever wins, no edit is silently lost."""
    import threading

    for attempt in range(5):
        (project / "sync.py").write_text(LEGACY)
        plan = plan_rewrite([project], ruleset, RewriteOptions())
        theirs = LEGACY + f"# theirs {attempt}\n"
        started = threading.Event()

        def writer(path: Path, text: str = theirs, started: threading.Event = started) -> None:
            started.set()
            path.write_text(text)

        def hook(path: Path) -> None:
            thread = threading.Thread(target=writer, args=(path,))
            thread.start()
            thread.join()

        report = plan.apply([project], before_swap=hook)
        assert started.is_set()
        assert (project / "sync.py").read_text() == theirs and report.written == []


def test_read_only_file_is_refused_with_a_warning(project: Path, tmp_path: Path) -> None:
    target = project / "sync.py"
    target.chmod(0o444)
    ran = run_in_process("rewrite", "--apply", "--allow-dirty", str(project), cwd=tmp_path)
    assert ran.returncode == 0
    assert "read-only file (mode 0444): not replaced" in ran.stderr
    assert target.read_text() == LEGACY and oct(target.stat().st_mode & 0o777) == "0o444"


def test_full_disk_during_patch_keeps_the_old_patch(project: Path, tmp_path: Path, monkeypatch) -> None:
    old = tmp_path / "old.patch"
    old.write_text("the previous patch\n")
    old.chmod(0o600)
    calls = {"n": 0}

    def full_disk(descriptor: int, data) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(descriptor, bytes(data[:16]))  # a partial first write, then the disk is full

    monkeypatch.setattr("migrate.safeio.os.write", full_disk)
    ran = run_in_process("rewrite", "--patch", str(old), str(project), cwd=tmp_path)
    monkeypatch.undo()
    assert ran.returncode == 2 and one_error_line(ran.stderr)
    assert "No space left on device" in ran.stderr and "intact" in ran.stderr
    assert old.read_text() == "the previous patch\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.patch", "proj"]  # no partial temp file


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@e"})


def test_sigint_during_apply_then_status_and_resume(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    for name in ("a.py", "b.py", "c.py"):
        (root / name).write_text(LEGACY)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "legacy")
    env = {**os.environ, apply_module.PAUSE_ENV: "2", "PYTHONPATH": str(REPO)}  # helper, a.py, then pause
    proc = subprocess.Popen([sys.executable, "-m", "migrate", "rewrite", "--apply", str(root)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while "zoho_auth" not in (root / "a.py").read_text():
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    journal = root / apply_module.JOURNAL_NAME
    assert journal.is_file() and oct(journal.stat().st_mode & 0o777) == "0o600"
    assert (root / "zoho_auth.py").is_file()  # the helper came first: a.py's import resolves
    assert (root / "b.py").read_text() == LEGACY

    status = run_in_process("rewrite", "--status", str(root), cwd=tmp_path)
    assert status.returncode == 0
    assert "2 of 4 files written" in status.stdout
    assert "  written: a.py" in status.stdout and "  not written: b.py" in status.stdout
    assert "  written: zoho_auth.py" in status.stdout

    # a.py and zoho_auth.py are uncommitted now, but they are this tool's own interrupted writes: no --allow-dirty
    resumed = run_in_process("rewrite", "--apply", str(root), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "finished an interrupted apply" in resumed.stderr
    assert all("zoho_auth" in (root / n).read_text() for n in ("a.py", "b.py", "c.py"))
    assert not journal.exists()
    assert "no interrupted apply" in run_in_process("rewrite", "--status", str(root), cwd=tmp_path).stdout


def test_apply_honours_config_excludes_and_skips_own_outputs(project: Path, tmp_path: Path) -> None:
    (project / "vendor").mkdir()
    (project / "vendor" / "lib.py").write_text(LEGACY)
    (project / ".zoho-migrate.yaml").write_text("exclude: ['vendor/*']\n")
    report = run_in_process("report", str(project), "-o", str(project / "review.md"), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    before = (project / "review.md").read_text()
    ran = run_in_process("rewrite", "--apply", "--allow-dirty", str(project), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (project / "vendor" / "lib.py").read_text() == LEGACY  # excluded by the project's configuration
    assert (project / "review.md").read_text() == before  # our own report is never rewritten
    assert "zoho_auth" in (project / "sync.py").read_text()


def test_symlinked_journal_name_is_not_written_through(project: Path, victim: Path, tmp_path: Path) -> None:
    (project / apply_module.JOURNAL_NAME).symlink_to(victim)
    ran = run_in_process("rewrite", "--apply", "--allow-dirty", str(project), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert untouched(victim) and "zoho_auth" in (project / "sync.py").read_text()
