"""Per-file fault boundary: one file's failure or stall never costs the other files (issue 12).

Every per-file step (read, decode, match, fixable marking, rewrite planning, writing) runs inside `isolated()`
or the `file_budget()` timer. Two outcomes leave that boundary instead of an exception:

- an internal error (a bug of ours on this input): a `FileFailure`, which becomes an `errors` entry
  `{path, message, internal: true}`, one line on stderr and its traceback in a file (`--debug`: on stderr); the
  command exits 2 once every other file's result is written;
- a file over its time budget (`--file-timeout`): the note "too complex, skipped (budget N s)", an ordinary
  `errors` entry like "binary" or "too big" that leaves the exit code alone.

The budget is a real interruption, not a check between steps: `signal.setitimer` raises `FileBudgetExceeded`
in the thread that runs the file (the main thread of a worker process, or of a serial run), which also stops a
backtracking regex (CPython's regex engine polls for signals). Native code that never returns to the
interpreter (a tree-sitter query) cannot be interrupted this way; in parallel scans the engine's watchdog kills
that worker process instead (scan/engine.py).
"""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate.secrets import mask_text

DEFAULT_FILE_TIMEOUT = 30.0
TRACEBACK_PREFIX = "zoho-migrate-tracebacks-"


class FileBudgetExceeded(BaseException):
    """A file ran over its time budget. A BaseException so that `except Exception` inside a pass (which may
    turn a parser error into "does not parse") cannot swallow it and let the file run on."""


@dataclass
class FileFailure:
    """An internal error on one file: what the user sees (one line) and what a bug report needs (traceback)."""

    path: str
    message: str
    traceback: str

    def entry(self) -> dict[str, Any]:
        """The `errors` entry of the JSON contract, marked internal (ordinary skip notes carry no such key)."""
        return {"path": self.path, "message": self.message, "internal": True}


def failure_from(path: str, error: BaseException) -> FileFailure:
    """A FileFailure for `error` raised while handling `path` (call inside the `except` block)."""
    summary = traceback.format_exception_only(type(error), error)[-1].strip()
    where = traceback.extract_tb(error.__traceback__)
    origin = f" (at {Path(where[-1].filename).name}:{where[-1].lineno})" if where else ""
    first_line = summary.splitlines()[0] if summary else type(error).__name__
    # an exception message may quote the input (a token in a ValueError): masked like every other output
    return FileFailure(
        path=path,
        message=mask_text(f"internal error: {first_line[:300]}{origin}"),
        traceback=mask_text("".join(traceback.format_exception(type(error), error, error.__traceback__))),
    )


def budget_note(seconds: float) -> str:
    """The skip note for a file that ran over its budget."""
    return f"too complex, skipped (budget {seconds:g} s)"


def is_internal(entry: dict[str, Any]) -> bool:
    return bool(entry.get("internal"))


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def file_budget(seconds: float | None) -> Iterator[None]:
    """Raise FileBudgetExceeded in this thread once `seconds` have passed (None/0: no budget).

    Only the main thread can receive signals; elsewhere (a caller's own thread) the budget is not enforced.
    The handler checks `armed`, so a signal delivered just after the file finished cannot hit the next one.
    """
    if not seconds or seconds <= 0 or not _can_alarm():
        yield
        return
    armed = True

    def expire(signum: int, frame: object) -> None:
        if armed:
            raise FileBudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write_tracebacks(failures: list[FileFailure]) -> Path:
    """Write every failure's traceback to one new file in the temp folder (mode 0600) and return its path."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix=TRACEBACK_PREFIX, suffix=".log", delete=False
    ) as handle:
        for failure in failures:
            handle.write(f"== {failure.path}: {failure.message}\n{failure.traceback}\n")
    return Path(handle.name)


def report_failures(failures: list[FileFailure], debug: bool, echo: Callable[[str], None] | None = None) -> None:
    """One line per failed file on stderr, then where the tracebacks went (or the tracebacks, with --debug)."""
    if not failures:
        return
    say = echo or (lambda line: print(line, file=sys.stderr))
    unique = dedupe(failures)
    for failure in unique:
        say(f"zoho-migrate: {failure.path}: {failure.message}")
    if debug:
        for failure in unique:
            say(failure.traceback.rstrip())
        return
    try:
        where = write_tracebacks(unique)
    except OSError as error:
        say(f"zoho-migrate: cannot write the tracebacks ({error.strerror or error}); rerun with --debug")
        return
    say(f"zoho-migrate: {len(unique)} files failed internally; tracebacks in {where} (--debug prints them)")


def dedupe(failures: list[FileFailure]) -> list[FileFailure]:
    """Failures once each: `report` scans the same file for the findings and again for the rewrite proposal."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for failure in failures:
        key = (failure.path, failure.message)
        if key not in seen:
            seen.add(key)
            unique.append(failure)
    return unique
