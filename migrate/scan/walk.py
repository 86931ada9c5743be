"""Listing the files to scan: honours .gitignore and .zoho-migrate-ignore (git semantics via pathspec), skips
VCS and dependency folders, follows directory symlinks without looping, and never raises for one bad entry.

Git-ignored files are still listed (flagged `gitignored`): a git-ignored `.env` is exactly where a live
token hides. The scanner keeps only hardcoded-credential findings for them.

Three ways to the same list:
- `walk(root)`: os.scandir recursion in sorted order, ignore files read at every level (the reference);
- `walk(root, use_git=True)` (opt-in, see engine.py): when `root` is the top of a git work tree, `git ls-files`
  lists tracked and untracked files and the git-ignored ones (with only the per-folder .gitignore files, as the
  walk reads them); .zoho-migrate-ignore, skipped folders and --exclude globs are applied on top, and folders
  git reports as wholly ignored are walked the reference way. Anything the listing cannot answer exactly (a directory symlink, a
  nested repository or submodule, a tracked file that .gitignore matches, a warning from git) falls back to the
  reference walk;
- `lookup(root, relatives)`: only the given paths (`--changed-since`), with the decisions the walk would make
  for them, without walking the rest of the tree.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import pathspec

IGNORE_FILES = (".gitignore", ".zoho-migrate-ignore")
# pathspec's default backend for an ignore file is Hyperscan when it imports: ~40 ms to compile each file's
# patterns, which a tree's typical short .gitignore never earns back (2 us per path checked against 4 us with the
# plain-regex backend). Above this many pattern lines the compiled database pays. Both give the same answers.
SIMPLE_BACKEND_LINES = 200

# what the fast listing yields: (path as str, path relative to the root, git-ignored)
FileTuple = tuple[str, str, bool]


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


class _Fallback(Exception):
    """The git listing cannot answer exactly; walk instead."""


def _components(relative: str) -> list[str]:
    return relative.split("/")


@dataclass
class Walker:
    """Walks roots; collects notes about what it skipped in `errors`."""

    skip_dirs: frozenset[str]
    excludes: tuple[str, ...] = ()
    errors: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0
    _ancestry_cache: _Ancestry | None = field(default=None, init=False, repr=False, compare=False)
    _exclude_regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # every --exclude glob (and skip_files) as one regex: what any(fnmatch(...)) answers, without a call per
        # glob per path (fnmatch.fnmatch on POSIX is a match of fnmatch.translate's regex)
        if self.excludes:
            self._exclude_regex = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in self.excludes))

    # public API ---------------------------------------------------------------------------------------------
    def walk(self, root: Path, display_root: str | None = None, use_git: bool = False) -> Iterator[WalkEntry]:
        """Yield files under `root` (a directory) in sorted, deterministic order."""
        for path, relative, gitignored in self.files(root, use_git=use_git):
            yield WalkEntry(Path(path), relative, gitignored)

    def files(self, root: Path, use_git: bool = False) -> Iterator[FileTuple]:
        """Like `walk`, as plain tuples (the engine's hot path)."""
        root = root.resolve() if root.is_symlink() else root
        if use_git:
            listed = self._git_files(root)
            if listed is not None:
                yield from listed
                return
        yield from self._walk_dir(root, "", [], {self._identity(root)})

    def lookup(self, root: Path, relatives: Iterable[str]) -> Iterator[WalkEntry]:
        """The entries the walk would yield for these relative paths (others ignored), without the walk."""
        root = root.resolve() if root.is_symlink() else root
        wanted = sorted({r for r in relatives if r}, key=_components)
        errors, skipped = len(self.errors), self.skipped
        try:
            found = [self._lookup_one(root, relative) for relative in wanted]
        except _Fallback:
            del self.errors[errors:]
            self.skipped = skipped
            keep = set(wanted)
            yield from (e for e in self.walk(root) if e.relative in keep)
            return
        for item in found:
            if item is not None:
                yield WalkEntry(Path(item[0]), item[1], item[2])

    # the reference walk -------------------------------------------------------------------------------------
    def _identity(self, path: Path | str) -> tuple[int, int]:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)

    def _read_layer(
        self, directory: Path | str, base: str, present: Iterable[str] = IGNORE_FILES
    ) -> _Layer | None:
        specs: dict[str, pathspec.GitIgnoreSpec | None] = dict.fromkeys(IGNORE_FILES)
        for name in IGNORE_FILES:
            if name not in present:
                continue
            try:
                with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
            except FileNotFoundError:
                continue
            except OSError as error:
                self.errors.append(
                    {"path": self._display(base, name), "message": f"ignore file unreadable: {error}"}
                )
                continue
            backend = "simple" if len(lines) <= SIMPLE_BACKEND_LINES else None
            specs[name] = pathspec.GitIgnoreSpec.from_lines(lines, backend=backend)
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

    def _stat_listed(self, path: str, relative: str) -> os.stat_result | None:
        """stat of a listed path, following a symlink; None when it is gone or a broken link (noted in errors)."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise _Fallback from error
        if not stat.S_ISLNK(st.st_mode):
            return st
        try:
            return os.stat(path)
        except FileNotFoundError:
            self.errors.append({"path": relative, "message": "broken symlink, skipped"})
            self.skipped += 1
            return None
        except OSError as error:
            raise _Fallback from error

    def _excluded(self, relative: str) -> bool:
        regex = self._exclude_regex
        if regex is None:
            return False
        return regex.match(relative) is not None or regex.match(relative.rpartition("/")[2]) is not None

    def _display(self, base: str, name: str) -> str:
        return f"{base}/{name}" if base else name

    def _dir_excluded(self, name: str, relative: str, layers: list[_Layer]) -> bool:
        """Is this folder left out: skipped by name, by --exclude, by .zoho-migrate-ignore or .gitignore?"""
        return (
            name in self.skip_dirs
            or self._excluded(relative)
            or self._decide(layers, relative, True, "own")
            or self._decide(layers, relative, True, "git")
        )

    def _walk_dir(
        self, directory: Path | str, base: str, layers: list[_Layer], visited: set[tuple[int, int]]
    ) -> Iterator[FileTuple]:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=attrgetter("name"))
        except OSError as error:
            self.errors.append(
                {"path": base or ".", "message": f"folder unreadable: {error.strerror or error}"}
            )
            self.skipped += 1
            return
        names = {e.name for e in entries if e.name in IGNORE_FILES}
        if names:
            layer = self._read_layer(directory, base, names)
            if layer is not None:
                layers = [*layers, layer]
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
                if self._dir_excluded(entry.name, relative, layers):
                    continue
                try:
                    identity = self._identity(entry.path)
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
                yield from self._walk_dir(entry.path, relative, layers, visited | {identity})
            elif is_file:
                if entry.name in IGNORE_FILES or self._excluded(relative):
                    continue
                if layers and self._decide(layers, relative, False, "own"):
                    continue
                gitignored = bool(layers) and self._decide(layers, relative, False, "git")
                yield entry.path, relative, gitignored
            elif entry.is_symlink():
                self.errors.append({"path": relative, "message": "broken symlink, skipped"})
                self.skipped += 1

    # ancestors: what the walk decided on the way down to a folder --------------------------------------------
    def _lookup_one(self, root: Path, relative: str) -> FileTuple | None:
        parts = _components(relative)
        if any(p in ("", ".", "..") for p in parts):
            return None
        ancestry = self._ancestry_for(root)
        directory = "/".join(parts[:-1])
        layers = ancestry.state(directory)
        if layers is None:
            return None
        path = os.path.join(root, *parts)
        st = self._stat_listed(path, relative)
        if st is None:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # a folder or a special file: the walk yields nothing for it either
        name = parts[-1]
        if name in IGNORE_FILES or self._excluded(relative):
            return None
        if self._decide(layers, relative, False, "own"):
            return None
        return path, relative, self._decide(layers, relative, False, "git")

    def _ancestry_for(self, root: Path) -> _Ancestry:
        cached = self._ancestry_cache
        if cached is None or cached.root != root:
            cached = _Ancestry(self, root)
            self._ancestry_cache = cached
        return cached

    # git ls-files ---------------------------------------------------------------------------------------------
    def _git_files(self, root: Path) -> list[FileTuple] | None:
        """The walk's result from git's index and untracked/ignored listings, or None to walk instead."""
        errors, skipped = len(self.errors), self.skipped
        try:
            return self._git_listing(root)
        except _Fallback:
            del self.errors[errors:]
            self.skipped = skipped
            return None

    def _git_listing(self, root: Path) -> list[FileTuple]:
        if not os.path.isdir(os.path.join(root, ".git")):
            raise _Fallback  # not a work tree top (or a linked worktree/submodule: .git is a file)
        exclude = "--exclude-per-directory=.gitignore"
        tracked_ignored = _git(root, "ls-files", "-z", "--cached", "--ignored", exclude)
        if tracked_ignored:
            raise _Fallback  # the walk would flag those tracked files as git-ignored
        plain = _git(root, "ls-files", "-z", "--cached", "--others", exclude)
        ignored = _git(root, "ls-files", "-z", "--others", "--ignored", "--directory", exclude)
        listed: dict[str, bool] = {}
        for relative in _split(plain):
            if relative.endswith("/"):
                raise _Fallback  # a nested repository or submodule: the walk goes inside
            listed[relative] = False
        ignored_dirs: list[str] = []
        for relative in _split(ignored):
            if relative.endswith("/"):
                ignored_dirs.append(relative.rstrip("/"))
            else:
                listed.setdefault(relative, True)
        ancestry = self._ancestry_for(root)
        own_layers = {r.rpartition("/")[0] for r in listed if r.rpartition("/")[2] == ".zoho-migrate-ignore"}
        ancestry.expect_own(own_layers)
        out: list[FileTuple] = []
        # folders git did not enter: walk them as the walk would (it decides whether they are ignored)
        for directory in sorted(ignored_dirs, key=_components):
            prefix = directory + "/"
            for relative in [r for r in listed if r.startswith(prefix)]:
                del listed[relative]
            out.extend(self._walk_subdir(root, directory, ancestry))
        for relative, gitignored in listed.items():
            item = self._git_entry(root, relative, gitignored, ancestry)
            if item is not None:
                out.append(item)
        out.sort(key=lambda item: _components(item[1]))
        return out

    def _git_entry(
        self, root: Path, relative: str, gitignored: bool, ancestry: _Ancestry
    ) -> FileTuple | None:
        parts = _components(relative)
        name = parts[-1]
        layers = ancestry.state("/".join(parts[:-1]), git_decides=True)
        if layers is None or name in IGNORE_FILES or self._excluded(relative):
            return None
        if layers and self._decide(layers, relative, False, "own"):
            return None
        path = os.path.join(root, *parts)
        st = self._stat_listed(path, relative)  # None: deleted from the work tree, or a broken link
        if st is None:
            return None
        if stat.S_ISDIR(st.st_mode):  # a folder, or a directory symlink the walk follows
            raise _Fallback
        if not stat.S_ISREG(st.st_mode):
            return None
        return path, relative, gitignored

    def _walk_subdir(self, root: Path, directory: str, ancestry: _Ancestry) -> list[FileTuple]:
        parts = _components(directory)
        layers = ancestry.state("/".join(parts[:-1]))
        if layers is None:
            return []
        path = os.path.join(root, *parts)
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
                raise _Fallback
        except OSError as error:
            raise _Fallback from error
        if self._dir_excluded(parts[-1], directory, layers):
            return []
        visited = ancestry.identities("/".join(parts[:-1])) | {(st.st_dev, st.st_ino)}
        return list(self._walk_dir(path, directory, layers, visited))


class _Ancestry:
    """Per root: for each folder, whether the walk would enter it and the ignore layers in force there."""

    def __init__(self, walker: Walker, root: Path) -> None:
        self.walker = walker
        self.root = root
        self._states: dict[tuple[str, bool], list[_Layer] | None] = {}
        self._own_only: set[str] | None = None

    def expect_own(self, directories: set[str]) -> None:
        """Git mode: git already applied .gitignore, so only these folders' .zoho-migrate-ignore matter."""
        self._own_only = directories

    def _layer(self, directory: str, git_decides: bool) -> _Layer | None:
        path = os.path.join(self.root, *_components(directory)) if directory else str(self.root)
        if git_decides and self._own_only is not None:
            if directory not in self._own_only:
                return None
            return self.walker._read_layer(path, directory, (".zoho-migrate-ignore",))
        return self.walker._read_layer(path, directory)

    def state(self, directory: str, git_decides: bool = False) -> list[_Layer] | None:
        """The layers in force inside `directory` ('' for the root), or None when the walk never enters it."""
        key = (directory, git_decides)
        if key in self._states:
            return self._states[key]
        if directory == "":
            layer = self._layer("", git_decides)
            result: list[_Layer] | None = [layer] if layer is not None else []
        else:
            parent, _, name = directory.rpartition("/")
            layers = self.state(parent, git_decides)
            result = None
            if layers is not None:
                path = os.path.join(self.root, *_components(directory))
                if os.path.islink(path):
                    raise _Fallback  # the walk follows directory symlinks with loop checks; so do we, there
                if not os.path.isdir(path):
                    self._states[key] = None  # gone, or a file now: the walk finds nothing below it
                    return None
                excluded = (
                    name in self.walker.skip_dirs
                    or self.walker._excluded(directory)
                    or self.walker._decide(layers, directory, True, "own")
                    or (not git_decides and self.walker._decide(layers, directory, True, "git"))
                )
                if not excluded:
                    layer = self._layer(directory, git_decides)
                    result = [*layers, layer] if layer is not None else layers
        self._states[key] = result
        return result

    def identities(self, directory: str) -> set[tuple[int, int]]:
        """(device, inode) of the root and every folder down to `directory`: the walk's loop guard there."""
        seen = {self.walker._identity(self.root)}
        parts = _components(directory) if directory else []
        for depth in range(1, len(parts) + 1):
            seen.add(self.walker._identity(os.path.join(self.root, *parts[:depth])))
        return seen


# variables that point git at another repository or index than the folder's own (set inside git hooks)
_GIT_REDIRECTS = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX",
)  # fmt: skip


def _git(root: Path, *args: str) -> bytes:
    """Run a git listing; anything unusual (no git, an error, a warning) means: walk instead."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_REDIRECTS}
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], cwd=root, env=env, capture_output=True, check=False
        )
    except OSError as error:
        raise _Fallback from error
    if proc.returncode != 0 or proc.stderr.strip():
        raise _Fallback
    return proc.stdout


def _split(data: bytes) -> list[str]:
    return [os.fsdecode(p) for p in data.split(b"\0") if p]
