"""Token stores on real files: the six-method protocol, 0600 files, SQL injection stored verbatim, corrupt
files refused and left untouched, custom `python:` stores, and no lost rows under concurrent writers."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrate.auth.store import FileTokenStore, SQLiteTokenStore, Token, TokenStore, open_store
from migrate.errors import ConfigError

INJECTIONS = [
    "x'); DROP TABLE zoho_tokens; --",
    "' OR '1'='1",
    "\"; DELETE FROM zoho_tokens WHERE \"\"=\"",
    "Robert'); DROP TABLE students;--",
    "1000.abc'||(SELECT sqlite_version())||'",
    "\u0000nul and ünïcödé \n newline",
]


@pytest.fixture(params=["sqlite", "file"])
def store(request, tmp_path) -> TokenStore:
    if request.param == "sqlite":
        return open_store(f"sqlite:{tmp_path / 'tokens.db'}")
    return open_store(f"file:{tmp_path / 'tokens.json'}")


def full_token(**overrides) -> Token:
    values = dict(user_name="ada@zylker.example", client_id="1000.CLIENT", client_secret="s3cr3t-value-123",
                  refresh_token="1000.r.r", access_token="1000.a.a", grant_token=None,
                  expiry_time=1_900_000_000_000, redirect_url="http://127.0.0.1:8915/oauth/callback",
                  api_domain="https://www.zohoapis.eu", accounts_url="https://accounts.zoho.eu",
                  scopes=["ZohoInvoice.settings.READ", "ZohoInvoice.invoices.READ"])
    values.update(overrides)
    return Token(**values)


def test_six_methods_round_trip(store):
    assert isinstance(store, TokenStore)
    assert store.get_tokens() == []
    first = full_token()
    store.save_token(first)
    assert first.id
    second = full_token(refresh_token="1000.other.other", user_name="bob")
    store.save_token(second)
    assert second.id != first.id
    assert store.find_token_by_id(first.id) == first
    assert store.find_token(Token(client_id="1000.CLIENT", refresh_token="1000.other.other")) == second
    assert store.find_token(Token(client_id="another", refresh_token="1000.other.other")) is None
    assert store.find_token(Token(user_name="bob")) == second
    assert store.find_token(Token()) is None
    assert [t.id for t in store.get_tokens()] == [first.id, second.id]
    store.delete_token(first.id)
    assert store.find_token_by_id(first.id) is None
    assert store.get_tokens() == [second]
    store.delete_token("not-there")  # no error
    store.delete_tokens()
    assert store.get_tokens() == []


def test_save_updates_the_matching_record(store):
    token = full_token()
    store.save_token(token)
    again = full_token(access_token="1000.new.new", expiry_time=1_900_000_999_000)
    store.save_token(again)  # no id, same client + refresh token: the same record
    assert again.id == token.id
    assert len(store.get_tokens()) == 1
    assert store.find_token_by_id(token.id).access_token == "1000.new.new"


@pytest.mark.parametrize("field", ["user_name", "client_id", "client_secret", "refresh_token", "access_token",
                                   "grant_token", "redirect_url", "api_domain", "accounts_url", "id"])
def test_injection_strings_stored_verbatim(store, field):
    for value in INJECTIONS:
        token = full_token(**{field: value, "refresh_token": f"rt-{value}" if field != "refresh_token" else value})
        store.save_token(token)
        got = store.find_token_by_id(token.id)
        assert got is not None and getattr(got, field) == value
        if field != "id":
            assert store.find_token(Token(client_id=token.client_id, refresh_token=token.refresh_token)) == got
    assert len(store.get_tokens()) == len(INJECTIONS)


def test_injection_in_scopes_and_sqlite_table_intact(tmp_path):
    store = SQLiteTokenStore(tmp_path / "t.db")
    store.save_token(full_token(scopes=["A.b'); DROP TABLE zoho_tokens;--"], user_name=INJECTIONS[0]))
    store.close()
    with sqlite3.connect(tmp_path / "t.db") as db:
        rows = db.execute("SELECT user_name, scopes FROM zoho_tokens").fetchall()
    assert rows == [(INJECTIONS[0], "A.b'); DROP TABLE zoho_tokens;--")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_0600_and_wal(tmp_path):
    path = tmp_path / "new" / "dir" / "tokens.db"
    store = SQLiteTokenStore(path)
    store.save_token(full_token())
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        assert side.exists() and mode(side) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_file_store_is_0600_and_replaced_atomically(tmp_path):
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    store.save_token(full_token())
    inode = path.stat().st_ino
    assert mode(path) == 0o600
    store.save_token(full_token(refresh_token="1000.second.second"))
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert mode(path) == 0o600
    assert mode(path.with_name("tokens.json.lock")) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and len(doc["tokens"]) == 2


def test_existing_world_readable_store_is_tightened(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text('{"version": 1, "tokens": []}')
    path.chmod(0o644)
    FileTokenStore(path)
    assert mode(path) == 0o600


@pytest.mark.parametrize("content", [b"this is not a database, just text\n" * 10, b"\x00\x01garbage" * 300,
                                     b"SQLite format 3\x00" + b"\xff" * 2000])
def test_corrupt_sqlite_store_refused_and_untouched(tmp_path, content):
    path = tmp_path / "tokens.db"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        open_store(f"sqlite:{path}")
    message = str(info.value)
    assert str(path) in message and "left untouched" in message and "\n" not in message
    assert path.read_bytes() == content
    assert not path.with_name("tokens.db-wal").exists()


def test_foreign_sqlite_database_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="not a zoho-migrate token store"):
        open_store(f"sqlite:{path}")
    assert path.read_bytes() == before


@pytest.mark.parametrize("content, line", [('{"version": 1, "tokens": [\n  {"id": "a",}\n]}', 2),
                                           ("not json", 1), ('["a list"]', None)])
def test_corrupt_file_store_refused_and_untouched(tmp_path, content, line):
    path = tmp_path / "tokens.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        open_store(f"file:{path}")
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: " if line else f"{path}: ")
    assert path.read_text() == content


@pytest.mark.parametrize("spec, expected", [
    ("tokens.db", "expected sqlite:PATH"),
    ("mysql:db", "unknown kind 'mysql'"),
    ("sqlite:", "expected sqlite:PATH"),
    ("python:nosuchmodule_xyz:Store", "cannot import nosuchmodule_xyz"),
    ("python:json:NoSuchClass", "has no NoSuchClass"),
    ("python:collections:OrderedDict", "lacks TokenStore methods"),
    ("python:onlymodule", "expected python:module:Class"),
])
def test_bad_store_specs(spec, expected):
    with pytest.raises(ConfigError, match=expected):
        open_store(spec)


def test_python_store_class(tmp_path, monkeypatch):
    (tmp_path / "my_tokens.py").write_text(textwrap.dedent("""
        class MemoryStore:
            def __init__(self):
                self.rows = {}
            def find_token(self, token):
                return next((t for t in self.rows.values() if t.matches(token)), None)
            def save_token(self, token):
                token.id = token.id or str(len(self.rows) + 1)
                self.rows[token.id] = token
            def delete_token(self, id):
                self.rows.pop(id, None)
            def get_tokens(self):
                return list(self.rows.values())
            def delete_tokens(self):
                self.rows.clear()
            def find_token_by_id(self, id):
                return self.rows.get(id)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    store = open_store("python:my_tokens:MemoryStore")
    token = full_token()
    store.save_token(token)
    assert store.find_token(Token(client_id=token.client_id, refresh_token=token.refresh_token)) is token


