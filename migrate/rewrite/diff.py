"""Unified diffs of a plan: exact (for `--patch FILE`) or masked (everything printed or reported)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from migrate.rewrite.model import FileChange
from migrate.secrets import mask_text


def file_diff(change: FileChange, diff_path: str, newline: str = "\n") -> str:
    """`git apply`-able unified diff of one file (a created file diffs against /dev/null)."""
    old = change.original.replace("\n", newline) if newline != "\n" else change.original
    new = change.rewritten.replace("\n", newline) if newline != "\n" else change.rewritten
    before = old.splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            before,
            after,
            fromfile="/dev/null" if change.created else f"a/{diff_path}",
            tofile=f"b/{diff_path}",
            n=3,
        )
    )
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def mask_diff(text: str, patterns: Iterable) -> str:
    """The diff as it may be shown: every secret replaced by its masked form (`a8b6…231a`).

    Line by line and without the `-`/`+`/` ` prefix, so a pattern never reaches across lines and a removed line
    is masked exactly as the scanner masks that line.
    """
    compiled = tuple(patterns)
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("---", "+++", "@@")) or line[:1] not in ("-", "+", " "):
            out.append(mask_text(line, compiled))
        else:
            out.append(line[0] + mask_text(line[1:], compiled))
    return "".join(out)
