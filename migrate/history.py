"""`scan --history`: credentials that were once committed, found in every commit that added them (as gitleaks does).

A value deleted from today's code is still in every clone. For each (commit, file) whose diff added lines, the file
as that commit left it is matched with the credential rules only, and findings on the added lines are kept; the
first commit that introduced a line is reported, with its path, commit and date, masked like every other output.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from migrate.errors import ConfigError
from migrate.faults import failure_from
from migrate.gitutil import BlobReader, history_changes, repo_root
from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex
from migrate.scan.matcher import CompiledRules, FileMatcher
from migrate.scan.textfile import decode, is_binary

# only ours: a .gitignore says nothing about what was once committed
IGNORE_FILE = ".zoho-migrate-ignore"


@dataclass
class HistoryFinding(Finding):
    """A Finding in a past commit: `path` is relative to the repository root; `commit` and `date` say when."""

    commit: str = ""
    date: str = ""


def credential_rule_ids(ruleset: RuleSet) -> set[str]:
    """Rules that find credential values: category `hardcoded-secret` plus those rules/report.yaml lists."""
    ids = {r.id for r in ruleset.rules if r.category == "hardcoded-secret"}
    for entry in ruleset.data.get("report", {}).get("leaked", []) or []:
        ids.update(entry.get("rules") or [])
    return ids


class _TodayIgnores:
    """Today's `.zoho-migrate-ignore` files and skipped folders, applied to paths from any commit: what the team
    excluded from scans (vendored code, fixtures) stays excluded from the history walk."""

    def __init__(self, repo: Path, skip_dirs: tuple[str, ...]) -> None:
        self.repo = repo
        self.skip_dirs = set(skip_dirs)
        self.specs: dict[str, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self.specs:
            ignore = self.repo / folder / IGNORE_FILE
            try:
                lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
                self.specs[folder] = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                self.specs[folder] = None
        return self.specs[folder]

    def __call__(self, path: str) -> bool:
        parts = path.split("/")
        if any(part in self.skip_dirs for part in parts[:-1]):
            return True
        for depth in range(len(parts) - 1, -1, -1):  # deepest ignore file with a matching pattern decides
            spec = self._spec("/".join(parts[:depth]))
            if spec is None:
                continue
            local = "/".join(parts[depth:])
            decision = spec.check_file(local).include
            for cut in range(1, len(parts) - depth):  # an ignored folder ignores what is inside it
                folder_decision = spec.check_file("/".join(parts[depth : depth + cut]) + "/").include
                if folder_decision:
                    decision = True
            if decision is not None:
                return bool(decision)
        return False


def scan_history(
    paths: list[Path],
    ruleset: RuleSet,
    progress: Callable[[int], None] | None = None,
    since: str | None = None,
) -> ScanResult:
    """Walk the history of the repository holding `paths[0]` (all refs, or the commits in `since..HEAD`), limited
    to `paths`; findings sorted as usual."""
    started = time.perf_counter()
    first = paths[0] if paths else Path(".")
    if not first.exists():
        raise ConfigError(f"path does not exist: {first}")
    repo = repo_root(first.resolve())
    if repo is None:
        raise ConfigError(f"--history: {first} is not inside a git work tree")
    pathspecs = []
    for path in paths or [Path(".")]:
        resolved = path.resolve()
        try:
            relative = resolved.relative_to(repo).as_posix()
        except ValueError:
            raise ConfigError(f"--history: {path} is not inside the repository {repo}") from None
        pathspecs.append(":(top)" + ("" if relative == "." else relative))
    ids = credential_rule_ids(ruleset)
    narrowed = dataclasses.replace(ruleset, rules=[r for r in ruleset.rules if r.id in ids])
    compiled = CompiledRules(narrowed)
    languages = LanguageIndex(narrowed.languages, narrowed.scan.template_suffixes)
    result = ScanResult(roots=[repo.as_posix()])
    seen: set[tuple[str, str]] = set()
    blobs_read = 0
    ignored = _TodayIgnores(repo, narrowed.scan.skip_dirs)
    with BlobReader(repo) as reader:
        for change in history_changes(repo, pathspecs, since):
            if ignored(change.path):
                continue
            data = reader.read(change.commit, change.path, narrowed.scan.max_file_size)
            blobs_read += 1
            if progress is not None:
                progress(blobs_read)
            if data is None or is_binary(data):
                result.files_skipped += 1
                continue
            result.files_scanned += 1
            language = languages.detect(PurePosixPath(change.path), data[:256]) or languages.languages.get(
                "other"
            )
            found = compiled.prefilter.found(data)
            if language is None or not found:
                continue
            try:  # the per-file boundary (migrate/faults.py): one blob's failure is reported, the walk goes on
                text = decode(data).text
                matched = FileMatcher(compiled, text, language, change.path, found).run()
            except Exception as error:
                failure = failure_from(f"{change.path}@{change.commit[:12]}", error)
                result.failures.append(failure)
                result.errors.append(failure.entry())
                continue
            result.suppressed += matched.suppressed
            for finding in matched.findings:
                key = (finding.path, finding.fingerprint)
                if finding.line not in change.added or key in seen:
                    continue
                seen.add(key)
                result.findings.append(_historical(finding, change.commit, change.date))
    result.findings.sort(key=lambda f: f.sort_key)
    result.seconds = time.perf_counter() - started
    return result


def _historical(finding: Finding, commit: str, date: str) -> HistoryFinding:
    fields: dict[str, Any] = {f.name: getattr(finding, f.name) for f in dataclasses.fields(Finding)}
    fields["message"] = f"{finding.message} (committed in {commit[:12]} on {date[:10]})"
    return HistoryFinding(**fields, commit=commit, date=date)
