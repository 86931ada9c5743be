"""`rewrite --apply` as a transaction a user can trust: confined to the roots given, helpers first, a
compare-and-swap right before each rename, and a journal so an interrupted run is finished by the next one.

Why each piece:
- Confinement: the scanner follows folder symlinks (reading is harmless), but a rewrite must never edit files
  outside the folders it was given (`proj/up -> ..`). Every target is resolved to its real path and must lie
  inside a given root's real path; anything else is refused in the plan itself, so the dry run, `--patch` and
  `--apply` all say so.
- Compare-and-swap: the file is hashed when the apply starts and hashed again right before its rename; a
  concurrent writer's change in between wins (the file is refused, its content kept), never silently lost.
- Helpers first: a rewritten file imports the token helper, so the helper is on disk before any file using it.
- Journal (`.zoho-migrate-apply.json` in the first root, 0600): written before the first file, removed when the
  run ends. It lists every file with its hash before and after. After a crash or Ctrl-C the next
  `rewrite --apply` reads it: the files it wrote (current hash = after) are not "uncommitted changes" to refuse,
  and the fresh plan writes the rest (the rewrite is idempotent: done files have nothing left to change).
  `rewrite --status` tells which files were written.
- A read-only file (no write permission for its owner) is refused with a warning, not replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrate.faults import FileFailure, failure_from
from migrate.rewrite.model import FileChange
from migrate.rewrite.textio import read_source, to_bytes
from migrate.safeio import PRIVATE_MODE, UnsafeTarget, atomic_write

if TYPE_CHECKING:
    from migrate.rewrite.plan import RewritePlan

JOURNAL_NAME = ".zoho-migrate-apply.json"
JOURNAL_VERSION = 1
# test hook: after this many files are written, sleep (so a test can interrupt the run at a known point)
PAUSE_ENV = "ZOHO_MIGRATE_TEST_PAUSE_AFTER"
SwapHook = Callable[[Path], None]


@dataclass
class ApplyReport:
    """What `apply()` did: files written and created, files refused (and why), an interrupted run resumed."""

    written: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # written by an interrupted earlier run
    failures: list[FileFailure] = field(default_factory=list)  # internal errors while writing (also refused)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


# ---- confinement


def real_roots(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(real path, whole tree?) per root: a folder and everything under it; for a file argument the file itself
    and the folder it was named in, one level only (where its helper goes, even when the file links elsewhere)."""
    roots = []
    for path in paths or [Path(".")]:
        roots.append((path.resolve(), path.is_dir()))
        if not path.is_dir():
            roots.append(((path.parent if str(path.parent) else Path(".")).resolve(), False))
    return roots


def outside_reason(path: Path, roots: list[tuple[Path, bool]]) -> str | None:
    """Why writing `path` would leave the roots (None when it stays inside one of them)."""
    real = path.resolve()
    for root, tree in roots:
        if real == root or (tree and real.is_relative_to(root)) or (not tree and real.parent == root):
            return None
    return f"its real path {real} is outside the folders given (reached through a symbolic link); not followed"


def confine(plan: RewritePlan, paths: list[Path]) -> None:
    """Refuse, in the plan, every change whose real path lies outside the given roots."""
    roots = real_roots(paths)
    for change in plan.files:
        if change.refused:
            continue
        target = Path(change.fs_path)
        where = target.parent if change.created else target
        reason = outside_reason(where, roots)
        if reason:
            change.refused = reason


# ---- the journal


def journal_path(paths: list[Path]) -> Path:
    """Where the journal of an apply over `paths` lives: the first root folder (a file's own folder)."""
    first = (paths or [Path(".")])[0].resolve()
    return (first if first.is_dir() else first.parent) / JOURNAL_NAME


def read_journal(path: Path) -> dict[str, Any] | None:
    try:
        if path.is_symlink():
            return None
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("files"), list) else None


