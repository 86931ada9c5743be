"""A JSON-file token store: readable by hand, replaced atomically, every read-modify-write under a file lock.

Zoho's sample file store rewrote a CSV in place without a lock (two processes lost each other's rows); here a
change is written to a private temporary file in the same folder, fsynced, then renamed over the old one, so a
reader sees the old or the new file, never half of one. A file that is not valid JSON of the expected shape is
refused with its line number and never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from migrate import logmask
from migrate.auth.perms import FILE_MODE, ensure_private_dir, tighten_store, vet_store_file
from migrate.auth.token import Token
from migrate.errors import ConfigError

FORMAT_VERSION = 1
LOCK_TIMEOUT_SECONDS = 60.0


class FileTokenStore:
    """TokenStore on one JSON file: `{"version": 1, "tokens": [Token...]}`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        # two locks: `.lock` guards each read-modify-write of the file; `lock_path` serialises token refreshes
        # (held around network calls and save_token, so it must be a different file)
        self.write_lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_path = self.path.with_name(self.path.name + ".refresh.lock")
        try:
            ensure_private_dir(self.path.parent)
        except OSError as error:
            raise ConfigError(f"cannot create the token store's folder: {error.strerror or error}",
                              path=str(self.path)) from None
        if not self.path.parent.is_dir():
            raise ConfigError(f"cannot create the token store: {self.path.parent} is not a folder",
                              path=str(self.path))
        if self.path.exists() or self.path.is_symlink():
            vetted = vet_store_file(self.path)  # a link, someone else's or a group-writable file: refused, untouched
            self._read()
            tighten_store(self.path, vetted)  # only once the content proved to be a token store  # refuse a corrupt file now, not halfway through a command
        self._file_lock = FileLock(str(self.write_lock_path), timeout=LOCK_TIMEOUT_SECONDS, mode=FILE_MODE)

    # ---- file access

    def _read(self) -> list[Token]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise self._fail(f"cannot read it ({error})") from None
        if not text.strip():
            return []
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"token store is not valid JSON ({error.msg}, column {error.colno}); it was left untouched",
                path=str(self.path),
                line=error.lineno,
            ) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), list):
            raise self._fail('expected {"version": 1, "tokens": [...]}')
        if int(doc.get("version", FORMAT_VERSION)) > FORMAT_VERSION:
            raise self._fail(f"written by a newer zoho-migrate (format {doc['version']})")
        try:
            tokens = [Token.from_dict(raw) for raw in doc["tokens"] if isinstance(raw, dict)]
        except (TypeError, ValueError) as error:
            raise self._fail(f"a token record is malformed ({error})") from None
        for token in tokens:
            logmask.register(*token.secrets())  # masked in any log record from here on
        return tokens

    def _write(self, tokens: list[Token]) -> None:
        body: dict[str, Any] = {"version": FORMAT_VERSION, "tokens": [t.to_dict() for t in tokens]}
        # mkstemp creates the file with mode 0600
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _fail(self, reason: str) -> ConfigError:
        return ConfigError(f"token store cannot be used: {reason}; it was left untouched", path=str(self.path))

    def _locked(self, change: Callable[[list[Token]], Any]) -> Any:
        """Read, apply `change` (which may mutate the list), write back, all under the file lock."""
        try:
            with self._file_lock:
                tokens = self._read()
                result = change(tokens)
                try:
                    self._write(tokens)
                except OSError as error:
                    raise ConfigError(f"cannot write the token store: {error.strerror or error}; the previous "
                                      "version is intact", path=str(self.path)) from None
                return result
        except Timeout:
            raise self._fail(f"its lock {self.write_lock_path} is held by another process") from None

    def _snapshot(self) -> list[Token]:
        try:
            with self._file_lock:
                return self._read()
        except Timeout:
            raise self._fail(f"its lock {self.write_lock_path} is held by another process") from None

    # ---- the six TokenStore operations

    def find_token(self, token: Token) -> Token | None:
        return next((t for t in reversed(self._snapshot()) if t.matches(token)), None)

    def save_token(self, token: Token) -> None:
        logmask.register(*token.secrets())
        def change(tokens: list[Token]) -> None:
            if token.id is None:
                existing = next((t for t in tokens if t.matches(token)), None)
                token.id = existing.id if existing else uuid.uuid4().hex
            for index, stored in enumerate(tokens):
                if stored.id == token.id:
                    tokens[index] = Token.from_dict(token.to_dict())
                    return
            tokens.append(Token.from_dict(token.to_dict()))

        self._locked(change)

    def delete_token(self, id: str) -> None:  # noqa: A002
        self._locked(lambda tokens: tokens.__setitem__(slice(None), [t for t in tokens if t.id != id]))

    def get_tokens(self) -> list[Token]:
        return self._snapshot()

    def delete_tokens(self) -> None:
        self._locked(lambda tokens: tokens.clear())

    def find_token_by_id(self, id: str) -> Token | None:  # noqa: A002
        return next((t for t in self._snapshot() if t.id == id), None)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"
