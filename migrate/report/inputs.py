"""What the report takes from the other stages: the rewrite plan (proposed diff and manual steps) and a verify
results file. A rewrite that fails degrades to a note in the report, never to a missing report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.report.sources import clip_line
from migrate.ruleset import RuleSet
from migrate.secrets import mask_text

MAX_DIFF_LINES = 600  # per file; a rewrite of a huge generated file is not reviewed in a report


@dataclass
class ManualItem:
    path: str
    line: int
    rule_id: str
    text: str


@dataclass
class Proposal:
    """The rewrite stage's answer: a masked unified diff per file, the manual steps, and why if unavailable."""

    diffs: list[tuple[str, str]] = field(default_factory=list)  # (path, unified diff text)
    manual: list[ManualItem] = field(default_factory=list)
    available: bool = False
    note: str = ""
    failures: list[Any] = field(default_factory=list)  # FileFailure of files the rewrite failed on (exit 2)


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "to_json"):
        return dict(item.to_json())
    return dict(vars(item))


def clip_diff(diff: str, max_lines: int = MAX_DIFF_LINES) -> str:
    """One file's diff as the report shows it: long lines cut around their start, at most `max_lines` lines."""
    lines = diff.splitlines()
    shown = [clip_line(line) for line in lines[:max_lines]]
    if len(lines) > max_lines:
        shown.append(f"… {len(lines) - max_lines} more diff lines: run `zoho-migrate rewrite` for the whole diff")
    return "\n".join(shown) + "\n"


def split_diff(diff: str) -> list[tuple[str, str]]:
    """A multi-file unified diff -> [(path, that file's diff)], in order."""
    files: list[tuple[str, list[str]]] = []
    for line in diff.splitlines():
        if line.startswith("--- ") and (not files or any(x.startswith("@@") for x in files[-1][1])):
            files.append(("", [line]))
        elif line.startswith("+++ ") and files and not files[-1][0]:
            target = line[4:].split("\t")[0]
            path = target[2:] if target.startswith(("a/", "b/")) else target
            if path == "/dev/null":
                source = files[-1][1][0][4:].split("\t")[0]
                path = source[2:] if source.startswith(("a/", "b/")) else source
            files[-1] = (path, [*files[-1][1], line])
        elif files:
            files[-1][1].append(line)
    return [(path, "\n".join(lines) + "\n") for path, lines in files]


def proposal(
    paths: list[Path], ruleset: RuleSet, excludes: tuple[str, ...] = (), file_timeout: float | None = None
) -> Proposal:
    """Ask the rewrite stage for its plan (dry run, masked); a failure becomes a note."""
    from migrate.rewrite import plan as rewrite_plan

    try:
        options = rewrite_plan.RewriteOptions(excludes=tuple(excludes), file_timeout=file_timeout)
        plan = rewrite_plan.plan_rewrite(paths, ruleset, options)
        diff = plan.diff(masked=True)
    except Exception as error:  # noqa: BLE001 - the report is still useful without the diff; say why
        message = mask_text(f"{type(error).__name__}: {error}", ruleset.scan.secret_patterns)
        return Proposal(note=f"The rewrite stage failed, so no diff is proposed ({message}); manual steps come "
                        "from the rules.")  # fmt: skip
    manual = []
    for step in getattr(plan, "manual_steps", []) or []:
        data = _as_dict(step)
        manual.append(
            ManualItem(str(data.get("path", "")), int(data.get("line", 0) or 0), str(data.get("rule_id", "")),
                       str(data.get("text", "")))  # fmt: skip
        )
    return Proposal(diffs=[(path, clip_diff(text)) for path, text in split_diff(diff)], manual=manual, available=True,
                    failures=list(getattr(plan, "failures", [])))  # fmt: skip


@dataclass
class Verification:
    results: list[dict[str, Any]]
    summary: dict[str, int]
    source: str


def load_verification(path: Path) -> Verification:
    """A `verify --format json` file (DESIGN.md shape), checked by the verify stage's own loader."""
    from migrate.verify.model import STATUSES
    from migrate.verify.results import load_results

    document = load_results(path)
    results = [_as_dict(r) for r in document.get("results", [])]
    summary = dict.fromkeys(STATUSES, 0)
    for item in results:
        summary[item["status"]] = summary.get(item["status"], 0) + 1
    return Verification(results, summary, str(path))
