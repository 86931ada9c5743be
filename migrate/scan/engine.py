"""The scan stage: walk -> read -> prefilter -> match, in parallel over files, in deterministic order.

Streaming: files are listed lazily and handed to worker processes in small batches with a bounded number in
flight, so memory holds the findings plus a few batches, never the tree's file list or every file's outcome.
Outcomes come back in listing order, and findings are sorted at the end, so the output does not depend on the
number of workers.

Fast paths (on by default; `ScanOptions.fast_paths=False` or `ZOHO_MIGRATE_NO_FAST_PATHS=1` turns them off,
and tests/perf checks the findings are identical either way):
- the literal plan (scan/plan.py): rules and regexes that cannot match a file are not run, and a file no rule
  can match is never decoded;
- with `ZOHO_MIGRATE_GIT_LISTING=1`, the file list from `git ls-files` when a scanned folder is the top of a git
  work tree (scan/walk.py). Off by default because it measured slower here: git's untracked-file scan stats
  every file, while the walk gets file types from readdir (0.72 s against 0.20 s for 11,600 files in bench/).
  It pays in big repositories with git's untracked cache or fsmonitor, where git answers without the tree walk;
- with `only_files` (`--changed-since`), a lookup of those paths instead of a walk of the whole tree.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.requests.fixable import fixable_fingerprints
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex
from migrate.scan.matcher import CompiledRules, FileMatcher
from migrate.scan.plan import ScanPlan
from migrate.scan.textfile import SkipFile, decode, is_binary, read_bytes
from migrate.scan.walk import Walker

# below this many files a process pool costs more than it saves
PARALLEL_THRESHOLD = 64
# below this many files the literal plan (~50 ms to build) costs more than it saves, e.g. for --changed-since
PLAN_THRESHOLD = 64
BATCH_SIZE = 16
# batches queued per worker: enough that one slow file (a 3 MB minified bundle) does not leave the other workers
# idle while the results wait for it in order; few enough (paths and small outcomes) to keep memory flat
IN_FLIGHT_PER_WORKER = 32
NO_FAST_PATHS_ENV = "ZOHO_MIGRATE_NO_FAST_PATHS"
GIT_LISTING_ENV = "ZOHO_MIGRATE_GIT_LISTING"


@dataclass
class ScanOptions:
    """What the user asked for (the CLI fills it; tests build it directly)."""

    jobs: int = 0  # 0: one worker per CPU this process may run on
    excludes: tuple[str, ...] = ()
    max_file_size: int | None = None
    only_files: set[str] | None = None  # relative paths (e.g. from --changed-since); None means all
    fast_paths: bool = True  # literal plan, git file listing, only_files lookup (same findings either way)
    mark_fixable: bool = True  # Finding.fixable from the request model's cheap decision


@dataclass
class ScanResult:
    """Findings plus the stats and errors of DESIGN.md's JSON contract."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    files_scanned: int = 0
    files_skipped: int = 0
    suppressed: int = 0
    baselined: int = 0
    seconds: float = 0.0
    roots: list[str] = field(default_factory=list)
    # inline-suppressed findings: not in `findings` nor the exit code; SARIF lists them as in-source suppressions
    suppressed_findings: list[Finding] = field(default_factory=list)

    def stats(self) -> dict[str, Any]:
        return {
            "files_scanned": self.files_scanned,
            "files_skipped": self.files_skipped,
            "seconds": round(self.seconds, 3),
            "suppressed": self.suppressed,
            "baselined": self.baselined,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "findings": [f.to_json() for f in self.findings],
            "stats": self.stats(),
            "errors": self.errors,
        }


@dataclass
class _FileOutcome:
    findings: list[Finding]
    suppressed: int = 0
    scanned: bool = True
    error: str | None = None
    suppressed_findings: list[Finding] = field(default_factory=list)


_CLEAN = _FileOutcome([])

# Per-process state: set in the parent before forking workers, so rules are compiled once per process.
_STATE: dict[str, Any] = {}


def fast_paths_enabled(options: ScanOptions) -> bool:
    """The fast paths run unless the options or the environment switch them off."""
    return options.fast_paths and os.environ.get(NO_FAST_PATHS_ENV, "").strip() in ("", "0")


def git_listing_enabled(fast: bool) -> bool:
    """List files with `git ls-files` (opt-in, see the module docstring)?"""
    return fast and os.environ.get(GIT_LISTING_ENV, "").strip() not in ("", "0")


