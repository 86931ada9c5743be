"""Repository-relative paths for CI formats: GitHub places SARIF results and annotations by the path from the
repository root, while scan findings are relative to the scanned PATH (`scan src` reports `app.py`, GitHub wants
`src/app.py`). Outside a git work tree, paths are made relative to the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from migrate.gitutil import repo_root
from migrate.scan.engine import ScanResult


def repo_relative(result: ScanResult) -> Callable[[str], str]:
    """A function mapping a finding's path to its POSIX path from the repository root (or the current folder)."""
    cache: dict[str, str] = {}
    roots = [Path(r) for r in result.roots] or [Path(".")]

    def locate(path: str) -> Path | None:
        for root in roots:
            # resolve the root only: a symlinked file inside the repository keeps its own path
            if root.is_dir() and (root / path).exists():
                return root.resolve() / path
            if root.as_posix() == path and root.exists():
                return root.parent.resolve() / root.name
        return None

    def convert(path: str) -> str:
        if path not in cache:
            absolute = locate(path)
            if absolute is None:
                cache[path] = path
            else:
                base = repo_root(absolute.parent) or Path(os.getcwd()).resolve()
                try:
                    cache[path] = absolute.relative_to(base).as_posix()
                except ValueError:
                    cache[path] = path
        return cache[path]

    return convert
