"""The progress line: drawn on a terminal, silent in CI and in pipes, never on stdout."""

from __future__ import annotations

import io
import os

from migrate.progress import Progress, wanted
from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(FakeTerminal())
    assert not wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wanted(FakeTerminal())
    monkeypatch.setenv("CI", "false")
    assert wanted(FakeTerminal())


def test_bar_and_counter_lines():
    stream = FakeTerminal()
    with Progress("scanning", total=4, stream=stream, enabled=True) as bar:
        for done in range(1, 5):
            bar(done)
        assert "[" + "#" * 28 + "] 4/4 files" in bar.line()
    assert stream.getvalue().startswith("\rscanning [") and stream.getvalue().endswith("\r\x1b[K")
    counter = Progress("scanning", stream=FakeTerminal(), enabled=True)
    counter(120)
    assert "120 files" in counter.line()


def test_disabled_progress_writes_nothing():
    stream = FakeTerminal()
    bar = Progress("scanning", stream=stream, enabled=False)
    bar(10)
    bar.close()
    assert stream.getvalue() == ""


def test_cli_progress_goes_to_stderr_and_is_off_under_ci():
    forced = run_cli("scan", str(PROJECT), "--format", "json", "--progress")
    assert "zoho-migrate: scanning" in forced.stderr and "scanning" not in forced.stdout
    quiet = run_cli("scan", str(PROJECT), "--format", "json", env={**os.environ, "CI": "true"})
    assert "scanning" not in quiet.stderr


def test_clock_keeps_moving_while_the_count_waits():
    import time

    stream = FakeTerminal()
    with Progress("scanning", stream=stream, enabled=True) as meter:
        meter(5)
        first = stream.getvalue().count("\r")
        time.sleep(0.8)  # no progress call: the ticker redraws
        assert stream.getvalue().count("\r") >= first + 2
    size = len(stream.getvalue())
    time.sleep(0.4)
    assert len(stream.getvalue()) == size  # closed: nothing more is drawn
