"""Git through its command line (subprocess, no library): the repository root, the files changed since a revision
(`scan --changed-since`) and a walk over history for once-committed credentials (`scan --history`).

Shelling out keeps us exactly as correct as the user's git (worktrees, submodules, odd configs) and adds no
dependency. Every git failure becomes a ConfigError with git's own one-line reason.
"""

from __future__ import annotations

import codecs
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from migrate.errors import ConfigError

# git output is read as bytes and decoded leniently: paths and commit text are not guaranteed UTF-8
_ENCODING = "utf-8"
HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


def git(args: list[str], cwd: Path, *, what: str = "git", input_bytes: bytes | None = None) -> bytes:
    """Run git in `cwd` and return stdout; a failure raises ConfigError naming `what` and git's reason."""
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            input=input_bytes,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"{what}: git is not installed or not on PATH") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode(_ENCODING, "replace").strip().splitlines()
        message = next((line for line in reason if line.startswith("fatal:")), reason[0] if reason else "")
        raise ConfigError(f"{what}: {message.removeprefix('fatal: ') or 'git failed'}")
    return proc.stdout


@lru_cache(maxsize=64)
def repo_root(path: Path) -> Path | None:
    """The top of the git work tree containing `path` (a file or folder), or None outside any repository."""
    directory = path if path.is_dir() else path.parent
    try:
        out = git(["rev-parse", "--show-toplevel"], directory or Path("."))
    except ConfigError:
        return None
    return Path(out.decode(_ENCODING, "replace").strip()).resolve()


def _split_z(data: bytes) -> list[str]:
    return [p.decode(_ENCODING, "surrogateescape") for p in data.split(b"\0") if p]


def changed_files(root: Path, rev: str) -> set[str]:
    """Files under `root` (a folder in a work tree) changed since `rev`, relative to `root`, POSIX separators.

    "Since REV" means since the merge base of REV and HEAD, as a pull request sees it: files changed only on the
    target branch are not ours to check. Uncommitted and untracked (not ignored) files count as changed; deleted
    files do not (there is nothing left to scan).
    """
    what = f"--changed-since {rev}"
    if repo_root(root.resolve()) is None:
        raise ConfigError(f"{what}: {root} is not inside a git work tree")
    git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, what=f"{what}: unknown revision")
    base = rev
    try:
        base = git(["merge-base", rev, "HEAD"], root, what=what).decode().strip() or rev
    except ConfigError:
        base = rev  # unrelated histories or no HEAD yet: compare with REV itself
    diff = git(
        ["diff", "--name-only", "-z", "--relative", "--no-renames", "--diff-filter=d", base, "--", "."],
        root,
        what=what,
    )
    untracked = git(["ls-files", "--others", "--exclude-standard", "-z", "--", "."], root, what=what)
    return set(_split_z(diff)) | set(_split_z(untracked))


def unquote_path(raw: bytes) -> str:
    """A path as git prints it in diff headers: C-quoted ("a\\tb") when it holds unusual characters."""
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = codecs.escape_decode(raw[1:-1])[0]
    return raw.decode(_ENCODING, "surrogateescape")


@dataclass
class CommitChange:
    """One file as one commit left it, with the line numbers that commit added."""

    commit: str
    date: str
    path: str  # relative to the repository root
    added: set[int] = field(default_factory=set)


def history_changes(
    repo: Path, pathspecs: list[str] | None = None, since: str | None = None
) -> Iterator[CommitChange]:
    """Every (commit, file) pair in the history of all refs (or of `since..HEAD`) whose diff added lines, oldest
    commit first.

    Uses `git log -p --unified=0` so only added lines are read from the patch (like gitleaks); merge commits are
    skipped because their changes already appear in the commits they merge.
    """
    if since is not None:
        git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], repo, what=f"unknown revision {since}")
    revisions = [f"{since}..HEAD"] if since is not None else ["--all"]
    args = [
        "log", *revisions, "--reverse", "--no-merges", "--no-color", "--no-ext-diff", "--no-renames",
        "--unified=0", "--diff-filter=AMT", "--format=%x00commit %H %aI", "-p", "--", *(pathspecs or ["."]),
    ]  # fmt: skip
    current: CommitChange | None = None
    commit = date = ""
    line_no = 0
    in_header = False  # between `diff --git` and the first hunk: `+++ b/path` names the file
    for raw in _stream_git(args, repo, what="--history"):
        if raw.startswith(b"\0commit "):
            if current is not None and current.added:
                yield current
            current, in_header = None, False
            _, commit_b, date_b = raw[1:].split(b" ", 2)
            commit, date = commit_b.decode(), date_b.decode()
        elif raw.startswith(b"diff --git "):
            if current is not None and current.added:
                yield current
            current, in_header, line_no = None, True, 0
        elif in_header and raw.startswith(b"+++ "):
            target = raw[4:]
            current = None if target == b"/dev/null" else CommitChange(commit, date, unquote_path(target)[2:])
        elif raw.startswith(b"@@"):
            in_header = False
            m = HUNK.match(raw)
            line_no = int(m.group("start")) if m else 0
        elif not in_header and raw.startswith(b"+") and current is not None and line_no:
            current.added.add(line_no)
            line_no += 1
    if current is not None and current.added:
        yield current


def _stream_git(args: list[str], cwd: Path, *, what: str) -> Iterator[bytes]:
    """git's stdout line by line (without the newline), read as it is produced: a long history is never held in
    memory at once. A failure raises ConfigError once the output ends; stopping early ends git."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=errors
            )
        except FileNotFoundError:
            raise ConfigError(f"{what}: git is not installed or not on PATH") from None
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                yield line.rstrip(b"\n")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            reason = errors.read().decode(_ENCODING, "replace").strip().splitlines()
            message = next((line for line in reason if line.startswith("fatal:")), reason[0] if reason else "")
            raise ConfigError(f"{what}: {message.removeprefix('fatal: ') or 'git failed'}")


class BlobReader:
    """Reads `commit:path` blobs through one long-lived `git cat-file --batch` process (fast for many blobs)."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def read(self, commit: str, path: str, max_size: int) -> bytes | None:
        """The blob's bytes, or None when it is missing, not a blob or larger than `max_size`."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if "\n" in path:
            return None  # the batch protocol is line based; such a path cannot be asked for
        self.proc.stdin.write(f"{commit}:{path}\n".encode(_ENCODING, "surrogateescape"))
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)  # the newline after the content
        return None if size > max_size else data

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
