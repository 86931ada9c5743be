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

Fault isolation (migrate/faults.py): each file is scanned inside a boundary, so an internal error on one file
becomes an `errors` entry (plus a FileFailure with its traceback) and a file over `file_timeout` seconds a
"too complex, skipped" note; the other files are scanned as usual. In parallel mode a watchdog also covers
native code that a signal cannot interrupt: a worker still on one file well past the budget is killed, the pool
is replaced, and every unfinished batch is submitted again without that file (see `_Pool`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.faults import (
    DEFAULT_FILE_TIMEOUT,
    FileBudgetExceeded,
    FileFailure,
    budget_note,
    failure_from,
    file_budget,
)
from migrate.requests.configreaders import unmark_read_keys
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
# files per batch: each batch is one message each way between the parent and a worker (16 cost the parent 20 %
# more CPU than 64 on the legacy benchmark tree, 6,664 files)
BATCH_SIZE = 64
# batches queued per worker: enough that one slow file (a 3 MB minified bundle) does not leave the other workers
# idle while the results wait for it in order (512 files per worker); few enough (paths and small outcomes) to
# keep memory flat
IN_FLIGHT_PER_WORKER = 8
# the watchdog kills a worker still on one file this long after its budget ran out (the budget's own signal had
# its chance: the file is stuck in native code), and looks this often while the scan waits for results
WATCHDOG_GRACE = 1.0
WATCHDOG_POLL = 0.25
# after this many pool deaths that no file explains, the rest of the tree is scanned in this process
MAX_POOL_RESTARTS = 16
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
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT  # seconds per file (None or 0: no budget)


@dataclass
class ScanResult:
    """Findings plus the stats and errors of DESIGN.md's JSON contract."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    files_scanned: int = 0
    files_skipped: int = 0
    suppressed: int = 0
    baselined: int = 0
    seconds: float = 0.0
    roots: list[str] = field(default_factory=list)
    # inline-suppressed findings: not in `findings` nor the exit code; SARIF lists them as in-source suppressions
    suppressed_findings: list[Finding] = field(default_factory=list)
    # internal errors (each also in `errors`): the CLI prints them, writes their tracebacks and exits 2
    failures: list[FileFailure] = field(default_factory=list)

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
    failure: FileFailure | None = None
    # is this a code file (what may read a config key, requests/configreaders.py)? None: not known (not read)
    code: bool | None = None
    # the rule keywords in its bytes (any letter case): a key holding keywords the file lacks is not read there;
    # None: not known (no literal plan, a UTF-16 file, or one of the characters whose lower() is ASCII)
    hits: frozenset[str] | None = None


_CLEAN = _FileOutcome([], code=False)
_CLEAN_CODE = _FileOutcome([], code=True, hits=frozenset())


def _clean(code: bool, hits: frozenset[str] | None) -> _FileOutcome:
    if not code:
        return _CLEAN
    return _CLEAN_CODE if hits is not None and not hits else _FileOutcome([], code=True, hits=hits)

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


def _prepare(
    ruleset: RuleSet,
    max_file_size: int,
    fast: bool = True,
    mark_fixable: bool = True,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> None:
    """Compile the rules once for this scan; forked workers inherit them (and the literal plan, see _outcomes)."""
    _STATE["budget"] = file_timeout or None
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
    """Scan one file with the prepared rules; every failure becomes a skip note or a FileFailure, never an
    exception, and a file over its time budget a "too complex" note (the fault boundary of issue 12)."""
    budget: float | None = _STATE.get("budget")
    try:
        early = _keyword_pass(path)
        if isinstance(early, _FileOutcome):
            return early  # most files: no keyword, decided without arming the budget's timer (two system calls)
        with file_budget(budget):
            return _scan_file(path, display, gitignored, *early)
    except FileBudgetExceeded:
        return _FileOutcome([], scanned=False, error=budget_note(budget or 0))
    except Exception as error:
        failure = failure_from(display, error)
        return _FileOutcome([], scanned=False, error=failure.message, failure=failure)


# the file's bytes, language, is it code, prefilter hits, rule keywords in it (None: not known)
_Early = tuple[bytes, Language, bool, set[str], frozenset[str] | None]


def _keyword_pass(path: Path) -> _FileOutcome | _Early:
    """Read, detect and run the keyword pass: the outcome when that decides the file, else what the rest needs.

    Outside the per-file budget: every step is one linear pass over at most `max_file_size` bytes."""
    compiled: CompiledRules = _STATE["compiled"]
    languages: LanguageIndex = _STATE["languages"]
    try:
        data = read_bytes(path, _STATE["max_size"])
    except SkipFile as skip:
        return _FileOutcome([], scanned=False, error=str(skip))
    if is_binary(data):
        return _FileOutcome([], scanned=False, code=_is_code(languages, path, data))
    transcoded = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    # without a shebang or a UTF-16 head, the language detected below says it (both go by the file name then)
    code = _is_code(languages, path, data) if transcoded or data.startswith(b"#!") else None
    if transcoded:
        # UTF-16 (with BOM): the byte-level prefilter looks for the keywords' ASCII bytes, so hand it UTF-8
        data = decode(data).text.encode("utf-8", errors="surrogateescape")
    detected = languages.detect(path, data[:256])
    if code is None:
        code = detected is not None and detected.kind == "code"
    language = detected or languages.languages.get("other")
    if language is None:
        return _FileOutcome([], scanned=False, code=code)
    plan: ScanPlan | None = _STATE["plan"]
    hits: frozenset[str] | None = None
    if plan is not None:
        found = plan.prefilter.found(data)
        hit = not found.isdisjoint(plan.keywords)
        if code and not transcoded and found.isdisjoint(plan.fold_sentinels):
            hits = frozenset(found & plan.keywords)
    else:
        found = compiled.prefilter.found(data)
        hit = bool(found)
    if not hit:
        return _clean(code, hits)
    return data, language, code, found, hits


def _scan_file(
    path: Path,
    display: str,
    gitignored: bool,
    data: bytes,
    language: Language,
    code: bool,
    found: set[str],
    hits: frozenset[str] | None,
) -> _FileOutcome:
    """The rest of a file with keywords: the rules that can match, decoding, matching, `fixable` (in the budget)."""
    compiled: CompiledRules = _STATE["compiled"]
    clean = _clean(code, hits)
    plan: ScanPlan | None = _STATE["plan"]
    view = None
    if plan is not None:
        found, view = plan.select(data, language, display, gitignored, source=path, found=found)
        if view is None:
            return clean
    text = decode(data).text
    del data  # the bytes are not needed past here: one copy of a big file in memory, not two
    matcher = FileMatcher(compiled, text, language, display, found, gitignored, source=path)
    if view is not None:
        matcher.ruleset = view
    result = matcher.run()
    if not result.findings and not result.suppressed:
        return clean
    outcome = _FileOutcome(
        result.findings, result.suppressed, suppressed_findings=result.suppressed_findings, code=code, hits=hits
    )
    if result.findings and _STATE.get("mark_fixable"):
        # the findings stand on their own: a rewriter failure or stall costs only the `fixable` marks
        try:
            _mark_fixable(display, text, language, result.findings, compiled.ruleset)
        except FileBudgetExceeded:
            outcome.error = f"too complex, `fixable` not decided (budget {_STATE.get('budget') or 0:g} s)"
        except Exception as error:
            outcome.failure = failure_from(display, error)
            outcome.error = outcome.failure.message
    return outcome


def _is_code(languages: LanguageIndex, path: Path, data: bytes) -> bool:
    """`ConfigReaders.is_code` of this file as `unmark_read_keys` would read it (UTF-8 text with replacement
    characters, universal newlines): its language by name, and by the text's first 256 characters for a shebang."""
    head = b""
    if data.startswith(b"#!"):
        # 256 characters take at most 1,024 bytes, so this prefix decodes to the same first 256 as the whole file
        head = data[:2048].decode("utf-8", "replace")[:256].encode("utf-8", "replace")
    language = languages.detect(path, head)
    return language is not None and language.kind == "code"


def _mark_fixable(display: str, text: str, language: Language, findings: list[Finding], ruleset: RuleSet) -> None:
    """`fixable`: the rule has a fix and the finding's request can be migrated whole (the request model's cheap
    decision; the rewriter is never run here, and never imported: scan sits below rewrite)."""
    fixed = fixable_fingerprints(text, language, findings, ruleset)
    for finding in findings:
        finding.fixable = finding.fingerprint in fixed


_Work = tuple[str, str, bool]  # path, display path, git-ignored


def _scan_batch(batch: list[_Work], batch_id: int = -1, indexes: list[int] | None = None) -> list[_FileOutcome]:
    """Scan a batch in a worker, recording in the watchdog's table which file it is on since when."""
    table = _STATE.get("table")
    outcomes = []
    for position, (p, display, ignored) in enumerate(batch):
        if table is not None:
            table.start(batch_id, indexes[position] if indexes else position)
        outcomes.append(scan_file(Path(p), display, ignored))
    if table is not None:
        table.idle()
    return outcomes


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


def _outcomes(work: Iterator[_Work], jobs: int) -> Iterator[tuple[str, str, _FileOutcome]]:
    """(path, display path, outcome) in listing order; in worker processes when the tree is big enough."""
    head = list(islice(work, PARALLEL_THRESHOLD))
    if len(head) >= min(PLAN_THRESHOLD, PARALLEL_THRESHOLD):
        _ensure_plan()
    if jobs <= 1 or len(head) < PARALLEL_THRESHOLD:
        for path, display, ignored in chain(head, work):
            yield path, display, scan_file(Path(path), display, ignored)
        return
    yield from _parallel(chain(head, work), jobs)


class _Table:
    """What each worker process is scanning since when: (pid, batch id, index in batch, start), one row each.

    Shared memory without a lock: each row has one writer (its worker); the parent only reads, and a torn read
    costs at most one poll's delay.
    """

    WIDTH = 4

    def __init__(self, rows: int, context: Any) -> None:
        self.cells = context.RawArray("d", rows * self.WIDTH)
        self.next_row = context.Value("i", 0)
        self.row = -1

    def claim(self) -> None:
        with self.next_row.get_lock():
            row = self.next_row.value
            self.next_row.value += 1
        self.row = row if row < len(self.cells) // self.WIDTH else -1  # no row left: unwatched, never broken

    def start(self, batch_id: int, index: int) -> None:
        if self.row >= 0:
            base = self.row * self.WIDTH
            self.cells[base + 3] = 0.0
            self.cells[base : base + 3] = [float(os.getpid()), float(batch_id), float(index)]
            self.cells[base + 3] = time.monotonic()

    def idle(self) -> None:
        if self.row >= 0:
            self.cells[self.row * self.WIDTH + 3] = 0.0

    def busy(self) -> Iterator[tuple[int, int, int, float]]:
        """(pid, batch id, index, seconds on that file) for every worker inside a file now."""
        now = time.monotonic()
        for row in range(len(self.cells) // self.WIDTH):
            pid, batch_id, index, started = self.cells[row * self.WIDTH : (row + 1) * self.WIDTH]
            if started > 0:
                yield int(pid), int(batch_id), int(index), now - started


def _solo(item: _Work, sender: Any) -> None:
    """Body of a probe process (`_Pool._probe`): scan one file, send the outcome back."""
    sender.send(_scan_batch([item])[0])
    sender.close()


def _init_worker(table: _Table) -> None:
    table.claim()
    _STATE["table"] = table


@dataclass
class _Batch:
    """A batch of files and what is known of them; `preset` holds outcomes decided without a worker."""

    id: int
    work: list[_Work]
    preset: dict[int, _FileOutcome] = field(default_factory=dict)
    future: Future[list[_FileOutcome]] | None = None

    def todo(self) -> tuple[list[_Work], list[int]]:
        indexes = [i for i in range(len(self.work)) if i not in self.preset]
        return [self.work[i] for i in indexes], indexes

    def outcomes(self, scanned: list[_FileOutcome]) -> list[_FileOutcome]:
        merged = dict(self.preset)
        merged.update(zip(self.todo()[1], scanned, strict=True))
        return [merged[i] for i in range(len(self.work))]


class _Pool:
    """A process pool with a watchdog, replaced (and its unfinished batches re-submitted) when a worker dies.

    The per-file budget's signal interrupts Python code and regexes inside the worker; a file stuck in native
    code past budget + WATCHDOG_GRACE gets its worker killed, and is then reported "too complex, skipped".
    A worker that dies for another reason (a crash in native code) takes the pool down with it: each file then in
    progress is scanned again alone in a fresh process (`_probe`), so the one that kills its process is reported
    as an internal error and the bystanders keep their results.
    """

    def __init__(self, jobs: int, budget: float | None) -> None:
        self.jobs = jobs
        self.budget = budget
        self.context = multiprocessing.get_context("fork")
        self.killed: set[tuple[int, int]] = set()
        self.restarts = 0
        self.executor: ProcessPoolExecutor | None = None
        self._start()

    def _start(self) -> None:
        self.table = _Table(self.jobs, self.context)
        self.executor = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=self.context, initializer=_init_worker, initargs=(self.table,)
        )

    def submit(self, batch: _Batch) -> None:
        work, indexes = batch.todo()
        if self.executor is None:  # too many restarts: the rest runs here, still file by file
            batch.future = Future()
            batch.future.set_result([scan_file(Path(p), d, g) for p, d, g in work])
            return
        batch.future = self.executor.submit(_scan_batch, work, batch.id, indexes)

    def result(self, batch: _Batch, pending: deque[_Batch]) -> list[_FileOutcome]:
        """The batch's outcomes, watching for stuck workers and recovering from dead ones meanwhile."""
        while True:
            assert batch.future is not None
            try:
                return batch.outcomes(batch.future.result(timeout=WATCHDOG_POLL if self.budget else None))
            except FutureTimeout:
                self._watch()
            except Exception:  # BrokenProcessPool, or a batch that failed outside the per-file boundary
                self._recover([batch, *pending])

    def _limit(self) -> float:
        return (self.budget or 0) + max(WATCHDOG_GRACE, (self.budget or 0) / 2)

    def _watch(self) -> None:
        limit = self._limit()
        for pid, batch_id, index, seconds in self.table.busy():
            if seconds > limit and (batch_id, index) not in self.killed:
                self.killed.add((batch_id, index))
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:  # finished meanwhile
                    self.killed.discard((batch_id, index))

    def _recover(self, unfinished: list[_Batch]) -> None:
        in_progress = {(batch_id, index) for _, batch_id, index, _ in self.table.busy()}
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        attributed = bool(self.killed)
        by_id = {batch.id: batch for batch in unfinished}
        for batch_id, index in self.killed:
            if batch_id in by_id:
                by_id[batch_id].preset[index] = _FileOutcome([], scanned=False, error=budget_note(self.budget or 0))
        if not self.killed:  # a death the watchdog did not cause: find the file that causes it
            for batch_id, index in sorted(in_progress):
                if batch_id in by_id and index not in by_id[batch_id].preset:
                    outcome = self._probe(by_id[batch_id].work[index])
                    by_id[batch_id].preset[index] = outcome
                    attributed = attributed or outcome.failure is not None
        self.killed.clear()
        if not attributed:  # a death no file explains: retried, but not forever
            self.restarts += 1
        if self.restarts > MAX_POOL_RESTARTS:
            self.executor = None
        else:
            self._start()
        for batch in unfinished:
            future = batch.future
            if future is None or not future.done() or future.cancelled() or future.exception() is not None:
                self.submit(batch)

    def _probe(self, item: _Work) -> _FileOutcome:
        """Scan one file alone in a fresh process: if that process dies too, the file is the cause."""
        receiver, sender = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_solo, args=(item, sender), daemon=True)
        process.start()
        sender.close()
        try:
            if receiver.poll(self._limit() if self.budget else None):
                return receiver.recv()  # type: ignore[no-any-return]
            process.kill()  # stuck in native code past the budget, alone this time
            return _FileOutcome([], scanned=False, error=budget_note(self.budget or 0))
        except (EOFError, OSError):
            process.join()
            message = f"internal error: the worker process died on this file (exit code {process.exitcode})"
            failure = FileFailure(item[1], message, "")
            return _FileOutcome([], scanned=False, error=message, failure=failure)
        finally:
            receiver.close()
            process.join()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def _parallel(work: Iterator[_Work], jobs: int) -> Iterator[tuple[str, str, _FileOutcome]]:
    """Batches in worker processes, a bounded number in flight, outcomes in listing order."""
    pool = _Pool(jobs, _STATE.get("budget"))
    pending: deque[_Batch] = deque()
    try:
        for batch_id, items in enumerate(_batches(work, BATCH_SIZE)):
            batch = _Batch(batch_id, items)
            pool.submit(batch)
            pending.append(batch)
            while len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                done = pending.popleft()
                yield from _zipped(done.work, pool.result(done, pending))
        while pending:
            done = pending.popleft()
            yield from _zipped(done.work, pool.result(done, pending))
    finally:
        pool.close()


