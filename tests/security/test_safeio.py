"""The one writer every output goes through (migrate.safeio), at the edges a CLI test cannot reach."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from migrate.safeio import UnsafeTarget, atomic_write, remove_stale
from tests.security.conftest import untouched


def test_link_planted_after_the_check_is_not_written_through(tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def plant() -> None:  # the race: the name becomes a link between the first check and the rename
        target.unlink()
        target.symlink_to(victim)

    with pytest.raises(UnsafeTarget):
        atomic_write(target, b"new", before_rename=plant)
    assert untouched(victim) and target.is_symlink()
    assert not list(tmp_path.glob(".out.json.*"))


def test_new_file_mode_follows_umask_and_existing_mode_is_kept(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.txt"
    old = os.umask(0o027)
    try:
        atomic_write(fresh, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    kept = tmp_path / "kept.sh"
    kept.write_text("old")
    kept.chmod(0o751)
    atomic_write(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o751 and kept.read_text() == "new"


def test_exclusive_never_replaces_and_works_without_hard_links(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "helper.py"
    atomic_write(target, b"one", exclusive=True, mode=0o644)
    with pytest.raises(FileExistsError):
        atomic_write(target, b"two", exclusive=True, mode=0o644)
    assert target.read_text() == "one"

    def no_links(*_: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    other = tmp_path / "other.py"
    atomic_write(other, b"three", exclusive=True, mode=0o644)
    assert other.read_text() == "three" and not list(tmp_path.glob(".other.py.*"))


def test_remove_stale_never_removes_a_link(tmp_path: Path, victim: Path) -> None:
    link = tmp_path / "report.html"
    link.symlink_to(victim)
    assert remove_stale(link) is False and untouched(victim) and link.is_symlink()
