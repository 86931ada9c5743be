"""One-off fuzz run: write a generated tree (2,000+ files, every language and config type, broken encodings,
interpolation, deep nesting, long lines) and run scan, rewrite and report on it, as issue 12's "done when" asks.

    .venv/bin/python bench/fuzz_tree.py [--files 2100] [--seed 12] [--jobs 0] [--keep DIR]

Prints the number of files, internal errors (with their tracebacks), budget skips, other notes and whether a
stage aborted (an exception escaping the run). Exit 0 when there were no internal errors and no aborts.
The generators are the property tests' (tests/robustness/generators.py); a crash found here becomes a fixture
in fixtures/projects/robustness/ plus a fix.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrate.faults import FileFailure  # noqa: E402
from migrate.report.inputs import proposal  # noqa: E402
from migrate.report.model import build_report  # noqa: E402
from migrate.report.render import Renderer  # noqa: E402
from migrate.rewrite.plan import RewriteOptions, plan_rewrite  # noqa: E402
from migrate.ruleset import load_ruleset  # noqa: E402
from migrate.scan.engine import ScanOptions, scan_paths  # noqa: E402
from tests.robustness.generators import RandomDraw, source  # noqa: E402


def write_tree(root: Path, count: int, seed: int) -> dict[str, int]:
    """`count` files in folders of 50; returns files per language."""
    draw = RandomDraw(seed)
    per_language: dict[str, int] = {}
    for index in range(count):
        language, suffix, content = source(draw)
        folder = root / f"d{index // 50:03}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{index:05}{suffix}").write_bytes(content)
        per_language[language] = per_language.get(language, 0) + 1
    return per_language


def show(stage: str, failures: list[FileFailure]) -> None:
    for failure in failures:
        print(f"--- {stage}: {failure.path}: {failure.message}\n{failure.traceback}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2100)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--file-timeout", type=float, default=30.0)
    parser.add_argument("--keep", type=Path, help="write the tree here and keep it")
    args = parser.parse_args()
    ruleset = load_ruleset()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch) / "tree"
        per_language = write_tree(root, args.files, args.seed)
        print(f"tree: {args.files} files in {root} ({', '.join(f'{k} {v}' for k, v in sorted(per_language.items()))})")
        aborted: list[str] = []
        internal = 0
        started = time.perf_counter()
        result = None
        try:
            result = scan_paths([root], ruleset, ScanOptions(jobs=args.jobs, file_timeout=args.file_timeout))
            budget = sum(1 for e in result.errors if "too complex" in str(e["message"]))
            notes = len(result.errors) - len(result.failures) - budget
            internal += len(result.failures)
            show("scan", result.failures)
            print(f"scan: {time.perf_counter() - started:.1f}s, {len(result.findings)} findings, "
                  f"{result.files_scanned} scanned, {len(result.failures)} internal errors, {budget} over budget, "
                  f"{notes} other notes")  # fmt: skip
        except Exception:  # noqa: BLE001 - counting aborts is the point
            aborted.append("scan")
            traceback.print_exc()
        started = time.perf_counter()
        try:
            plan = plan_rewrite([root], ruleset, RewriteOptions(jobs=args.jobs, file_timeout=args.file_timeout))
            internal += len(plan.failures)
            show("rewrite", plan.failures)
            budget = sum(1 for e in plan.errors if "too complex" in str(e["message"]))
            for change in plan.refused:  # a rewrite that would break a parsing file: a rewriter bug, no crash
                print(f"--- rewrite refused: {change.path}: {change.refused}")
            print(f"rewrite: {time.perf_counter() - started:.1f}s, {len(plan.changed)} files changed, "
                  f"{len(plan.refused)} refused (would not parse), {len(plan.manual_steps)} manual steps, "
                  f"{len(plan.failures)} internal errors, {budget} over budget")  # fmt: skip
        except Exception:  # noqa: BLE001
            aborted.append("rewrite")
            traceback.print_exc()
        started = time.perf_counter()
        try:
            if result is not None:
                offer = proposal([root], ruleset, file_timeout=args.file_timeout)
                model = build_report(result, ruleset, proposal=offer)
                renderer = Renderer(ruleset)
                size = len(renderer.html(model)) + len(renderer.markdown(model))
                print(f"report: {time.perf_counter() - started:.1f}s, {size} characters rendered")
        except Exception:  # noqa: BLE001
            aborted.append("report")
            traceback.print_exc()
        print(f"total: {internal} internal errors (tracebacks above), {len(aborted)} aborted stages {aborted}")
        return 0 if not internal and not aborted else 1


if __name__ == "__main__":
    sys.exit(main())