WRITER = textwrap.dedent("""
    import sys
    from migrate.auth.store import open_store, Token
    store = open_store(sys.argv[1])
    for i in range(int(sys.argv[3])):
        store.save_token(Token(client_id="c", refresh_token=f"{sys.argv[2]}-{i}", user_name=sys.argv[2]))
""")


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_concurrent_writers_lose_nothing(tmp_path, kind):
    spec = f"{kind}:{tmp_path / ('t.db' if kind == 'sqlite' else 't.json')}"
    open_store(spec)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, spec, f"w{n}", "10"]) for n in range(4)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    tokens = open_store(spec).get_tokens()
    assert sorted(t.refresh_token for t in tokens) == sorted(f"w{n}-{i}" for n in range(4) for i in range(10))
    assert len({t.id for t in tokens}) == 40


def test_default_store_in_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = open_store(None)
    assert isinstance(store, SQLiteTokenStore)
    assert store.path == tmp_path / "xdg" / "zoho-migrate" / "tokens.db"
    assert mode(store.path) == 0o600


def test_token_freshness_and_masking():
    token = full_token(expiry_time=None)
    assert token.seconds_left() is None and not token.is_fresh(0)
    token.expiry_time = int((1_000_000 + 600) * 1000)
    assert token.is_fresh(300, now=1_000_000) and not token.is_fresh(700, now=1_000_000)
    shown = token.masked()
    assert "s3cr3t-value-123" not in json.dumps(shown)
    assert shown["client_id"] == "1000.CLIENT"


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_unusable_locations_are_one_line_errors(tmp_path, kind):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot create the token store") as info:
        open_store(f"{kind}:{blocker / 'tokens'}")
    assert "\n" not in str(info.value)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(ConfigError, match="not a regular file"):
        open_store(f"{kind}:{folder}")
