"""`fixable` (scan's cheap decision from the request model) agrees with what `rewrite --apply` does.

Checked end to end on every fixture project: a finding marked fixable is gone after `rewrite --apply` (its
fingerprint, i.e. rule, file and line text, is not found again), every finding not marked fixable is one of
rewrite's manual steps, and everything a re-scan still finds was listed as a manual step. The agreement (how many
not-fixable findings `rewrite` nevertheless changed) is measured, not assumed: see docs/DESIGN.md.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

PROJECTS = [FIXTURES / "projects" / "legacy-invoice-py"] + sorted(
    p for p in (FIXTURES / "projects" / "rewrite").glob("*/before") if p.is_dir()
)


def _scan(path: Path) -> list[dict]:
    proc = run_cli("scan", str(path), "--format", "json", "--fail-on", "critical")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.mark.parametrize("project", PROJECTS, ids=[p.parent.name if p.name == "before" else p.name for p in PROJECTS])
def test_fixable_means_rewrite_changes_it(tmp_path: Path, project: Path):
    work = tmp_path / "project"
    shutil.copytree(project, work)
    before = _scan(work)
    assert before, "fixture has no findings"
    plan = run_cli("rewrite", str(work), "--format", "json")
    steps = json.loads(plan.stdout)["manual_steps"]
    manual = {(m["rule_id"], m["path"], m["line"]) for m in steps}
    unfixable = [f for f in before if not f["fixable"]]
    # every finding rewrite leaves alone is a manual step, per file and line
    missing = [f for f in unfixable if (f["rule_id"], f["path"], f["line"]) not in manual]
    assert not missing, f"not fixable but not listed as a manual step: {missing}"
    proc = run_cli("rewrite", str(work), "--apply", "--allow-dirty")
    assert proc.returncode == 0, proc.stderr
    after = _scan(work)
    left = {f["fingerprint"] for f in after}
    still = [f for f in before if f["fixable"] and f["fingerprint"] in left]
    assert not still, f"marked fixable but still there after --apply: {still}"
    listed = {(m["rule_id"], m["path"]) for m in steps}
    unlisted = [f for f in after if (f["rule_id"], f["path"]) not in listed]
    assert not unlisted, f"found after --apply but never listed as a manual step: {unlisted}"
