"""A progress line on stderr for long scans and rewrites: drawn only on a terminal, silent in CI and in pipes.

Callers hand it to a stage as `progress(done)`; with a known total it draws a bar, otherwise a counter with the
rate. Redraws are throttled so a fast scan of many small files does not spend its time printing, and a ticker
thread (only when drawing) keeps the clock moving while one slow file holds the count.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

SPINNER = "|/-\\"
BAR_WIDTH = 28
REDRAW_SECONDS = 0.1
TICK_SECONDS = 0.25


def wanted(stream: TextIO | None = None) -> bool:
    """Draw progress? Only on an interactive terminal and never under CI (the `CI` variable every CI sets)."""
    stream = stream or sys.stderr
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """`progress(done)` redraws one line; `close()` erases it. Does nothing at all when disabled."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        unit: str = "files",
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.done = 0
        self.drawn = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._closed = False

    def __call__(self, done: int) -> None:
        self.done = done
        if not self.enabled:
            return
        if self._ticker is None:
            # a slow file holds up the count; the ticker keeps the clock (and the spinner) moving meanwhile
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()
        if time.monotonic() - self.last_draw >= REDRAW_SECONDS or done == self.total:
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            if self._closed:
                return
            now = time.monotonic()
            self.last_draw = now
            self.stream.write("\r" + self.line(now) + "\x1b[K")
            self.stream.flush()
            self.drawn = True

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            if time.monotonic() - self.last_draw >= TICK_SECONDS:
                self._draw()

    def line(self, now: float | None = None) -> str:
        """The text of the progress line (without terminal control characters)."""
        elapsed = (now or time.monotonic()) - self.started
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(fraction * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self.label} [{bar}] {self.done}/{self.total} {self.unit} {elapsed:.1f}s"
        rate = self.done / elapsed if elapsed > 0 else 0.0
        spin = SPINNER[int(elapsed / REDRAW_SECONDS) % len(SPINNER)]
        return f"{self.label} {spin} {self.done} {self.unit} ({rate:.0f}/s) {elapsed:.1f}s"

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
        with self._lock:
            self._closed = True
            if self.drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
