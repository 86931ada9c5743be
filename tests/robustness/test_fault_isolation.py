"""One file's internal failure never costs the others, and the run says so with exit 2 (issue 12).

Failures are injected the way a real bug would surface: a matcher, the fixable marking or the rewriter raises
for one path. Checked in-process (serial and the process pool: PARALLEL_THRESHOLD files) and through the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.rewrite import plan as rewrite_plan
from migrate.rewrite.plan import RewriteOptions, plan_rewrite
from migrate.ruleset import RuleSet
from migrate.scan import engine
from migrate.scan import engine as scan_engine
from migrate.scan.engine import PARALLEL_THRESHOLD, ScanOptions, scan_paths
from migrate.scan.matcher import FileMatcher

LEGACY = 'import requests\nrequests.get("https://invoice.zoho.com/api/items", params={"authtoken": TOKEN})\n'
BAD = "bad.py"


@pytest.fixture(autouse=True)
def traceback_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Traceback files go to this test's folder, not the machine's temp folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def tree(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for index in range(count - 1):
        (root / f"ok{index:03}.py").write_text(LEGACY)
    (root / BAD).write_text(LEGACY)
    return root


def break_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    """FileMatcher.run raises for bad.py only (forked workers inherit the patch)."""
    original = FileMatcher.run

    def run(self: FileMatcher):  # type: ignore[no-untyped-def]
        if self.path.endswith(BAD):
            raise KeyError("$")
        return original(self)

    monkeypatch.setattr(FileMatcher, "run", run)


@pytest.mark.parametrize("count, jobs", [(3, 1), (PARALLEL_THRESHOLD + 6, 2)])
def test_a_failing_file_costs_only_itself(
    tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch, count: int, jobs: int
) -> None:
    root = tree(tmp_path / "src", count)
    break_matcher(monkeypatch)
    result = scan_paths([root], ruleset, ScanOptions(jobs=jobs))
    assert {f.path for f in result.findings} == {f"ok{i:03}.py" for i in range(count - 1)}
    [entry] = [e for e in result.errors if e.get("internal")]
    assert entry["path"] == BAD and entry["internal"] is True
    assert entry["message"].startswith("internal error: KeyError: '$' (at test_fault_isolation.py:")
    assert len(result.failures) == 1 and "KeyError: '$'" in result.failures[0].traceback
    assert result.files_scanned == count - 1 and result.files_skipped == 1


def test_scan_file_never_raises(tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path / "src", 1)
    break_matcher(monkeypatch)
    engine._prepare(ruleset, 1 << 20)
    outcome = engine.scan_file(root / BAD, BAD)
    assert outcome.failure is not None and outcome.findings == []


def test_fixable_failure_keeps_the_findings(tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path / "src", 2)

    def explode(*args: object, **kwargs: object) -> set[str]:
        raise RuntimeError("rewriter bug")

    monkeypatch.setattr(scan_engine, "fixable_fingerprints", explode)
    result = scan_paths([root], ruleset, ScanOptions(jobs=1))
    assert {f.path for f in result.findings} == {"ok000.py", BAD}
    assert not any(f.fixable for f in result.findings)
    assert {e["path"] for e in result.errors if e.get("internal")} == {"ok000.py", BAD}


def test_rewrite_plan_isolates_a_file(tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path / "src", 3)
    original = rewrite_plan.rewrite_text

    def rewrite_text(display: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if display == BAD:
            raise IndexError("string index out of range")
        return original(display, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rewrite_plan, "rewrite_text", rewrite_text)
    plan = plan_rewrite([root], ruleset, RewriteOptions(jobs=1))
    assert {f.path for f in plan.changed if not f.created} == {"ok000.py", "ok001.py"}
    assert [(f.path, f.message.split(" (at")[0]) for f in plan.failures] == [
        (BAD, "internal error: IndexError: string index out of range")
    ]
    assert plan.to_json()["errors"][0]["internal"] is True


def test_cli_exit_codes_and_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(tmp_path / "src", 3)
    break_matcher(monkeypatch)
    sarif = tmp_path / "out.sarif"
    assert main(["scan", "--no-config", "--format", "sarif", "-o", str(sarif), str(root)]) == 2
    err = capsys.readouterr().err
    assert f"zoho-migrate: {BAD}: internal error: KeyError: '$'" in err
    log = Path(err.split("tracebacks in ")[1].split(" ")[0])
    assert log.parent == tmp_path and log.stat().st_mode & 0o077 == 0
    assert "Traceback" in log.read_text() and "KeyError" in log.read_text()
    assert "Traceback" not in err
    run = json.loads(sarif.read_text())["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "ok000.py", "ok001.py"
    }
    log.unlink()
    assert main(["scan", "--no-config", "--debug", str(root)]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert main(["rewrite", str(root)]) == 2
    out, err = capsys.readouterr()
    assert "ok000.py" in out and f"{BAD}: internal error" in err
    assert main(["scopes", "--debug", str(root)]) == 2
    assert "ZohoInvoice" in capsys.readouterr().out
    assert main(["report", "--no-config", "--debug", "-o", str(tmp_path / "r.md"), str(root)]) == 2
    assert "ok000.py" in (tmp_path / "r.md").read_text()


def test_cli_in_parallel_mode(tmp_path: Path) -> None:
    """The CLI as a user runs it, with the pool (--jobs 2, enough files) and a matcher bug on one file."""
    root = tree(tmp_path / "src", PARALLEL_THRESHOLD + 10)
    script = textwrap.dedent(f"""
        import sys
        from migrate.scan.matcher import FileMatcher
        original = FileMatcher.run
        def run(self):
            if self.path.endswith({BAD!r}):
                raise KeyError("$")
            return original(self)
        FileMatcher.run = run
        from migrate.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script, "scan", "--no-config", "--jobs", "2", "--format", "json", "--debug", str(root)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    document = json.loads(proc.stdout)
    assert len({f["path"] for f in document["findings"]}) == PARALLEL_THRESHOLD + 9
    assert [e["path"] for e in document["errors"] if e.get("internal")] == [BAD]
    assert "KeyError: '$'" in proc.stderr


