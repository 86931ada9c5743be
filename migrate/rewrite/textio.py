"""Reading a file for rewriting and writing it back atomically with its encoding, BOM, newlines and mode."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from migrate.safeio import atomic_write, save
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
    """Write to a temporary file beside `path`, fsync, set the mode, then rename over it (never half-written,
    never through a symlink: migrate.safeio)."""
    atomic_write(path, data, mode=mode, exclusive=exclusive, what="rewrite")


def write_private(path: Path, text: str) -> None:
    """Create or replace a file readable by its owner only (0600) — for the exact, unmasked patch. Temp file +
    rename: a full disk leaves the previous patch intact; a symlink at `path` is refused (migrate.safeio)."""
    save(path, text, "patch", private=True)
