"""The rewrite plan: scan, rewrite every file with findings in memory, check it parses, generate helpers.

Nothing is written until `RewritePlan.apply()`; the plan is what the dry run prints (masked diff), what
`--format json` and the report show, and what `--patch FILE` writes exactly.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.rewrite.diff import file_diff, mask_diff
from migrate.rewrite.engine import FileResult, rewrite_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.helpers import helper_blocker, helper_change, helper_location
from migrate.rewrite.model import AppliedEdit, Conflict, FileChange, ManualStep
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.textio import read_source, to_bytes, write_atomic
from migrate.rewrite.validate import check_rewrite
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.engine import ScanOptions, scan_paths
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex
from migrate.scan.textfile import TextFile


@dataclass
class RewriteOptions:
    """What the user asked for."""

    annotate: bool = False
    rules_dirs: tuple[Path, ...] = ()
    excludes: tuple[str, ...] = ()
    jobs: int = 0  # scan workers (0: one per CPU, as `scan` does)
    progress: Callable[[int], None] | None = None  # called with the count of files scanned so far


@dataclass
class _Source:
    layout: TextFile
    mode: int
    newline: str


@dataclass
class ApplyReport:
    """What `apply()` did: files written and created, files refused (and why)."""

    written: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RewritePlan:
    """Every change the rewrite would make, and everything it leaves to a person."""

    files: list[FileChange]
    manual_steps: list[ManualStep]
    conflicts: list[Conflict]
    ruleset: RuleSet
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    _sources: dict[str, _Source] = field(default_factory=dict, repr=False)

    @property
    def edits(self) -> dict[str, list[AppliedEdit]]:
        """Applied edits per file (display path), for files that change."""
        return {f.path: f.edits for f in self.files if f.changed}

    @property
    def changed(self) -> list[FileChange]:
        return [f for f in self.files if f.changed]

    @property
    def refused(self) -> list[FileChange]:
        return [f for f in self.files if f.refused]

    def _diff_path(self, change: FileChange) -> str:
        try:
            return Path(os.path.relpath(change.fs_path)).as_posix()
        except ValueError:
            return Path(change.fs_path).as_posix()

    def diff(self, masked: bool = True) -> str:
        """Unified diff of all changes; masked (default) for anything shown, exact for `--patch`."""
        parts = []
        for change in self.changed:
            source = self._sources.get(change.fs_path)
            parts.append(file_diff(change, self._diff_path(change), source.newline if source else "\n"))
        text = "".join(parts)
        return mask_diff(text, self.ruleset.scan.secret_patterns) if masked else text

    def to_json(self) -> dict[str, Any]:
        """The `--format json` document (secrets masked)."""
        return {
            "version": 1,
            "files": [f.to_json() for f in self.files if f.changed or f.refused],
            "edits": [
                {"path": f.path, **e.to_json()} for f in self.files if f.changed for e in f.edits
            ],
            "manual_steps": [s.to_json() for s in self.manual_steps],
            "conflicts": [c.to_json() for c in self.conflicts],
            "refused": [{"path": f.path, "reason": f.refused} for f in self.refused],
            "errors": self.errors,
            "diff": self.diff(masked=True),
            "summary": {
                "files_changed": sum(1 for f in self.changed if not f.created),
                "files_created": sum(1 for f in self.changed if f.created),
                "edits": sum(len(f.edits) for f in self.changed),
                "manual_steps": len(self.manual_steps),
                "conflicts": len(self.conflicts),
                "refused": len(self.refused),
            },
        }

    def apply(self) -> ApplyReport:
        """Write every change atomically (temp file + rename), keeping encoding, BOM, newlines and mode."""
        report = ApplyReport()
        for change in self.files:
            if change.refused:
                report.refused.append((change.path, change.refused))
                continue
            if not change.changed:
                continue
            try:
                self._write(change, report)
            except OSError as error:  # one unwritable file is reported; the others are still written
                report.refused.append((change.path, f"cannot write: {error.strerror or error}"))
        return report

    def _write(self, change: FileChange, report: ApplyReport) -> None:
        target = Path(change.fs_path)
        if change.created:
            write_atomic(target, change.rewritten.encode("utf-8"), 0o644, exclusive=True)
            report.created.append(change.path)
            return
        source = self._sources[change.fs_path]
        target = target.resolve()  # a symlinked file is rewritten where it lives; the link stays a link
        current = read_source(target)
        if current.text != change.original:
            report.refused.append((change.path, "changed on disk since the plan was made"))
            return
        write_atomic(target, to_bytes(source.layout, change.rewritten), source.mode)
        report.written.append(change.path)


def _roots(paths: list[Path]) -> list[Path]:
    return paths or [Path(".")]


def plan_rewrite(paths: list[Path], ruleset: RuleSet, options: RewriteOptions | None = None) -> RewritePlan:
    """Scan `paths`, rewrite every file with findings in memory, and return the plan (nothing is written)."""
    options = options or RewriteOptions()
    data = FixData(ruleset, tuple(options.rules_dirs))
    languages = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    scan_options = ScanOptions(jobs=options.jobs, excludes=options.excludes, mark_fixable=False)
    per_file: list[tuple[Path, str, list[Finding], Path]] = []
    findings_all: list[Finding] = []
    errors: list[dict[str, str]] = []
    for root in _roots(paths):
        result = scan_paths([root], ruleset, scan_options, options.progress)
        errors.extend(result.errors)
        findings_all.extend(result.findings)
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in result.findings:
            grouped[finding.path].append(finding)
        for display, findings in sorted(grouped.items()):
            fs_path = root / display if root.is_dir() else Path(display)
            per_file.append((fs_path, display, findings, root))
    project_products = {f.product for f in findings_all if f.product}
    references = ReferenceIndex(_roots(paths), ruleset.scan.skip_dirs, options.excludes)
    files: list[FileChange] = []
    manual: list[ManualStep] = []
    conflicts: list[Conflict] = []
    sources: dict[str, _Source] = {}
    helper_sites: dict[tuple[str, Path], tuple[str, FileResult]] = {}
    queue, deferred = deque(per_file), set()  # a definition kept for other files is tried again after them
    while queue:
        item = queue.popleft()
        fs_path, display, findings, root = item
        if any(f.gitignored for f in findings):
            for f in findings:
                manual.append(ManualStep(display, f.line, f.rule_id, "git-ignored file (a live credential?): " + f.message))
            continue
        source = read_source(fs_path)
        language = languages.detect(fs_path, source.path.read_bytes()[:256]) or ruleset.languages.get("other")
        if language is None:
            continue
        location = helper_location(data.language(language.name), fs_path, root)
        result = rewrite_text(
            display, source.text, language, findings, ruleset, data, project_products, options.annotate, references,
            location,
        )
        if result.kept_for_references and display not in deferred:
            deferred.add(display)
            queue.append(item)
            continue
        change = FileChange(
            path=display,
            fs_path=str(fs_path),
            language=language.name,
            original=source.text,
            rewritten=result.text,
            edits=result.applied,
        )
        change.refused = _check_parse(language, source.text, result.text, fs_path.name, data)
        if not change.refused and result.uses_helper:  # a helper the project cannot build: the file stays as it was
            blocked = helper_blocker(data.language(language.name), fs_path, root, location.directory)
            change.refused = data.manual_text("helper_unusable", why=blocked) if blocked else None
        if change.refused:
            manual.append(ManualStep(display, 1, "zoho-migrate.parse", change.refused))
        elif result.text != source.text:
            references.update(display, result.text)
        files.append(change)
        sources[str(fs_path)] = _Source(source.layout, source.mode, source.layout.newline)
        manual.extend(result.manual)
        conflicts.extend(result.conflicts)
        if result.uses_helper and not change.refused:
            key = (language.name, location.directory)
            display_dir = Path(display).parent
            for _ in range(location.rel.count("../")):
                display_dir = display_dir.parent
            helper_sites.setdefault(key, (display_dir.as_posix(), result))
    for (language_name, directory), (display_dir, result) in sorted(helper_sites.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        fixes = data.language(language_name)
        if fixes is None:
            continue
        changes, steps = helper_change(data, fixes, directory, display_dir, result.datacenter, result.package)
        for change in changes:
            if not any(f.fs_path == change.fs_path for f in files):
                files.append(change)
        manual.extend(steps)
    manual.sort(key=lambda s: (s.path, s.line, s.rule_id, s.text))
    return RewritePlan(files, manual, conflicts, ruleset, findings_all, errors, sources)


def _check_parse(
    language: Language, before: str, after: str, filename: str, data: FixData | None = None, tools: bool = True
) -> str | None:
    """A reason to refuse the rewrite, or None (validate.check_rewrite: grammar, Python 2, the language's tools)."""
    return check_rewrite(language, before, after, filename, data, tools)


def fixable_fingerprints(path: Path | str, text: str, language: Language | str, findings: list[Finding], ruleset: RuleSet) -> set[str]:
    """Fingerprints of `findings` (one file's, on `text`) whose code `rewrite` changes; the rest are manual.

    Cheap: one in-memory rewrite of this one text and one re-scan of the result; no I/O.
    """
    if not findings:
        return set()
    lang = ruleset.languages.get(language) if isinstance(language, str) else language
    if lang is None:
        return set()
    data = _fixdata(ruleset)
    display = findings[0].path if findings else Path(path).as_posix()
    normalized = text.replace("\r\n", "\n")
    result = rewrite_text(
        display, normalized, lang, findings, ruleset, data, {f.product for f in findings if f.product},
        references=ReferenceIndex.unknown(),  # one file alone: a definition may be used by the files not seen
    )
    if result.text != normalized and _check_parse(lang, normalized, result.text, Path(path).name, data, tools=False):
        return set()
    return result.fixed


_FIXDATA: dict[int, FixData] = {}


def _fixdata(ruleset: RuleSet) -> FixData:
    key = id(ruleset)
    if key not in _FIXDATA:
        _FIXDATA[key] = FixData(ruleset)
    return _FIXDATA[key]
