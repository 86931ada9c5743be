"""Run `zoho-migrate rewrite --apply` over the real-code corpus, one scratch git repository per unit.

    .venv/bin/python bench/rewrite_corpus.py                          # train + heldout of /work/corpus/src
    .venv/bin/python bench/rewrite_corpus.py --corpus DIR --split train --out /tmp/rw -j 2
    .venv/bin/python bench/rewrite_corpus.py --unit gh-Dashride__zoho-invoice-node   # one unit

Why: the rewriter's promise (whole requests or nothing, issue 11) can only be judged on code nobody here wrote,
and only by reading every changed hunk. This script does the mechanical part so the reading can be redone after
every change to the scanner or the rewriter:

1. copy each unit of DIR/<split>/ into OUT/<split>/<unit>/, `git init` and commit it;
2. dry run (`rewrite .`): the tree must be byte-identical afterwards;
3. `rewrite --apply .`, then `git diff` (written to OUT/<split>/<unit>.diff for the hand read) and a hunk count:
   a hunk whose added lines are all `TODO(zoho-migrate)` comments and that removes nothing is "TODO-only",
   every other hunk is a "code" hunk (to be read: correct or wrong); new files are helper files;
4. every changed file: the whole-request audit (`migrate/rewrite/audit.py`), the parse check and the language's own
   tool (`validate.check_rewrite`: `php -l`, `node --check`, `ruby -c`, `gofmt -e`, `javac`, `compile()`);
5. a second `rewrite .` must print no diff (idempotence).

It prints one row per unit with changes and a total row (Markdown), and exits 1 when a mechanical check failed.
The corpus itself is third-party code: it stays outside the repository (bench/legacy_corpus.yaml lists it and
bench/fetch_legacy_corpus.py fetches it). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZOHO = [sys.executable, "-m", "migrate"]
TODO = "TODO(zoho-migrate)"
NEVER = "heldout13"  # the last unseen split: never rewritten nor read here
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


@dataclass
class UnitResult:
    """What one unit's run gave; `problems` are the mechanical failures (each one line)."""

    split: str
    unit: str
    files: int = 0
    changed_files: int = 0
    helper_files: int = 0
    code_hunks: int = 0
    todo_hunks: int = 0
    audit: int = 0
    checks: int = 0
    problems: list[str] = field(default_factory=list)


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, errors="replace").stdout


def _zoho(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*ZOHO, "rewrite", *args, "."], cwd=cwd, env=env, capture_output=True, text=True, errors="replace")


def hunks(diff: str) -> tuple[int, int]:
    """(code hunks, TODO-only hunks) of a unified diff."""
    code = todo = 0
    for chunk in re.split(r"^@@[^\n]*\n", diff, flags=re.M)[1:]:
        body = chunk.split("\ndiff --git ", 1)[0].splitlines()
        removed = [line for line in body if line.startswith("-") and not line.startswith("---")]
        added = [line for line in body if line.startswith("+") and not line.startswith("+++")]
        if not removed and added and all(TODO in line or not line[1:].strip() for line in added):
            todo += 1
        else:
            code += 1
    return code, todo


def _checks(work: Path, changed: list[str], result: UnitResult) -> None:
    """Audit and language checks of every changed file against its committed original."""
    sys.path.insert(0, str(ROOT))
    from migrate.rewrite.audit import audit
    from migrate.rewrite.fixdata import FixData
    from migrate.rewrite.validate import check_rewrite, python2_reason
    from migrate.ruleset import load_ruleset
    from migrate.scan.languages import LanguageIndex

    ruleset = load_ruleset()
    index = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    data = FixData(ruleset)
    for rel in changed:
        path = work / rel
        # the rewriter's own fallback for files of no known type (plan.py): `other`, `#` comments
        language = index.detect(path, path.read_bytes()[:256]) or ruleset.languages.get("other")
        if language is None:
            continue
        old = _git(work, "show", f"HEAD:{rel}")
        new = path.read_text(encoding="utf-8", errors="replace")
        for violation in audit(old, new, language, ruleset, data):
            result.audit += 1
            result.problems.append(f"audit {rel}:{violation.line}: {violation.reason}")
        if language.name == "python" and python2_reason(old):
            result.checks += 1
            result.problems.append(f"check {rel}: a Python 2 file was changed")
            continue
        reason = check_rewrite(language, old, new, path.name, data)
        if reason:
            result.checks += 1
            result.problems.append(f"check {rel}: {reason}")


