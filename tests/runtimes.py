"""Language runtimes some tests run (php, ruby, go, node, javac, ...): one marker, one probe, one skip rule.

`@requires_tool("php")` marks a test that runs the php executable. On a developer machine without it the test is
skipped with a one-line reason naming what to install; under CI (`CI=true`, where scripts/ci-runtimes.sh installs
every runtime) a missing runtime fails the test instead, so CI can never go green by skipping them.

A tool counts as present when it runs (`php -v` exits 0), not merely when a file of that name is on PATH, so a
shim that exits 127 reads as absent. `ZOHO_MIGRATE_TEST_WITHOUT=php,node` hides tools on purpose, to check the
skip path on a machine that has them.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

import pytest

# how to ask each tool whether it works, and the Debian package that provides it (for the skip reason)
PROBES: dict[str, tuple[list[str], str]] = {
    "php": (["php", "-v"], "php-cli"),
    "ruby": (["ruby", "-v"], "ruby"),
    "go": (["go", "version"], "golang-go"),
    "gofmt": (["gofmt", "-l", os.devnull], "golang-go"),
    "node": (["node", "--version"], "nodejs"),
    "javac": (["javac", "-version"], "default-jdk-headless"),
    "java": (["java", "-version"], "default-jdk-headless"),
}
HIDE_ENV = "ZOHO_MIGRATE_TEST_WITHOUT"
MARKER = "requires_tool"


def requires_tool(*names: str) -> pytest.MarkDecorator:
    """Mark a test that runs these executables (skipped without them, failed without them under CI)."""
    unknown = [n for n in names if n not in PROBES]
    if unknown:
        raise ValueError(f"requires_tool: no probe for {', '.join(unknown)}; add it to tests/runtimes.py PROBES")
    return getattr(pytest.mark, MARKER)(*names)


@functools.cache
def available(name: str) -> bool:
    """Does `name` run here (and is it not hidden by ZOHO_MIGRATE_TEST_WITHOUT)?"""
    hidden = {n.strip() for n in os.environ.get(HIDE_ENV, "").split(",") if n.strip()}
    if name in hidden or shutil.which(name) is None:
        return False
    try:
        return subprocess.run(PROBES[name][0], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_reason(names: tuple[str, ...]) -> str | None:
    """One line naming the runtimes a test needs that are absent, or None when all are there."""
    missing = [n for n in names if not available(n)]
    if not missing:
        return None
    packages = sorted({PROBES[n][1] for n in missing})
    return f"needs {', '.join(missing)} (not installed: apt-get install {' '.join(packages)}; " \
           "scripts/ci-runtimes.sh does it in CI)"


def _reason(item: pytest.Item) -> str | None:
    return missing_reason(tuple(name for mark in item.iter_markers(MARKER) for name in mark.args))


def mark_skips(items: list[pytest.Item]) -> None:
    """Outside CI, mark tests whose runtimes are missing as skipped (reported at the test, one line each)."""
    if in_ci():
        return
    for item in items:
        reason = _reason(item)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def check(item: pytest.Item) -> None:
    """Under CI, fail a test whose required runtimes are missing instead of letting it skip."""
    if in_ci():
        reason = _reason(item)
        if reason is not None:
            pytest.fail(f"CI=true but this test {reason}: CI must run every runtime test", pytrace=False)
