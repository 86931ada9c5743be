"""The default token store: one SQLite file, mode 0600, WAL, parameterized SQL only.

Why SQLite: atomic multi-process updates with a busy timeout, no server, and a file the user can inspect.
Every statement binds values with `?`; column names come from the Token dataclass, never from input.
A file that is not a SQLite database (or not ours) is refused with one line and left exactly as it was.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from migrate import logmask
from migrate.auth.perms import create_private_file, tighten, tighten_store, vet_store_file
from migrate.auth.token import Token
from migrate.errors import ConfigError

SCHEMA_VERSION = 1
COLUMNS = Token.field_names()
_CREATE = (
    "CREATE TABLE IF NOT EXISTS zoho_tokens ("
    "id TEXT PRIMARY KEY, user_name TEXT, client_id TEXT, client_secret TEXT, refresh_token TEXT, "
    "access_token TEXT, grant_token TEXT, expiry_time INTEGER, redirect_url TEXT, api_domain TEXT, "
    "accounts_url TEXT, scopes TEXT, updated_at INTEGER DEFAULT (CAST(strftime('%s','now') AS INTEGER)))"
)
BUSY_TIMEOUT_SECONDS = 30.0


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _reason(error: sqlite3.Error) -> str:
    """Why SQLite refused the file, in words a user can act on."""
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and _busy(error):
        return "locked by another process"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"not a SQLite database, or a damaged one ({text})"
    return text


class SQLiteTokenStore:
    """TokenStore on a SQLite file (see module docstring). Safe across threads and processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        # serialises token refreshes across processes (see migrate.auth.access); SQLite locks its own writes
        self.lock_path = self.path.with_name(self.path.name + ".refresh.lock")
        self._lock = threading.Lock()
        try:
            created = create_private_file(self.path)
        except OSError as error:
            raise ConfigError(f"cannot create the token store: {error.strerror or error}", path=str(self.path)) from None
        vetted = None
        if not created:  # a link, someone else's or a group-writable file is refused before anything touches it
            vetted = vet_store_file(self.path)
        self._conn = self._connect()
        if vetted is not None:
            tighten_store(self.path, vetted)  # only once the file proved to be a token store

    def _fail(self, reason: str) -> ConfigError:
        return ConfigError(
            f"token store cannot be used: {reason}; it was left untouched (move it away or pass another --store)",
            path=str(self.path),
        )

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as error:
            raise self._fail(str(error)) from None
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self._prepare(conn)
                break
            except sqlite3.OperationalError as error:
                # switching to WAL wants a moment alone with the file; another process may be doing the same
                if _busy(error) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                conn.close()
                raise self._fail(_reason(error)) from None
            except sqlite3.DatabaseError as error:
                conn.close()
                raise self._fail(_reason(error)) from None
            except ConfigError:
                conn.close()
                raise
        for suffix in ("-wal", "-shm"):
            tighten(self.path.with_name(self.path.name + suffix))
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check the file is ours (read-only checks first: a foreign or corrupt file is never written), then
        switch to WAL and create the table on first use."""
        conn.execute("PRAGMA schema_version").fetchone()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version > SCHEMA_VERSION:
            raise self._fail(f"written by a newer zoho-migrate (schema {version})")
        if tables and "zoho_tokens" not in tables:
            raise self._fail("a SQLite database that is not a zoho-migrate token store")
        if "zoho_tokens" in tables:  # read-only check of the columns before anything is switched or written
            present = {row[1] for row in conn.execute("PRAGMA table_info(zoho_tokens)")}
            missing = sorted(set(COLUMNS) - present)
            if missing:
                raise self._fail(f"its zoho_tokens table lacks the columns {', '.join(missing)} (another schema)")
        elif version != 0:
            raise self._fail(f"a SQLite database with schema {version} but no zoho_tokens table")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if "zoho_tokens" not in tables:
            with self._write(conn):
                conn.execute(_CREATE)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @staticmethod
    @contextmanager
    def _write(conn: sqlite3.Connection) -> Iterator[None]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front (no upgrade deadlocks)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[Token]:
        with self._lock:
            try:
                cursor = self._conn.execute(sql, params)
                names = [d[0] for d in cursor.description]
                tokens = [Token.from_dict(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
                for token in tokens:
                    logmask.register(*token.secrets())  # masked in any log record from here on
                return tokens
            except sqlite3.DatabaseError as error:
                raise self._fail(str(error)) from None

    _SELECT = f"SELECT {', '.join(COLUMNS)} FROM zoho_tokens"

    # ---- the six TokenStore operations

    def find_token(self, token: Token) -> Token | None:
        conditions: list[str] = []
        params: list[object] = []
        if token.client_id:
            conditions.append("client_id = ?")
            params.append(token.client_id)
        for name in ("refresh_token", "grant_token", "access_token", "user_name"):
            value = getattr(token, name)
            if value:
                conditions.append(f"{name} = ?")  # name is one of four fixed column names
                params.append(value)
                break
        else:
            return None
        where = " AND ".join(conditions)
        rows = self._rows(f"{self._SELECT} WHERE {where} ORDER BY updated_at DESC, rowid DESC LIMIT 1", tuple(params))
        return rows[0] if rows else None

    def save_token(self, token: Token) -> None:
        logmask.register(*token.secrets())
        with self._lock:
            try:
                with self._write(self._conn):
                    if token.id is None:
                        existing = self._match_locked(token)
                        token.id = existing or uuid.uuid4().hex
                    values = token.to_dict()
                    values["scopes"] = ",".join(token.scopes or [])
                    placeholders = ", ".join("?" for _ in COLUMNS)
                    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
                    self._conn.execute(
                        f"INSERT INTO zoho_tokens ({', '.join(COLUMNS)}, updated_at) "
                        f"VALUES ({placeholders}, CAST(strftime('%s','now') AS INTEGER)) "
                        f"ON CONFLICT(id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
                        tuple(values[c] for c in COLUMNS),
                    )
            except sqlite3.DatabaseError as error:
                raise self._fail(str(error)) from None

    def _match_locked(self, token: Token) -> str | None:
        """Id of the stored record `token` refers to, inside the caller's transaction."""
        cursor = self._conn.execute(f"{self._SELECT}")
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            stored = Token.from_dict(dict(zip(names, row, strict=True)))
            if stored.matches(token):
                return stored.id
        return None

    def delete_token(self, id: str) -> None:  # noqa: A002
        self._execute("DELETE FROM zoho_tokens WHERE id = ?", (id,))

    def get_tokens(self) -> list[Token]:
        return self._rows(f"{self._SELECT} ORDER BY rowid")

    def delete_tokens(self) -> None:
        self._execute("DELETE FROM zoho_tokens")

    def find_token_by_id(self, id: str) -> Token | None:  # noqa: A002
        rows = self._rows(f"{self._SELECT} WHERE id = ?", (id,))
        return rows[0] if rows else None

    def _execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        with self._lock:
            try:
                with self._write(self._conn):
                    self._conn.execute(sql, params)
            except sqlite3.DatabaseError as error:
                raise self._fail(str(error)) from None

    def __repr__(self) -> str:
        return f"SQLiteTokenStore({str(self.path)!r})"
