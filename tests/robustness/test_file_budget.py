"""A file over its time budget is skipped as "too complex" (a note, not an internal error); the run goes on.

Three ways a file can stall: Python code (interrupted by the budget's signal), a catastrophic regex in a user's
rule (CPython's regex engine polls for signals, so the same signal stops it), and native code that never looks
at signals (only the parallel watchdog, which kills the worker, can stop that one).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.ruleset import RuleSet
from migrate.scan.engine import PARALLEL_THRESHOLD, ScanOptions, scan_paths
from migrate.scan.matcher import FileMatcher

LEGACY = 'requests.get("https://invoice.zoho.com/api/items", params={"authtoken": TOKEN})\n'
SLOW = "slow.py"
# wall-clock seconds: generous enough that an ordinary small file never runs over on a loaded CI machine
BUDGET = 2.0


def tree(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for index in range(count - 1):
        (root / f"ok{index:03}.py").write_text(LEGACY)
    (root / SLOW).write_text(LEGACY)
    return root


def stall_matcher(monkeypatch: pytest.MonkeyPatch, stall) -> None:  # type: ignore[no-untyped-def]
    original = FileMatcher.run

    def run(self: FileMatcher):  # type: ignore[no-untyped-def]
        if self.path.endswith(SLOW):
            stall()
        return original(self)

    monkeypatch.setattr(FileMatcher, "run", run)


def busy_python() -> None:
    while True:
        pass


def busy_native() -> None:
    """Minutes inside OpenSSL: no bytecode runs, so no Python signal handler can interrupt it."""
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 10**9)


def check(result, count: int, budget: float) -> None:  # type: ignore[no-untyped-def]
    assert {f.path for f in result.findings} == {f"ok{i:03}.py" for i in range(count - 1)}
    assert result.errors == [{"path": SLOW, "message": f"too complex, skipped (budget {budget:g} s)"}]
    assert result.failures == []


def asleep() -> None:
    time.sleep(3600)


@pytest.mark.parametrize(
    "count, jobs, stall", [(3, 1, busy_python), (3, 1, asleep), (PARALLEL_THRESHOLD + 6, 2, busy_python)]
)
def test_python_stall_is_cut_at_the_budget(
    tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch, count: int, jobs: int, stall  # type: ignore[no-untyped-def]
) -> None:
    stall_matcher(monkeypatch, stall)
    started = time.monotonic()
    result = scan_paths([tree(tmp_path / "src", count)], ruleset, ScanOptions(jobs=jobs, file_timeout=BUDGET))
    assert time.monotonic() - started < 20
    check(result, count, BUDGET)


def test_native_stall_is_cut_by_the_watchdog(tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    count = PARALLEL_THRESHOLD + 6
    stall_matcher(monkeypatch, busy_native)
    started = time.monotonic()
    result = scan_paths([tree(tmp_path / "src", count)], ruleset, ScanOptions(jobs=2, file_timeout=BUDGET))
    assert time.monotonic() - started < 30
    check(result, count, BUDGET)


CATASTROPHIC = """rules:
  - id: acme.catastrophic
    category: legacy-endpoint
    severity: warning
    languages: any
    message: A user's rule whose regex backtracks exponentially.
    match:
      keywords: [aaaa]
      regex: '(a+)+$'
"""


def test_catastrophic_user_regex_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(CATASTROPHIC)
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text(LEGACY)
    (src / "long.txt").write_text("a" * 60 + "!\n")
    started = time.monotonic()
    code = main(["scan", "--no-config", "--format", "json", "--file-timeout", "2", "--rules", str(tmp_path / "rules"),
                 str(src)])  # fmt: skip
    assert time.monotonic() - started < 20
    out, err = capsys.readouterr()
    assert code == 1  # the findings of app.py decide; a budget note is not an internal error
    document = json.loads(out)
    assert {f["path"] for f in document["findings"]} == {"app.py"}
    assert document["errors"] == [{"path": "long.txt", "message": "too complex, skipped (budget 2 s)"}]
    assert "note: long.txt: too complex, skipped (budget 2 s)" in err


def test_file_timeout_from_the_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(CATASTROPHIC)
    (tmp_path / ".zoho-migrate.yaml").write_text(f"file-timeout: 1.5\nrules: [{tmp_path / 'rules'}]\n")
    (tmp_path / "long.txt").write_text("a" * 60 + "!\n")
    (tmp_path / ".git").mkdir()
    assert main(["scan", str(tmp_path)]) == 0
    assert "too complex, skipped (budget 1.5 s)" in capsys.readouterr().err


def test_a_stalled_fixable_decision_keeps_the_findings(
    tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migrate.scan import engine as scan_engine

    def stall(*args: object, **kwargs: object) -> set[str]:
        busy_python()
        return set()

    monkeypatch.setattr(scan_engine, "fixable_fingerprints", stall)
    result = scan_paths([tree(tmp_path / "src", 1)], ruleset, ScanOptions(jobs=1, file_timeout=BUDGET))
    assert {f.path for f in result.findings} == {SLOW} and not any(f.fixable for f in result.findings)
    assert result.errors == [{"path": SLOW, "message": "too complex, `fixable` not decided (budget 2 s)"}]
