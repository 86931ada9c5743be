"""Token stores and how a `--store` spec picks one: `sqlite:PATH`, `file:PATH` or `python:module:Class`.

The default (no spec) is a SQLite file in the user's data folder (platformdirs; `~/.local/share/zoho-migrate/`
on Linux). A `python:` class is instantiated without arguments and must have the six TokenStore methods; it is
imported from the current folder or PYTHONPATH.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import platformdirs

from migrate.auth.file_store import FileTokenStore
from migrate.auth.sqlite_store import SQLiteTokenStore
from migrate.auth.token import STORE_METHODS, Token, TokenStore
from migrate.errors import ConfigError
from migrate.secrets import mask_text

__all__ = [
    "FileTokenStore",
    "SQLiteTokenStore",
    "Token",
    "TokenStore",
    "default_store_path",
    "lock_path_for",
    "open_store",
]

APP_NAME = "zoho-migrate"
SPEC_HELP = "sqlite:PATH, file:PATH or python:module:Class"


def data_dir() -> Path:
    """The user's data folder for zoho-migrate (XDG on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_store_path() -> Path:
    return data_dir() / "tokens.db"


def open_store(spec: str | None) -> TokenStore:
    """Open the store a `--store` spec names (None or "": the default SQLite store)."""
    if not spec:
        return SQLiteTokenStore(default_store_path())
    kind, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise ConfigError(f"--store {spec!r}: expected {SPEC_HELP}")
    if kind == "sqlite":
        return SQLiteTokenStore(Path(rest))
    if kind == "file":
        return FileTokenStore(Path(rest))
    if kind == "python":
        return _python_store(spec, rest)
    raise ConfigError(f"--store {spec!r}: unknown kind {kind!r}; expected {SPEC_HELP}")


def _python_store(spec: str, target: str) -> TokenStore:
    module_name, sep, class_name = target.rpartition(":")
    if not sep or not module_name or not class_name:
        raise ConfigError(f"--store {spec!r}: expected python:module:Class")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigError(f"--store {spec!r}: cannot import {module_name}: {error}") from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise ConfigError(f"--store {spec!r}: module {module_name} has no {class_name}")
    try:
        store = cls()
    except Exception as error:  # a user class: report whatever it raised, in one line
        reason = mask_text(f"{type(error).__name__}: {error}")
        raise ConfigError(f"--store {spec!r}: {class_name}() failed: {reason}") from None
    missing = [m for m in STORE_METHODS if not callable(getattr(store, m, None))]
    if missing:
        raise ConfigError(f"--store {spec!r}: {class_name} lacks TokenStore methods: {', '.join(missing)}")
    return store


def lock_path_for(store: TokenStore) -> Path:
    """The file lock that serialises refreshes for `store` (its own `lock_path`, else one in the data folder)."""
    path = getattr(store, "lock_path", None)
    if path:
        return Path(path)
    return data_dir() / "refresh.lock"
