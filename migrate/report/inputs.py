"""What the report takes from the other stages, when they are installed: the rewrite plan (proposed diff and
manual steps) and a verify results file. Each bridge degrades to a note, never to a crash, when a stage is absent.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.ruleset import RuleSet
from migrate.secrets import mask_text

STATUSES = ("match", "mismatch", "error", "skipped")


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


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "to_json"):
        return dict(item.to_json())
    return dict(vars(item))


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


def proposal(paths: list[Path], ruleset: RuleSet, excludes: tuple[str, ...] = ()) -> Proposal:
    """Ask the rewrite stage for its plan (dry run, masked); a missing or failing stage becomes a note."""
    if importlib.util.find_spec("migrate.rewrite") is None or importlib.util.find_spec("migrate.rewrite.plan") is None:
        return Proposal(note="The rewrite stage is not installed, so no diff is proposed; manual steps come "
                        "from the rules.")  # fmt: skip
    from migrate.rewrite import plan as rewrite_plan

    try:
        options = rewrite_plan.RewriteOptions(excludes=tuple(excludes))
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
    return Proposal(diffs=split_diff(diff), manual=manual, available=True)


@dataclass
class Verification:
    results: list[dict[str, Any]]
    summary: dict[str, int]
    source: str


def load_verification(path: Path) -> Verification:
    """A `verify --format json` file (DESIGN.md shape), through the verify stage's loader when it is installed."""
    if importlib.util.find_spec("migrate.verify.results") is not None:
        from migrate.verify.results import load_results  # type: ignore[import-not-found]

        loaded = load_results(path)
        items = loaded.get("results", []) if isinstance(loaded, dict) else loaded
        results = [_as_dict(r) for r in items]
    else:
        results = _parse_results(path)
    summary = dict.fromkeys(STATUSES, 0)
    for item in results:
        summary[item["status"]] = summary.get(item["status"], 0) + 1
    return Verification(results, summary, str(path))


def _parse_results(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("verify results file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read verify results: {error}", path=str(path)) from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"verify results are not JSON: {error.msg}", path=str(path), line=error.lineno) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
        raise ConfigError("not a `verify --format json` file (no `results` list)", path=str(path))
    results = []
    for index, item in enumerate(raw["results"], start=1):
        if not isinstance(item, dict) or item.get("status") not in STATUSES or "id" not in item:
            raise ConfigError(f"result {index}: needs `id` and a `status` of {', '.join(STATUSES)}", path=str(path))
        results.append(item)
    return results
