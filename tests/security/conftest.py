"""Shared bits of the attack tests: a small legacy project, a victim file, and in-process CLI runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.rewrite.test_fixture_projects import run_in_process

LEGACY = ('import requests\n\n\ndef items(t):\n'
          '    return requests.get("https://invoice.zoho.com/api/v3/items", params={"authtoken": t})\n')
VICTIM_TEXT = "precious: must never change\n"

__all__ = ["LEGACY", "VICTIM_TEXT", "run_in_process"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with one legacy Python file (a finding, a rewrite, a helper)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "sync.py").write_text(LEGACY)
    return root


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside every project that an attacker wants overwritten (mode 0640, to see a chmod)."""
    path = tmp_path / "victim.txt"
    path.write_text(VICTIM_TEXT)
    path.chmod(0o640)
    return path


def untouched(path: Path) -> bool:
    """The victim has its text and its mode."""
    return path.read_text() == VICTIM_TEXT and stat.S_IMODE(os.stat(path).st_mode) == 0o640


def one_error_line(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line.startswith("zoho-migrate: error:")]
    return len(lines) == 1 and "Traceback" not in stderr
