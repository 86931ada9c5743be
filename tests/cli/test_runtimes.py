"""The runtime rule as a developer and as CI meet it: a missing php skips with one line, and fails under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

PHP_TEST = "tests/rewrite/test_helper_runtimes.py::test_php_helper_calls_the_v3_api"


def _pytest(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", PHP_TEST],
                          cwd=REPO, env={**base, **env}, capture_output=True, text=True, timeout=300)


def test_missing_runtime_skips_with_one_line_reason():
    result = _pytest(ZOHO_MIGRATE_TEST_WITHOUT="php")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "test_helper_runtimes.py" in result.stdout and "needs php (not installed: apt-get install php-cli" \
        in result.stdout


def test_missing_runtime_fails_under_ci():
    result = _pytest(ZOHO_MIGRATE_TEST_WITHOUT="php", CI="true")
    assert result.returncode == 1, result.stdout
    assert "CI=true but this test needs php" in result.stdout and "skipped" not in result.stdout
