"""`rewrite` draws a progress line on stderr only when asked or on a terminal; never in pipes or CI."""

from __future__ import annotations

import os

from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"


def test_progress_line_when_asked():
    proc = run_cli("rewrite", str(PROJECT), "--progress")
    assert "zoho-migrate: rewrite: scanning" in proc.stderr
    assert proc.stdout.startswith("--- a/")  # the diff itself is untouched


def test_no_progress_in_a_pipe_or_ci():
    for env in ({**os.environ, "CI": "true"}, {k: v for k, v in os.environ.items() if k != "CI"}):
        proc = run_cli("rewrite", str(PROJECT), env=env)
        assert "scanning" not in proc.stderr
