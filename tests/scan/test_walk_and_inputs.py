"""Walking and bad input, as a user runs the scanner: ignore files, skipped folders, hidden files, the git-ignored
`.env` exception, binary / Latin-1 / huge / unreadable files, symlink loops and broken symlinks."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from pathlib import Path

import pytest

from migrate.ruleset import load_ruleset
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import run_cli

TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
LEGACY_CALL = 'requests.get("https://invoice.zoho.com/api/items/", params={"authtoken": T, "scope": "invoiceapi"})\n'


def scan_json(root: Path, *extra: str) -> dict:
    proc = run_cli("scan", str(root), "--format", "json", "--no-progress", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def lines_by_path(data: dict) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in data["findings"]:
        out.setdefault(f["path"], set()).add(f["line"])
    return out


def make_tree(root: Path) -> None:
    (root / ".gitignore").write_text(".env\nsecrets/\n*.log\n")
    (root / ".zoho-migrate-ignore").write_text("legacy_tools/\n")
    (root / ".env").write_text(f"ZOHO_AUTHTOKEN={TOKEN}\nZOHO_INVOICE_URL=https://invoice.zoho.com/api/\n")
    (root / "secrets").mkdir()
    (root / "secrets" / "old_sync.py").write_text(LEGACY_CALL)
    (root / "debug.log").write_text(LEGACY_CALL)
    (root / "legacy_tools").mkdir()
    (root / "legacy_tools" / "keep.py").write_text(f'AUTHTOKEN = "{TOKEN}"  # zoho\n' + LEGACY_CALL)
    for skipped in ("node_modules/zoho/lib", "vendor/zoho", ".git/hooks"):
        (root / skipped).mkdir(parents=True, exist_ok=True)
        (root / skipped / "crm.js").write_text("var u = 'https://crm.zoho.com/crm/private/json/Leads/getRecords';\n")
    (root / ".config").mkdir()
    (root / ".config" / "zoho.yaml").write_text("zoho:\n  authtoken: ${ZOHO_AUTHTOKEN}\n")
    (root / "app.py").write_text("import requests\n" + LEGACY_CALL)


@pytest.mark.parametrize("with_git", [False, True], ids=["plain-folder", "git-work-tree"])
def test_ignore_files_skipped_folders_and_gitignored_env(tmp_path, with_git):
    if with_git and shutil.which("git") is None:
        pytest.fail("git is required on the test machine")
    make_tree(tmp_path)
    if with_git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    data = scan_json(tmp_path)
    found = lines_by_path(data)
    # the git-ignored .env keeps only its hardcoded credential, marked as not committed
    assert found.get(".env") == {1}
    env_findings = [f for f in data["findings"] if f["path"] == ".env"]
    assert {f["category"] for f in env_findings} == {"hardcoded-secret"}
    assert all(f["gitignored"] for f in env_findings)
    assert TOKEN not in json.dumps(data)  # masked
    # other git-ignored files: nothing; .zoho-migrate-ignore: nothing at all; dependency and VCS folders: nothing
    assert not any(p.startswith(("secrets/", "legacy_tools/", "node_modules/", "vendor/", ".git/")) for p in found)
    assert "debug.log" not in found
    # hidden files are scanned; ordinary files are
    assert found.get(".config/zoho.yaml") == {2}
    assert found.get("app.py") == {2}
    assert all(not f["gitignored"] for f in data["findings"] if f["path"] != ".env")


def test_exclude_glob(tmp_path):
    make_tree(tmp_path)
    found = lines_by_path(scan_json(tmp_path, "--exclude", "app.py", "--exclude", ".config/*"))
    assert "app.py" not in found and ".config/zoho.yaml" not in found and ".env" in found


def test_generated_packaging_metadata_is_skipped_unless_named(tmp_path):
    """`PKG-INFO` and `*.egg-info/` repeat the README (scan.skip_files): a folder scan leaves them out, a file
    named on the command line is still read."""
    (tmp_path / "README.md").write_text(LEGACY_CALL)
    (tmp_path / "PKG-INFO").write_text("Description: " + LEGACY_CALL)
    (tmp_path / "pkg.egg-info").mkdir()
    (tmp_path / "pkg.egg-info" / "PKG-INFO").write_text("Description: " + LEGACY_CALL)
    (tmp_path / "pkg.egg-info" / "SOURCES.txt").write_text(LEGACY_CALL)
    assert set(lines_by_path(scan_json(tmp_path))) == {"README.md"}
    named = lines_by_path(scan_json(tmp_path / "PKG-INFO"))
    assert [Path(p).name for p in named] == ["PKG-INFO"]


def test_binary_latin1_huge_files(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + LEGACY_CALL.encode() + b"\0" * 64)
    legacy_php = ("<?php // facturation générale\n$u = 'https://invoice.zoho.com/api/items/?authtoken=' . $t;\n")
    (tmp_path / "old.php").write_bytes(legacy_php.encode("latin-1"))
    (tmp_path / "huge.py").write_text("# " + "x" * 3000 + "\n" + LEGACY_CALL)
    data = scan_json(tmp_path, "--max-file-size", "2000")
    found = lines_by_path(data)
    assert "logo.png" not in found  # binary: skipped, not decoded into findings
    assert found.get("old.php") == {2}  # Latin-1 decoded, not skipped
    assert "huge.py" not in found
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert "huge.py" in errors and "2000" in errors["huge.py"]
    assert data["stats"]["files_skipped"] >= 2 and data["stats"]["files_scanned"] >= 1


def test_symlink_loop_and_broken_symlink(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(LEGACY_CALL)
    os.symlink("..", tmp_path / "src" / "loop")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    data = scan_json(tmp_path)
    assert lines_by_path(data) == {"src/app.py": {1}}
    messages = " ".join(f'{e["path"]}: {e["message"]}' for e in data["errors"])
    assert "dangling.py" in messages and "broken symlink" in messages
    assert "loop" in messages


def test_unreadable_file_is_a_note_not_a_crash(tmp_path, monkeypatch):
    # the tests run as root in CI, where chmod 000 does not stop a read: refuse the open itself instead
    (tmp_path / "locked.py").write_text(LEGACY_CALL)
    (tmp_path / "open.py").write_text(LEGACY_CALL)
    real_os_open, real_path_open = os.open, pathlib.Path.open

    def refuse(name):
        if os.fspath(name).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", os.fspath(name))

    def os_open(name, *args, **kwargs):
        refuse(name)
        return real_os_open(name, *args, **kwargs)

    def path_open(self, *args, **kwargs):
        refuse(self)
        return real_path_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(pathlib.Path, "open", path_open)
    result = scan_paths([tmp_path], load_ruleset(), ScanOptions(jobs=1))
    assert {f.path for f in result.findings} == {"open.py"}
    assert any(e["path"] == "locked.py" and "Permission denied" in e["message"] for e in result.errors)
    assert result.files_skipped >= 1


def _rule_dir(tmp_path: Path, body: str) -> Path:
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "custom.yaml").write_text(body)
    return rules


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("rules:\n  - id: my.rule\n    severity: error\n    category: auth-param\n    match: {keywords: [x], regex: x}\n",
         2, "missing `message`"),
        ("rules:\n  - id: ok.one\n    message: m\n    severity: error\n    category: auth-param\n"
         "    match: {keywords: [x], regex: x}\n  - id: bad.two\n    message: m\n    severity: error\n"
         "    category: auth-param\n    match: {keywords: [x], regex: '(unclosed'}\n", 7, "does not compile"),
        ("rules:\n  - id: my.rule\n    message: m\n    severity: loud\n    category: auth-param\n"
         "    match: {keywords: [x], regex: x}\n", 2, "severity"),
        ("rules:\n  - id: my.rule\n    message: [unclosed\n", 4, "YAML"),
    ],
    ids=["missing-key", "bad-regex", "bad-severity", "yaml-syntax"],
)
def test_malformed_rule_file_exits_two_with_file_line_reason(tmp_path, body, line, reason):
    (tmp_path / "app.py").write_text("x = 1\n")
    rules = _rule_dir(tmp_path, body)
    proc = run_cli("scan", str(tmp_path / "app.py"), "--rules", str(rules), "--format", "json")
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert f"custom.yaml:{line}:" in err and reason.lower() in err.lower(), err
    assert proc.stdout == ""


def test_bom_crlf_and_utf16_files_report_the_right_lines(tmp_path):
    body = "import requests\r\n\r\n" + LEGACY_CALL.replace("\n", "\r\n")
    (tmp_path / "bom_crlf.py").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    (tmp_path / "wide.ps1").write_bytes(("# sync\r\n" + LEGACY_CALL).encode("utf-16"))
    found = lines_by_path(scan_json(tmp_path))
    assert found.get("bom_crlf.py") == {3}
    assert found.get("wide.ps1") == {2}
