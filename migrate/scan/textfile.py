"""Reading one file as text without losing anything: binary detection, size limit, BOM, non-UTF-8 fallback."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path


class SkipFile(Exception):
    """The file is not scanned; the message says why (goes to the JSON `errors` list)."""


@dataclass(frozen=True)
class TextFile:
    """Decoded file content plus what is needed to write it back byte-for-byte compatible."""

    text: str
    encoding: str
    bom: bool
    newline: str


def read_bytes(path: Path | str, max_size: int) -> bytes:
    """Read a file, refusing ones larger than `max_size` (checked before reading).

    One open, one fstat and one read in the common case; when the open fails, the size is still checked first,
    so a file that is both too large and unreadable is reported as too large, as before.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as open_error:
        try:
            size = os.stat(path).st_size
        except OSError as error:
            raise SkipFile(f"cannot stat: {error.strerror or error}") from None
        _check_size(size, max_size)
        raise SkipFile(f"unreadable: {open_error.strerror or open_error}") from None
    try:
        try:
            size = os.fstat(fd).st_size
        except OSError as error:
            raise SkipFile(f"cannot stat: {error.strerror or error}") from None
        _check_size(size, max_size)
        # asking for one byte more than the size: a short read is the end of the file, so one read() suffices
        first = os.read(fd, min(size, max_size) + 1)
        if len(first) <= size:
            return first
        chunks = [first]  # the file grew since fstat: read on up to the limit, as a buffered read would
        remaining = max_size + 1 - len(first)
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise SkipFile(f"unreadable: {error.strerror or error}") from None
    finally:
        os.close(fd)


def _check_size(size: int, max_size: int) -> None:
    if size > max_size:
        raise SkipFile(f"larger than {max_size} bytes ({size}); raise --max-file-size to scan it")


def is_binary(data: bytes) -> bool:
    """Git's heuristic: a NUL byte in the first 8000 bytes means binary (UTF-16 BOM files excepted)."""
    head = data[:8000]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\0" in head


def decode(data: bytes) -> TextFile:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252, else Latin-1 (never fails, never loses bytes)."""
    utf16 = _utf16(data) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None
    if data.startswith(codecs.BOM_UTF8):
        text, encoding, bom = data[3:].decode("utf-8", errors="surrogateescape"), "utf-8", True
    elif utf16 is not None:
        text, encoding, bom = utf16, "utf-16", True
    else:
        # also bytes that only look like UTF-16 (`FF FE 41`: odd length, lone surrogates): as 8-bit text below,
        # which keeps every byte, rather than a UnicodeDecodeError that once aborted whole scans (issue 12)
        bom = False
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
    if "\r\n" in text:
        newline = "\r\n"
    elif "\r" in text and "\n" not in text:
        newline = "\r"
    else:
        newline = "\n"
    return TextFile(text=text, encoding=encoding, bom=bom, newline=newline)


def _utf16(data: bytes) -> str | None:
    """The text of a file starting with a UTF-16 BOM, or None when the rest is not valid UTF-16.

    Strict decoding: a replacement character would lose bytes on the way back (`rewrite --apply`).
    """
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        return None


def encode(text_file: TextFile, text: str) -> bytes:
    """Encode new text the way the original was stored (encoding and BOM); newlines are the caller's text."""
    if text_file.encoding == "utf-16":
        return text.encode("utf-16")
    body = text.encode(
        text_file.encoding, errors="surrogateescape" if text_file.encoding == "utf-8" else "strict"
    )
    return (codecs.BOM_UTF8 + body) if text_file.bom else body