def _zipped(work: list[_Work], outcomes: list[_FileOutcome]) -> Iterator[tuple[str, str, _FileOutcome]]:
    return ((p, d, outcome) for (p, d, _), outcome in zip(work, outcomes, strict=True))


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
    _prepare(ruleset, max_size, fast, options.mark_fixable, options.file_timeout)
    # generated packaging metadata (skip_files) is left out like an --exclude glob: it is rebuilt from the README
    walker = Walker(skip_dirs=frozenset(ruleset.scan.skip_dirs), excludes=(*ruleset.scan.skip_files, *options.excludes))
    result = ScanResult(roots=[p.as_posix() for p in paths])
    work = _entries(paths, options, walker, fast)
    file_errors: list[dict[str, Any]] = []
    # the files that may read a config key, from this walk, so `unmark_read_keys` needs no walk of its own: code
    # files (or not known to be other) except those holding no rule keyword at all, which can read a key only if
    # the key holds no keyword (then that function walks the tree itself); with only_files (--changed-since) the
    # readers are sought in the whole tree, by its own walk
    readers: list[tuple[str, str, bool, frozenset[str] | None]] | None = None
    if options.mark_fixable and options.only_files is None:
        readers = []
    for index, (path, display, outcome) in enumerate(_outcomes(work, options.jobs or default_jobs())):
        if outcome.scanned:
            result.files_scanned += 1
        else:
            result.files_skipped += 1
        if outcome.failure is not None:
            result.failures.append(outcome.failure)
            file_errors.append(outcome.failure.entry())
        elif outcome.error:
            file_errors.append({"path": display, "message": outcome.error})
        if outcome.findings:
            result.findings.extend(outcome.findings)
        result.suppressed += outcome.suppressed
        result.suppressed_findings.extend(outcome.suppressed_findings)
        if readers is not None and outcome.code is not False and outcome.hits != frozenset():
            readers.append((path, display, outcome.code is True, outcome.hits if outcome.code else None))
        if progress is not None:
            progress(index + 1)
    result.errors = walker.errors + file_errors
    if options.mark_fixable and result.findings:
        # a config key read by code the rewrite leaves is not fixable: decided over the tree, as the rewriter does
        # (should it walk the tree, with a walker of its own: the errors of this walk are already taken)
        unmark_read_keys(
            result.findings,
            paths,
            Walker(skip_dirs=walker.skip_dirs, excludes=walker.excludes),
            ruleset,
            files=readers,
            vocabulary=_STATE["plan"].keywords if _STATE.get("plan") is not None else None,
        )
    result.files_skipped += walker.skipped
    result.findings.sort(key=lambda f: f.sort_key)
    result.suppressed_findings.sort(key=lambda f: f.sort_key)
    result.seconds = time.perf_counter() - started
    return result
