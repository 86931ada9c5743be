"""Listing the files to scan: honours .gitignore and .zoho-migrate-ignore (git semantics via pathspec), skips
VCS and dependency folders, follows directory symlinks without looping, and never raises for one bad entry.

Git-ignored files are still listed (flagged `gitignored`): a git-ignored `.env` is exactly where a live
token hides. The scanner keeps only hardcoded-credential findings for them.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

IGNORE_FILES = (".gitignore", ".zoho-migrate-ignore")


@dataclass(frozen=True)
class WalkEntry:
    """A file to scan: absolute path, path relative to the scan root (POSIX), git-ignored or not."""

    path: Path
    relative: str
    gitignored: bool = False


@dataclass
class _Layer:
    """Ignore rules read from one directory, matched against paths relative to that directory."""

    base: str  # relative POSIX path of the directory ('' for the root)
    git: pathspec.GitIgnoreSpec | None
    own: pathspec.GitIgnoreSpec | None


@dataclass
class Walker:
    """Walks roots; collects notes about what it skipped in `errors`."""

    skip_dirs: frozenset[str]
    excludes: tuple[str, ...] = ()
    errors: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0

    def walk(self, root: Path, display_root: str | None = None) -> Iterator[WalkEntry]:
        """Yield files under `root` (a directory) in sorted, deterministic order."""
        root = root.resolve() if root.is_symlink() else root
        layers: list[_Layer] = []
        visited = {self._identity(root)}
        yield from self._walk_dir(root, "", layers, visited)

    def _identity(self, path: Path) -> tuple[int, int]:
        st = path.stat()
        return (st.st_dev, st.st_ino)

    def _read_layer(self, directory: Path, base: str) -> _Layer | None:
        specs: dict[str, pathspec.GitIgnoreSpec | None] = {}
        for name in IGNORE_FILES:
            ignore_file = directory / name
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            except FileNotFoundError:
                specs[name] = None
                continue
            except OSError as error:
                self.errors.append(
                    {"path": self._display(base, name), "message": f"ignore file unreadable: {error}"}
                )
                specs[name] = None
                continue
            specs[name] = pathspec.GitIgnoreSpec.from_lines(lines)
        if specs[".gitignore"] is None and specs[".zoho-migrate-ignore"] is None:
            return None
        return _Layer(base, specs[".gitignore"], specs[".zoho-migrate-ignore"])

    @staticmethod
    def _decide(layers: list[_Layer], relative: str, is_dir: bool, which: str) -> bool:
        """Git semantics: the deepest ignore file with a matching pattern decides; last match within a file wins."""
        for layer in reversed(layers):
            spec = layer.git if which == "git" else layer.own
            if spec is None:
                continue
            local = relative[len(layer.base) + 1 :] if layer.base else relative
            result = spec.check_file(local + "/" if is_dir else local)
            if result.include is not None:
                return bool(result.include)
        return False

    def _excluded(self, relative: str) -> bool:
        name = relative.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(name, g) for g in self.excludes)

    def _display(self, base: str, name: str) -> str:
        return f"{base}/{name}" if base else name

    def _walk_dir(
        self, directory: Path, base: str, layers: list[_Layer], visited: set[tuple[int, int]]
    ) -> Iterator[WalkEntry]:
        layer = self._read_layer(directory, base)
        if layer is not None:
            layers = [*layers, layer]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            self.errors.append(
                {"path": base or ".", "message": f"folder unreadable: {error.strerror or error}"}
            )
            self.skipped += 1
            return
        for entry in entries:
            relative = self._display(base, entry.name)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = not is_dir and entry.is_file(follow_symlinks=True)
            except OSError as error:
                self.errors.append({"path": relative, "message": f"cannot stat: {error.strerror or error}"})
                self.skipped += 1
                continue
            if is_dir:
                if entry.name in self.skip_dirs or self._excluded(relative):
                    continue
                if self._decide(layers, relative, True, "own") or self._decide(layers, relative, True, "git"):
                    continue
                path = Path(entry.path)
                try:
                    identity = self._identity(path)
                except OSError as error:
                    self.errors.append(
                        {"path": relative, "message": f"cannot stat: {error.strerror or error}"}
                    )
                    self.skipped += 1
                    continue
                if identity in visited:
                    self.errors.append(
                        {"path": relative, "message": "symlink loop: folder already visited, skipped"}
                    )
                    self.skipped += 1
                    continue
                yield from self._walk_dir(path, relative, layers, visited | {identity})
            elif is_file:
                if entry.name in IGNORE_FILES or self._excluded(relative):
                    continue
                if self._decide(layers, relative, False, "own"):
                    continue
                gitignored = self._decide(layers, relative, False, "git")
                yield WalkEntry(Path(entry.path), relative, gitignored)
            elif entry.is_symlink():
                self.errors.append({"path": relative, "message": "broken symlink, skipped"})
                self.skipped += 1
