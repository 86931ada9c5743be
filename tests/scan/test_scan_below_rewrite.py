"""`scan` sits below `rewrite`: marking `fixable` uses the request model, never the rewriter (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES

CODE = """
import json, sys
from migrate.cli import main
try:
    main(["scan", sys.argv[1], "--format", "json", "--jobs", "1", "-o", sys.argv[2]])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("migrate."))))
"""


def test_scan_imports_no_rewrite_module(tmp_path) -> None:
    out = tmp_path / "scan.json"
    proc = subprocess.run(
        [sys.executable, "-c", CODE, str(FIXTURES / "projects" / "rewrite" / "python" / "before"), str(out)],
        capture_output=True, text=True, timeout=120,
    )
    modules = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "migrate.requests.build" in modules  # fixable was decided (by the request model)
    assert not [m for m in modules if m.startswith("migrate.rewrite")], modules
    findings = json.loads(out.read_text())["findings"]
    assert any(f["fixable"] for f in findings) and any(not f["fixable"] for f in findings)
