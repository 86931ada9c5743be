"""Private files: created with mode 0600 (folders 0700) from the first byte, never widened later."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) as 0700 when missing; an existing folder is left as the user made it."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def create_private_file(path: Path) -> bool:
    """Create an empty file with mode 0600 unless it exists; True when it was created here.

    O_EXCL with the mode given to open(): the file is never readable by others, not even for an instant.
    """
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def tighten(path: Path) -> None:
    """Drop group/other permissions from an existing file we own (a store must not be world-readable)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


_WARNED: set[str] = set()
REVOKE_HINT = "tokens may have been readable by others: revoke them with `zoho-migrate auth revoke`"


def vet_store_file(path: Path) -> os.stat_result:
    """Check an existing token store file before it is read or written, and refuse (ConfigError) one that is a
    link, not a regular file, owned by another user, or writable by group/others: those are never changed (no
    chmod, nothing written). Returns its lstat; `tighten_store` then drops read access for others once the
    content was found to be a store."""
    from migrate.errors import ConfigError  # noqa: PLC0415 - perms stays importable without the CLI layers

    try:
        info = os.lstat(path)
    except OSError as error:
        raise ConfigError(f"cannot inspect the token store: {error.strerror or error}", path=str(path)) from None
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        raise ConfigError("token store is a symbolic link; refused and left untouched (pass --store with the real "
                          "file's path, or replace the link by the file)", path=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError("token store is not a regular file; refused and left untouched", path=str(path))
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError(f"token store is owned by another user (uid {info.st_uid}), who could read or replace your "
                          "tokens; refused and left untouched: move it away and run again to create your own, or "
                          "pass --store with a file you own", path=str(path))
    if mode & 0o022:
        raise ConfigError(f"token store is writable by group or others (mode {mode:04o}), so anyone could have "
                          "replaced its tokens; refused and left untouched: check its content, then "
                          f"`chmod 600 {path}` (and revoke the tokens if in doubt)", path=str(path))
    return info


def tighten_store(path: Path, info: os.stat_result, warn: Callable[[str], None] | None = None) -> None:
    """A store of ours readable by others (vetted by `vet_store_file`) becomes 0600, with a warning once: its
    tokens may have been read by others."""
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return
    from migrate.errors import ConfigError  # noqa: PLC0415

    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if os.fstat(descriptor).st_ino != info.st_ino:
            raise ConfigError("token store was replaced while being checked; refused", path=str(path))
        os.fchmod(descriptor, mode & 0o700)
    finally:
        os.close(descriptor)
    key = str(path)
    if key not in _WARNED:
        _WARNED.add(key)
        message = (f"zoho-migrate: warning: {path} was readable by others (mode {mode:04o}); tightened to "
                   f"{mode & 0o700:04o}: {REVOKE_HINT}")
        (warn or (lambda text: print(text, file=sys.stderr)))(message)