def test_skip_notes_do_not_change_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    root.mkdir()
    (root / "big.py").write_text(LEGACY * 100)
    (root / "clean.py").write_text("print('hello')\n")
    assert main(["scan", "--no-config", "--max-file-size", "100", str(root)]) == 0
    err = capsys.readouterr().err
    assert "note: big.py: larger than 100 bytes" in err and "internal" not in err


def test_a_bug_outside_the_boundaries_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:  # fmt: skip
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("walk bug")

    monkeypatch.setattr(engine, "Walker", explode)
    assert main(["scan", "--no-config", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: walk bug" in err and "Traceback" not in err


def test_history_scan_isolates_a_blob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ok.py").write_text('t = "https://invoice.zoho.com/api/items?authtoken=0123456789abcdef0123456789abcdef"\n')
    (repo / BAD).write_text('t = "https://invoice.zoho.com/api/items?authtoken=0123456789abcdef0123456789abcdef"\n')
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    break_matcher(monkeypatch)
    assert main(["scan", "--no-config", "--history", "--format", "github", "--debug", str(repo)]) == 2
    out, err = capsys.readouterr()
    assert "file=ok.py" in out and f"::error file={BAD}@" in out
    assert "KeyError: '$'" in err


def test_failure_messages_and_tracebacks_are_masked() -> None:
    from migrate.faults import failure_from

    token = "a8b6de25b5bf481824c9c4173c56231a"
    try:
        int(token)
    except ValueError as error:
        failure = failure_from("x.py", error)
    assert token not in failure.message and token not in failure.traceback
    assert "a8b6…231a" in failure.message


def test_a_worker_dying_on_a_file_costs_only_that_file(
    tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in native code kills the worker process: the pool is replaced, the file reported, the rest kept."""
    import os

    count = PARALLEL_THRESHOLD + 6
    root = tree(tmp_path / "src", count)
    original = FileMatcher.run

    def run(self: FileMatcher):  # type: ignore[no-untyped-def]
        if self.path.endswith(BAD):
            os._exit(139)  # what a segfault in a grammar looks like from the pool's side
        return original(self)

    monkeypatch.setattr(FileMatcher, "run", run)
    result = scan_paths([root], ruleset, ScanOptions(jobs=2))
    assert {f.path for f in result.findings} == {f"ok{i:03}.py" for i in range(count - 1)}
    assert [(f.path, f.message) for f in result.failures] == [
        (BAD, "internal error: the worker process died on this file (exit code 139)")
    ]
