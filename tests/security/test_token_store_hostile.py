"""The token store against other users and planted files: refused with one line saying why and how to fix, the
file never changed (content, mode, journal mode); a store that was readable by others is tightened with a
warning to revoke its tokens."""

from __future__ import annotations

import hashlib
import os
import pwd
import sqlite3
import stat
from pathlib import Path

import pytest

from migrate.auth.file_store import FileTokenStore
from migrate.auth.sqlite_store import SQLiteTokenStore
from migrate.auth.token import Token
from migrate.errors import ConfigError

KINDS = [("tokens.db", SQLiteTokenStore), ("tokens.json", FileTokenStore)]


def _fingerprint(path: Path) -> tuple[str, int, int]:
    info = os.lstat(path)
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.S_IMODE(info.st_mode), info.st_uid


def _make_store(path: Path, cls) -> None:
    store = cls(path)
    store.save_token(Token(client_id="1000.C", client_secret="s" * 40, refresh_token="1000." + "r" * 32))
    if hasattr(store, "close"):
        store.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


@pytest.mark.parametrize(("name", "cls"), KINDS)
def test_world_writable_store_is_refused_untouched(name, cls, tmp_path):
    path = tmp_path / name
    _make_store(path, cls)
    path.chmod(0o666)
    before = _fingerprint(path)
    with pytest.raises(ConfigError) as refused:
        cls(path)
    message = str(refused.value)
    assert "writable by group or others (mode 0666)" in message and f"chmod 600 {path}" in message
    assert _fingerprint(path) == before and not Path(str(path) + "-wal").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize(("name", "cls"), KINDS)
def test_store_owned_by_another_user_is_refused_untouched(name, cls, tmp_path):
    """The issue's attack: a store pre-created by another user (0666 in a 1777 folder) must not receive tokens."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    path = shared / name
    _make_store(path, cls)
    path.chmod(0o600)
    nobody = pwd.getpwnam("nobody")
    os.chown(path, nobody.pw_uid, nobody.pw_gid)
    before = _fingerprint(path)
    with pytest.raises(ConfigError) as refused:
        cls(path)
    assert f"owned by another user (uid {nobody.pw_uid})" in str(refused.value)
    assert "move it away" in str(refused.value)
    assert _fingerprint(path) == before


@pytest.mark.parametrize(("name", "cls"), KINDS)
def test_store_symlink_is_refused_and_target_mode_kept(name, cls, tmp_path, victim):
    link = tmp_path / name
    link.symlink_to(victim)
    with pytest.raises(ConfigError) as refused:
        cls(link)
    assert "symbolic link" in str(refused.value)
    assert victim.read_text().startswith("precious") and stat.S_IMODE(victim.stat().st_mode) == 0o640


@pytest.mark.parametrize(("name", "cls"), KINDS)
def test_readable_store_is_tightened_with_a_revoke_warning_once(name, cls, tmp_path, capsys):
    path = tmp_path / name
    _make_store(path, cls)
    path.chmod(0o644)
    cls(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    err = capsys.readouterr().err
    assert "was readable by others (mode 0644)" in err and "zoho-migrate auth revoke" in err
    path.chmod(0o644)
    cls(path)
    assert "readable by others" not in capsys.readouterr().err  # once per store and run


def test_wrong_schema_sqlite_is_refused_untouched(tmp_path):
    """A zoho_tokens table of another shape: refused before any write (no WAL switch), and the message is true."""
    path = tmp_path / "tokens.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE zoho_tokens (id TEXT, note TEXT)")
    conn.commit()
    conn.close()
    path.chmod(0o600)
    before = _fingerprint(path)
    with pytest.raises(ConfigError) as refused:
        SQLiteTokenStore(path)
    assert "lacks the columns" in str(refused.value) and "left untouched" in str(refused.value)
    assert _fingerprint(path) == before and not Path(str(path) + "-wal").exists()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    check.close()


def test_store_refusal_via_cli_is_one_line(tmp_path):
    from tests.conftest import run_cli

    path = tmp_path / "tokens.db"
    _make_store(path, SQLiteTokenStore)
    path.chmod(0o666)
    ran = run_cli("auth", "list", "--store", f"sqlite:{path}")
    assert ran.returncode == 2 and ran.stderr.count("\n") == 1 and "writable by group or others" in ran.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o666
