"""After `rewrite --apply` on every fixture project, the language's own linters report nothing the rewrite introduced:
ruff (pyflakes + isort rules: unused/undefined names, import order) on Python, `php -l`, `node --check`, `ruby -c`
and `gofmt -l` (a file gofmt would reformat) on the others. Diagnostics the original already had are not the
rewrite's; generated helpers must be clean outright."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.rewrite.test_fixture_projects import run_in_process

PROJECTS = FIXTURES / "projects" / "rewrite"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if (p / "before").is_dir())
RUFF = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "F,I", "--output-format", "json"]
# tool -> (file suffixes, command; the file goes last)
CHECKS = {
    "php": ((".php",), ["php", "-l"]),
    "node": ((".js", ".cjs", ".mjs"), ["node", "--check"]),
    "ruby": ((".rb",), ["ruby", "-c"]),
}


def _applied(project: str, tmp_path: Path) -> tuple[Path, Path]:
    before = tmp_path / "before"
    after = tmp_path / "after"
    shutil.copytree(PROJECTS / project / "before", before)
    shutil.copytree(PROJECTS / project / "before", after)
    ran = run_in_process("rewrite", "--apply", ".", cwd=after)
    assert ran.returncode == 0, ran.stderr
    return before, after


def _ruff(root: Path) -> Counter[tuple[str, str, str]]:
    done = subprocess.run([*RUFF, "."], cwd=root, capture_output=True, text=True, check=False)
    found: Counter[tuple[str, str, str]] = Counter()
    for item in json.loads(done.stdout or "[]"):
        found[(Path(item["filename"]).relative_to(root.resolve()).as_posix(), item["code"], item["message"])] += 1
    return found


@pytest.mark.parametrize("project", NAMES)
def test_linters_report_nothing_the_rewrite_introduced(project: str, tmp_path: Path) -> None:
    before, after = _applied(project, tmp_path)
    changed = [
        p for p in sorted(after.rglob("*"))
        if p.is_file() and (not (before / p.relative_to(after)).exists() or p.read_bytes() != (before / p.relative_to(after)).read_bytes())
    ]
    assert changed, "the fixture project changed nothing"
    missing = []
    if any(p.suffix == ".py" for p in changed):
        introduced = _ruff(after) - _ruff(before)
        assert not introduced, introduced
    for suffixes, command in CHECKS.values():
        files = [p for p in changed if p.suffix in suffixes]
        if files and shutil.which(command[0]) is None:
            missing.append(command[0])
            continue
        for path in files:
            original = before / path.relative_to(after)
            if original.exists() and subprocess.run([*command, str(original)], capture_output=True, check=False).returncode:
                continue  # it failed before the rewrite: not the rewrite's doing
            done = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{path.relative_to(after)}: {done.stdout}{done.stderr}"
    go_files = [p for p in changed if p.suffix == ".go"]
    if go_files and shutil.which("gofmt") is None:
        missing.append("gofmt")
    for path in go_files if shutil.which("gofmt") else ():
        original = before / path.relative_to(after)
        if original.exists() and subprocess.run(["gofmt", "-l", str(original)], capture_output=True, text=True).stdout:
            continue  # the original was not gofmt-clean either
        listed = subprocess.run(["gofmt", "-l", str(path)], capture_output=True, text=True, check=False)
        assert listed.stdout == "" and listed.returncode == 0, f"gofmt would reformat {path.relative_to(after)}"
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (CI installs them: scripts/ci-runtimes.sh)")
