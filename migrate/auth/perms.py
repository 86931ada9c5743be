"""Private files: created with mode 0600 (folders 0700) from the first byte, never widened later."""

from __future__ import annotations

import contextlib
import os
import stat
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