def default_jobs() -> int:
    """One worker per CPU this process may use (affinity and container CPU sets included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _prepare(ruleset: RuleSet, max_file_size: int, fast: bool = True, mark_fixable: bool = True) -> None:
    """Compile the rules once for this scan; forked workers inherit them (and the literal plan, see _outcomes)."""
    compiled = CompiledRules(ruleset)
    _STATE["compiled"] = compiled
    _STATE["languages"] = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    _STATE["plan"] = None
    _STATE["want_plan"] = fast
    _STATE["max_size"] = max_file_size
    _STATE["mark_fixable"] = mark_fixable


def _ensure_plan() -> None:
    if _STATE.get("want_plan") and _STATE.get("plan") is None:
        _STATE["plan"] = ScanPlan(_STATE["compiled"])


def scan_file(path: Path, display: str, gitignored: bool = False) -> _FileOutcome:
    """Scan one file with the prepared rules; every failure becomes a skip note, never an exception."""
    compiled: CompiledRules = _STATE["compiled"]
    languages: LanguageIndex = _STATE["languages"]
    try:
        data = read_bytes(path, _STATE["max_size"])
    except SkipFile as skip:
        return _FileOutcome([], scanned=False, error=str(skip))
    if is_binary(data):
        return _FileOutcome([], scanned=False)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16 (with BOM): the byte-level prefilter looks for the keywords' ASCII bytes, so hand it UTF-8
        data = decode(data).text.encode("utf-8", errors="surrogateescape")
    language = languages.detect(path, data[:256]) or languages.languages.get("other")
    if language is None:
        return _FileOutcome([], scanned=False)
    plan: ScanPlan | None = _STATE["plan"]
    view = None
    if plan is not None:
        found, view = plan.select(data, language, display, gitignored)
        if view is None:
            return _CLEAN
    else:
        found = compiled.prefilter.found(data)
        if not found:
            return _CLEAN
    text = decode(data).text
    matcher = FileMatcher(compiled, text, language, display, found, gitignored)
    if view is not None:
        matcher.ruleset = view
    result = matcher.run()
    if not result.findings and not result.suppressed:
        return _CLEAN
    if result.findings and _STATE.get("mark_fixable"):
        _mark_fixable(display, text, language, result.findings, compiled.ruleset)
    return _FileOutcome(result.findings, result.suppressed, suppressed_findings=result.suppressed_findings)


def _mark_fixable(display: str, text: str, language: Language, findings: list[Finding], ruleset: RuleSet) -> None:
    """`fixable`: the rule has a fix and the finding's request can be migrated whole (the request model's cheap
    decision; the rewriter is never run here, and never imported: scan sits below rewrite)."""
    fixed = fixable_fingerprints(text, language, findings, ruleset)
    for finding in findings:
        finding.fixable = finding.fingerprint in fixed


_Work = tuple[str, str, bool]  # path, display path, git-ignored


def _scan_batch(batch: list[_Work]) -> list[_FileOutcome]:
    return [scan_file(Path(p), display, ignored) for p, display, ignored in batch]


def _entries(paths: Iterable[Path], options: ScanOptions, walker: Walker, fast: bool) -> Iterator[_Work]:
    """What to scan, lazily, in listing order: (path, display path, git-ignored)."""
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise ConfigError(f"path does not exist: {root}")
        if root.is_dir():
            if options.only_files is not None and fast:
                for entry in walker.lookup(root, options.only_files):
                    yield str(entry.path), entry.relative, entry.gitignored
                continue
            for path, relative, gitignored in walker.files(root, use_git=git_listing_enabled(fast)):
                if options.only_files is None or relative in options.only_files:
                    yield path, relative, gitignored
        elif root.is_file():
            yield str(root), root.as_posix(), False
        else:
            walker.errors.append(
                {"path": root.as_posix(), "message": "not a regular file or folder, skipped"}
            )
            walker.skipped += 1


def _batches(work: Iterator[_Work], size: int) -> Iterator[list[_Work]]:
    while batch := list(islice(work, size)):
        yield batch


def _outcomes(work: Iterator[_Work], jobs: int) -> Iterator[tuple[str, _FileOutcome]]:
    """(display path, outcome) in listing order; in worker processes when the tree is big enough."""
    head = list(islice(work, PARALLEL_THRESHOLD))
    if len(head) >= min(PLAN_THRESHOLD, PARALLEL_THRESHOLD):
        _ensure_plan()
    if jobs <= 1 or len(head) < PARALLEL_THRESHOLD:
        for path, display, ignored in chain(head, work):
            yield display, scan_file(Path(path), display, ignored)
        return
    context = multiprocessing.get_context("fork")
    pending: deque[tuple[list[_Work], Future[list[_FileOutcome]]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for batch in _batches(chain(head, work), BATCH_SIZE):
            pending.append((batch, pool.submit(_scan_batch, batch)))
            while len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                done_batch, future = pending.popleft()
                yield from zip((d for _, d, _ in done_batch), future.result(), strict=True)
        while pending:
            done_batch, future = pending.popleft()
            yield from zip((d for _, d, _ in done_batch), future.result(), strict=True)


def scan_paths(
    paths: list[Path],
    ruleset: RuleSet,
    options: ScanOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Scan files and folders; findings are sorted by path, line, column and rule."""
    options = options or ScanOptions()
    started = time.perf_counter()
    fast = fast_paths_enabled(options)
    max_size = options.max_file_size or ruleset.scan.max_file_size
    _prepare(ruleset, max_size, fast, options.mark_fixable)
    walker = Walker(skip_dirs=frozenset(ruleset.scan.skip_dirs), excludes=options.excludes)
    result = ScanResult(roots=[p.as_posix() for p in paths])
    work = _entries(paths, options, walker, fast)
    file_errors: list[dict[str, str]] = []
    for index, (display, outcome) in enumerate(_outcomes(work, options.jobs or default_jobs())):
        if outcome.scanned:
            result.files_scanned += 1
        else:
            result.files_skipped += 1
        if outcome.error:
            file_errors.append({"path": display, "message": outcome.error})
        if outcome.findings:
            result.findings.extend(outcome.findings)
        result.suppressed += outcome.suppressed
        result.suppressed_findings.extend(outcome.suppressed_findings)
        if progress is not None:
            progress(index + 1)
    result.errors = walker.errors + file_errors
    result.files_skipped += walker.skipped
    result.findings.sort(key=lambda f: f.sort_key)
    result.suppressed_findings.sort(key=lambda f: f.sort_key)
    result.seconds = time.perf_counter() - started
    return result