def run_unit(source: Path, work: Path, split: str) -> UnitResult:
    """Copy, commit, dry run, apply, diff, check and rerun one unit."""
    result = UnitResult(split, source.name)
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(source, work, symlinks=True)
    result.files = sum(1 for p in work.rglob("*") if p.is_file())
    _git(work, "init", "-q")
    _git(work, "add", "-A", "-f")
    _git(work, "commit", "-q", "-m", "original", "--allow-empty")
    dry = _zoho(work)
    if dry.returncode not in (0, 1):
        result.problems.append(f"dry run exit {dry.returncode}: {dry.stderr.strip().splitlines()[-1:]}")
    if _git(work, "status", "--porcelain", "--untracked-files=all").strip():
        result.problems.append("the dry run wrote something")
        _git(work, "reset", "-q", "--hard")
        _git(work, "clean", "-q", "-fdx")
    applied = _zoho(work, "--apply")
    if applied.returncode != 0:
        result.problems.append(f"--apply exit {applied.returncode}: {applied.stderr.strip().splitlines()[-1:]}")
    diff = _git(work, "diff", "-U2")
    (work.parent / f"{source.name}.diff").write_text(diff, encoding="utf-8")
    result.code_hunks, result.todo_hunks = hunks(diff)
    changed = [line for line in _git(work, "diff", "--name-only").splitlines() if line]
    result.changed_files = len(changed)
    result.helper_files = len([line for line in _git(work, "ls-files", "--others", "--exclude-standard").splitlines() if line])
    _checks(work, changed, result)
    again = _zoho(work)
    if again.stdout.strip():
        result.problems.append("second run prints a diff")
    return result


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus/src"))
    parser.add_argument("--split", action="append", help="split folder(s) to run (default: train, heldout)")
    parser.add_argument("--unit", action="append", help="only these units")
    parser.add_argument("--out", type=Path, default=Path("/tmp/rewrite-corpus"))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    splits = args.split or ["train", "heldout"]
    if NEVER in splits:
        print(f"{NEVER}: this split is never run (it stays unseen for the final evaluation)", file=sys.stderr)
        return 2
    jobs = []
    for split in splits:
        folder = args.corpus / split
        if not folder.is_dir():
            print(f"{folder}: no such corpus split", file=sys.stderr)
            return 2
        for unit in sorted(p for p in folder.iterdir() if p.is_dir()):
            if not args.unit or unit.name in args.unit:
                jobs.append((unit, args.out / split / unit.name, split))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda job: run_unit(*job), jobs))
    head = ["unit", "files", "changed files", "code hunks", "TODO-only hunks", "helper files", "audit", "checks"]
    print(_row(head))
    print(_row(["---"] * len(head)))
    keys = ["files", "changed_files", "code_hunks", "todo_hunks", "helper_files", "audit", "checks"]
    for r in results:
        if r.changed_files or r.problems:
            print(_row([f"{r.split}/{r.unit}", *(getattr(r, k) for k in keys)]))
    totals = [sum(getattr(r, k) for r in results) for k in keys]
    print(_row([f"**{len(results)} units**", *totals]))
    problems = [f"{r.split}/{r.unit}: {p}" for r in results for p in r.problems]
    for problem in problems:
        print(problem)
    print(f"diffs: {args.out}/<split>/<unit>.diff", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
