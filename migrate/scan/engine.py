"""The scan stage: walk -> read -> prefilter -> match, in parallel over files, in deterministic order."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.ruleset import RuleSet
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex
from migrate.scan.matcher import CompiledRules, FileMatcher
from migrate.scan.textfile import SkipFile, decode, is_binary, read_bytes
from migrate.scan.walk import WalkEntry, Walker

# below this many files a process pool costs more than it saves
PARALLEL_THRESHOLD = 64
BATCH_SIZE = 32


@dataclass
class ScanOptions:
    """What the user asked for (the CLI fills it; tests build it directly)."""

    jobs: int = 0  # 0: one worker per CPU
    excludes: tuple[str, ...] = ()
    max_file_size: int | None = None
    only_files: set[str] | None = None  # relative paths (e.g. from --changed-since); None means all


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


# Per-process state: set in the parent before forking workers, so rules are compiled once per process.
_STATE: dict[str, Any] = {}


def _prepare(ruleset: RuleSet, max_file_size: int) -> None:
    _STATE["compiled"] = CompiledRules(ruleset)
    _STATE["languages"] = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    _STATE["max_size"] = max_file_size


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
    language = languages.detect(path, data[:256]) or languages.languages.get("other")
    if language is None:
        return _FileOutcome([], scanned=False)
    found = compiled.prefilter.found(data)
    if not found:
        return _FileOutcome([])
    text = decode(data).text
    result = FileMatcher(compiled, text, language, display, found, gitignored).run()
    return _FileOutcome(result.findings, result.suppressed)


def _scan_batch(batch: list[tuple[str, str, bool]]) -> list[_FileOutcome]:
    return [scan_file(Path(p), display, ignored) for p, display, ignored in batch]


def _entries(
    paths: Iterable[Path], ruleset: RuleSet, options: ScanOptions, walker: Walker
) -> Iterator[WalkEntry]:
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise ConfigError(f"path does not exist: {root}")
        if root.is_dir():
            for entry in walker.walk(root):
                if options.only_files is None or entry.relative in options.only_files:
                    yield entry
        elif root.is_file():
            yield WalkEntry(root, root.as_posix(), False)
        else:
            walker.errors.append(
                {"path": root.as_posix(), "message": "not a regular file or folder, skipped"}
            )
            walker.skipped += 1


def scan_paths(
    paths: list[Path],
    ruleset: RuleSet,
    options: ScanOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Scan files and folders; findings are sorted by path, line, column and rule."""
    options = options or ScanOptions()
    started = time.perf_counter()
    max_size = options.max_file_size or ruleset.scan.max_file_size
    _prepare(ruleset, max_size)
    walker = Walker(skip_dirs=frozenset(ruleset.scan.skip_dirs), excludes=options.excludes)
    entries = list(_entries(paths, ruleset, options, walker))
    result = ScanResult(roots=[p.as_posix() for p in paths])
    jobs = options.jobs or os.cpu_count() or 1
    work = [(str(e.path), e.relative, e.gitignored) for e in entries]
    if jobs > 1 and len(work) >= PARALLEL_THRESHOLD:
        batches = [work[i : i + BATCH_SIZE] for i in range(0, len(work), BATCH_SIZE)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            outcomes_iter = (o for batch in pool.map(_scan_batch, batches) for o in batch)
            _collect(result, work, outcomes_iter, progress)
    else:
        _collect(result, work, (scan_file(Path(p), d, g) for p, d, g in work), progress)
    result.errors = walker.errors + result.errors
    result.files_skipped += walker.skipped
    result.findings.sort(key=lambda f: f.sort_key)
    result.seconds = time.perf_counter() - started
    return result


def _collect(
    result: ScanResult,
    work: list[tuple[str, str, bool]],
    outcomes: Iterable[_FileOutcome],
    progress: Callable[[int], None] | None,
) -> None:
    for index, ((_, display, _), outcome) in enumerate(zip(work, outcomes, strict=True)):
        if outcome.scanned:
            result.files_scanned += 1
        else:
            result.files_skipped += 1
        if outcome.error:
            result.errors.append({"path": display, "message": outcome.error})
        result.findings.extend(outcome.findings)
        result.suppressed += outcome.suppressed
        if progress is not None:
            progress(index + 1)