def file_states(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(display path, state) per journal entry: written | not written | changed by someone else | missing."""
    states = []
    for entry in doc.get("files", []):
        if not isinstance(entry, dict):
            continue
        current = _file_digest(Path(str(entry.get("path"))))
        if current is None:
            state = "missing" if entry.get("before") else "not written"
        elif current == entry.get("after"):
            state = "written"
        elif current == entry.get("before"):
            state = "not written"
        else:
            state = "changed by someone else"
        states.append((str(entry.get("display")), state))
    return states


def written_by_interrupted(paths: list[Path]) -> set[str]:
    """Real paths an interrupted apply already wrote (exempt from the uncommitted-changes check)."""
    doc = read_journal(journal_path(paths))
    if doc is None:
        return set()
    return {str(e.get("path")) for e in doc["files"] if isinstance(e, dict)
            and _file_digest(Path(str(e.get("path")))) == e.get("after")}


def status_lines(paths: list[Path]) -> list[str]:
    """`rewrite --status`: what an interrupted apply wrote, file by file."""
    path = journal_path(paths)
    doc = read_journal(path)
    if doc is None:
        return [f"zoho-migrate: no interrupted apply ({path} does not exist)"]
    states = file_states(doc)
    done = sum(1 for _, s in states if s == "written")
    lines = [f"zoho-migrate: interrupted apply started {doc.get('started', '?')}: {done} of {len(states)} files "
             "written; run `zoho-migrate rewrite --apply` again to finish it"]
    lines += [f"  {state}: {display}" for display, state in states]
    return lines


def _write_journal(path: Path, changes: list[tuple[FileChange, Path, bytes, str | None]]) -> None:
    doc = {
        "tool": "zoho-migrate",
        "kind": "rewrite-apply-journal",
        "version": JOURNAL_VERSION,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "pid": os.getpid(),
        "files": [{"display": change.path, "path": str(target), "created": change.created, "before": before,
                   "after": digest(data)} for change, target, data, before in changes],
    }
    text = json.dumps(doc, indent=2) + "\n"
    if path.is_symlink():
        path.unlink()  # our own name: a link planted there is replaced, never written through
    atomic_write(path, text.encode("utf-8"), mode=PRIVATE_MODE, what="apply journal")


# ---- applying


def _pause_after() -> int | None:
    value = os.environ.get(PAUSE_ENV)
    return int(value) if value and value.isdigit() else None


def apply_plan(plan: RewritePlan, paths: list[Path], *, before_swap: SwapHook | None = None) -> ApplyReport:
    """Write the plan's changes as a transaction (module docstring). `before_swap(path)` runs right before each
    rename of an existing file (after its temporary file is complete): tests use it to play a concurrent writer."""
    report = ApplyReport()
    journal = journal_path(paths)
    previous = read_journal(journal)
    if previous is not None:
        report.resumed = [display for display, state in file_states(previous) if state == "written"]
    ordered = sorted((c for c in plan.files if c.changed or c.refused), key=lambda c: not c.created)
    pending: list[tuple[FileChange, Path, bytes, str | None]] = []
    for change in ordered:
        if change.refused:
            report.refused.append((change.path, change.refused))
            continue
        prepared = _prepare(plan, change, report)
        if prepared is not None:
            pending.append(prepared)
    if pending:
        _write_journal(journal, pending)
    pause = _pause_after()
    failed_helpers: list[FileChange] = []
    for count, (change, target, data, before) in enumerate(pending):
        if pause is not None and count == pause:
            time.sleep(60)  # the test interrupts the run here
        helper = next((h for h in failed_helpers if _imports(change, h)), None)
        if helper is not None:
            report.refused.append((change.path, f"its token helper {helper.path} could not be created"))
            continue
        try:
            _swap(change, target, data, before, report, before_swap)
            continue
        except UnsafeTarget as error:
            reason = f"cannot write: {error.reason}"
        except OSError as error:  # one unwritable file is reported; the others are still written
            reason = f"cannot write: {error.strerror or error}"
        except Exception as error:  # an internal error on one file, likewise (the run exits 2)
            report.failures.append(failure_from(change.path, error))
            reason = report.failures[-1].message
        report.refused.append((change.path, reason))
        if change.created:
            failed_helpers.append(change)
    if journal.is_file() and not journal.is_symlink():
        journal.unlink()  # the run ended (written or refused, each reported): nothing to resume
    return report


def _prepare(plan: RewritePlan, change: FileChange, report: ApplyReport) -> tuple[FileChange, Path, bytes,
                                                                                   str | None] | None:
    """(change, real target, bytes to write, hash of the bytes now on disk), or None when refused."""
    target = Path(change.fs_path)
    if change.created:
        return change, target.parent.resolve() / target.name, change.rewritten.encode("utf-8"), None
    real = target.resolve()  # a symlinked file is rewritten where it lives (inside the roots); the link stays
    try:
        data = real.read_bytes()
        info = real.stat()
    except OSError as error:
        report.refused.append((change.path, f"cannot read: {error.strerror or error}"))
        return None
    if not info.st_mode & stat.S_IWUSR or not os.access(real, os.W_OK):
        report.refused.append((change.path, f"read-only file (mode {stat.S_IMODE(info.st_mode):04o}): not replaced; "
                               "make it writable to rewrite it"))
        return None
    current = read_source(real)
    if current.text != change.original:
        report.refused.append((change.path, "changed on disk since the plan was made"))
        return None
    source = plan._sources[change.fs_path]
    return change, real, to_bytes(source.layout, change.rewritten), digest(data)


def _imports(change: FileChange, helper: FileChange) -> bool:
    """Does `change` (a rewritten file) use `helper` (a generated file of its folder and language)?"""
    if change.created or change.language != helper.language:
        return False
    if Path(change.fs_path).parent != Path(helper.fs_path).parent:
        return False
    return Path(helper.fs_path).stem in change.rewritten


def _swap(change: FileChange, target: Path, data: bytes, before: str | None, report: ApplyReport,
          before_swap: SwapHook | None) -> None:
    if change.created:
        try:
            atomic_write(target, data, mode=0o644, exclusive=True, what="helper")
        except FileExistsError:
            if _file_digest(target) != digest(data):
                report.refused.append((change.path, "a file of that name appeared meanwhile; left as it is"))
                return
        report.created.append(change.path)
        return
    mode = stat.S_IMODE(target.stat().st_mode)

    def compare() -> None:  # the swap happens only if the file is still what the plan read
        if before_swap is not None:
            before_swap(target)
        if _file_digest(target) != before:
            raise _Changed

    try:
        atomic_write(target, data, mode=mode, what="rewrite", before_rename=compare)
    except _Changed:
        report.refused.append((change.path, "changed on disk while applying; the other writer's version was kept"))
        return
    report.written.append(change.path)


class _Changed(Exception):
    """The compare-and-swap found the file changed since it was hashed."""
