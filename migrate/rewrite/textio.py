"""Reading a file for rewriting and writing it back atomically with its encoding, BOM, newlines and mode."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from migrate.scan.textfile import TextFile, decode, encode


@dataclass(frozen=True)
class SourceFile:
    """A file as read: its layout (encoding, BOM, newline) and its text with newlines normalised to `\\n`."""

    path: Path
    layout: TextFile
    text: str
    mode: int


def read_source(path: Path) -> SourceFile:
    data = path.read_bytes()
    layout = decode(data)
    text = layout.text.replace("\r\n", "\n") if layout.newline == "\r\n" else layout.text
    if layout.newline == "\r":
        text = text.replace("\r", "\n")
    return SourceFile(path, layout, text, stat.S_IMODE(path.stat().st_mode))


def restore_newlines(layout: TextFile, text: str) -> str:
    """Put the file's own newline style back into text edited with `\\n`."""
    return text.replace("\n", layout.newline) if layout.newline != "\n" else text


def to_bytes(layout: TextFile, text: str) -> bytes:
    return encode(layout, restore_newlines(layout, text))


def write_atomic(path: Path, data: bytes, mode: int, *, exclusive: bool = False) -> None:
    """Write to a temporary file beside `path`, fsync, set the mode, then rename over it (never half-written)."""
    directory = path.parent
    if exclusive and path.exists():
        raise FileExistsError(str(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".zoho-migrate", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_private(path: Path, text: str) -> None:
    """Create or replace a file readable by its owner only (0600) — for the exact, unmasked patch."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(path, flags, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            descriptor = -1
            stream.write(text)
    finally:
        if descriptor >= 0:
            os.close(descriptor)
