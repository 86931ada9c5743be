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

from migrate.faults import (
    DEFAULT_FILE_TIMEOUT,
    FileBudgetExceeded,
    FileFailure,
    budget_note,
    failure_from,
    file_budget,
)
from migrate.formats.own import drop_own_outputs
from migrate.rewrite.apply import ApplyReport
from migrate.rewrite.diff import file_diff, mask_diff
from migrate.rewrite.engine import FileResult, rewrite_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.helpers import helper_blocker, helper_change, helper_location
from migrate.rewrite.model import AppliedEdit, Conflict, FileChange, ManualStep
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.textio import read_source
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

    annotate: bool = True  # TODO(zoho-migrate) comments in the code by default (--no-annotate)
    rules_dirs: tuple[Path, ...] = ()
    excludes: tuple[str, ...] = ()
    jobs: int = 0  # scan workers (0: one per CPU, as `scan` does)
    progress: Callable[[int], None] | None = None  # called with the count of files scanned so far
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT  # seconds per file, for its scan and for its rewrite


@dataclass
class _Source:
    layout: TextFile
    mode: int
    newline: str


@dataclass
class RewritePlan:
    """Every change the rewrite would make, and everything it leaves to a person."""

    files: list[FileChange]
    manual_steps: list[ManualStep]
    conflicts: list[Conflict]
    ruleset: RuleSet
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)  # internal errors (also in `errors`): exit 2
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

    def apply(self, paths: list[Path] | None = None, **options: Any) -> ApplyReport:
        """Write every change as a transaction (migrate.rewrite.apply); `paths` are the roots given to the
        rewrite (default: the folder holding every change)."""
        from migrate.rewrite.apply import apply_plan

        if not paths:
            targets = [str(Path(f.fs_path).resolve().parent) for f in self.files] or ["."]
            paths = [Path(os.path.commonpath(targets))]
        return apply_plan(self, paths, **options)


def _roots(paths: list[Path]) -> list[Path]:
    return paths or [Path(".")]


def plan_rewrite(paths: list[Path], ruleset: RuleSet, options: RewriteOptions | None = None) -> RewritePlan:
    """Scan `paths`, rewrite every file with findings in memory, and return the plan (nothing is written)."""
    options = options or RewriteOptions()
    data = FixData(ruleset, tuple(options.rules_dirs))
    languages = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    scan_options = ScanOptions(
        jobs=options.jobs, excludes=options.excludes, mark_fixable=False, file_timeout=options.file_timeout
    )
    per_file: list[tuple[Path, str, list[Finding], Path]] = []
    findings_all: list[Finding] = []
    errors: list[dict[str, Any]] = []
    failures: list[FileFailure] = []
    for root in _roots(paths):
        result = scan_paths([root], ruleset, scan_options, options.progress)
        drop_own_outputs(result)  # as `scan`: our own reports/SARIF/baselines are never rewritten
        errors.extend(result.errors)
        failures.extend(result.failures)
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
    late: list[tuple[Path, str, list[Finding], Path]] = []  # config files: after every code file, deferred ones too
    while queue or late:
        if not queue:
            queue.extend(late)
            late.clear()
        item = queue.popleft()
        fs_path, display, findings, root = item
        if any(f.gitignored for f in findings):
            for f in findings:
                manual.append(ManualStep(display, f.line, f.rule_id, "git-ignored file (a live credential?): " + f.message))
            continue
        try:  # the per-file boundary (issue 12): this file's failure or stall is reported, the others go on
            with file_budget(options.file_timeout):
                source = read_source(fs_path)
                language = languages.detect(fs_path, source.path.read_bytes()[:256]) or ruleset.languages.get("other")
                if language is None:
                    continue
                location = helper_location(data.language(language.name), fs_path, root)
                result = rewrite_text(
                    display, source.text, language, findings, ruleset, data, project_products, options.annotate,
                    references, location,
                )
                refused = None
                if not (result.kept_for_references and display not in deferred):
                    refused = _check_parse(language, source.text, result.text, fs_path.name, data)
        except OSError as error:  # gone or unreadable since the scan: a note, like the scan's own
            errors.append({"path": display, "message": f"unreadable: {error.strerror or error}"})
            continue
        except FileBudgetExceeded:
            errors.append({"path": display, "message": budget_note(options.file_timeout or 0) + ": not rewritten"})
            continue
        except Exception as error:
            failures.append(failure_from(display, error))
            errors.append(failures[-1].entry())
            continue
        if result.kept_for_references and display not in deferred:
            deferred.add(display)
            # a config key's readers may be code deferred after it: config files wait until the code is done
            (late if language.kind == "config" else queue).append(item)
            continue
        change = FileChange(
            path=display,
            fs_path=str(fs_path),
            language=language.name,
            original=source.text,
            rewritten=result.text,
            edits=result.applied,
        )
        change.refused = refused
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
    return RewritePlan(files, manual, conflicts, ruleset, findings_all, errors, failures, sources)


def _check_parse(
    language: Language, before: str, after: str, filename: str, data: FixData | None = None, tools: bool = True
) -> str | None:
    """A reason to refuse the rewrite, or None (validate.check_rewrite: grammar, Python 2, the language's tools)."""
    return check_rewrite(language, before, after, filename, data, tools)
