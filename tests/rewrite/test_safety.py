"""What users rely on when pointing the rewriter at code they cannot afford to break."""

from __future__ import annotations

import codecs
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from migrate.rewrite import engine
from migrate.rewrite.model import Edit
from migrate.rewrite.plan import RewriteOptions, plan_rewrite
from migrate.rewrite.textedit import resolve
from tests.conftest import FIXTURES, run_cli
from tests.rewrite.test_fixture_projects import run_in_process

LEGACY = 'import requests\n\n\ndef items(t):\n    return requests.get("https://invoice.zoho.com/api/v3/items", params={"authtoken": t})\n'


def test_crlf_bom_and_mode_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "sync.py"
    target.write_bytes(codecs.BOM_UTF8 + LEGACY.replace("\n", "\r\n").encode())
    target.chmod(0o640)
    assert run_in_process("rewrite", "--apply", ".", cwd=tmp_path).returncode == 0
    data = target.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    body = data[3:].decode()
    assert "www.zohoapis.com/invoice/v3/items" in body and "authtoken" not in body
    assert body.count("\r\n") == body.count("\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def _encoded(text: str, encoding: str, bom: bytes, newline: str) -> bytes:
    return bom + text.replace("\n", newline).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [("utf-16-le", codecs.BOM_UTF16_LE, "\n"), ("utf-8", codecs.BOM_UTF8, "\r\n"), ("utf-8", b"", "\r"), ("cp1252", b"", "\n")],
)
def test_written_bytes_keep_the_layout(tmp_path: Path, encoding: str, bom: bytes, newline: str) -> None:
    """Read, edit with `\\n` newlines, write back: encoding, BOM and newline style are the original's."""
    from migrate.rewrite.textio import read_source, to_bytes, write_atomic

    original = "# Café\n" + LEGACY
    target = tmp_path / "f.py"
    target.write_bytes(_encoded(original, encoding, bom, newline))
    source = read_source(target)
    assert source.text == original
    write_atomic(target, to_bytes(source.layout, source.text.replace("invoice.zoho.com", "example.invalid")), source.mode)
    assert target.read_bytes() == _encoded(original.replace("invoice.zoho.com", "example.invalid"), encoding, bom, newline)


def test_legacy_encoding_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "sync.py"
    target.write_bytes(("# Café cp1252\n" + LEGACY).encode("cp1252"))
    assert run_in_process("rewrite", "--apply", ".", cwd=tmp_path).returncode == 0
    text = target.read_bytes().decode("cp1252")
    assert text.startswith("# Café cp1252\n") and "zoho_auth.authorization()" in text


def test_a_rewrite_that_would_not_parse_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "templates" / "python").mkdir(parents=True)
    builtin = Path(__file__).resolve().parents[2] / "rules" / "templates" / "python" / "snippets.j2"
    broken = builtin.read_text().replace("headers={{ header_map(headers) }}", "headers=({{ header_map(headers) }}")
    (rules / "templates" / "python" / "snippets.j2").write_text(broken)
    project = tmp_path / "project"
    project.mkdir()
    (project / "sync.py").write_text(LEGACY)
    result = run_in_process("rewrite", "--apply", "--rules", str(rules), str(project), cwd=tmp_path)
    assert result.returncode == 0
    assert "refused: sync.py: the rewritten file would not parse as python; left unchanged" in result.stderr
    assert (project / "sync.py").read_text() == LEGACY
    assert not (project / "zoho_auth.py").exists()


def test_changed_on_disk_after_planning_is_not_written(tmp_path: Path, ruleset) -> None:
    target = tmp_path / "sync.py"
    target.write_text(LEGACY)
    plan = plan_rewrite([tmp_path], ruleset, RewriteOptions())
    target.write_text(LEGACY + "# edited meanwhile\n")
    report = plan.apply()
    assert report.refused == [("sync.py", "changed on disk since the plan was made")]
    assert target.read_text().endswith("# edited meanwhile\n")


def test_overlapping_edits_are_reported_not_merged(tmp_path: Path, ruleset, monkeypatch) -> None:
    def clash(text: str, ctx) -> list[Edit]:
        at = text.index("requests.get")
        return [
            Edit(at, at + 12, "httpx.get", "rule.a", "use httpx"),
            Edit(at + 9, at + 12, "post", "rule.b", "use POST"),
        ]

    monkeypatch.setattr(engine, "PASSES", (*engine.PASSES, clash))
    (tmp_path / "sync.py").write_text(LEGACY)
    plan = plan_rewrite([tmp_path], ruleset, RewriteOptions())
    assert [(c.path, c.line, c.rule_ids) for c in plan.conflicts] == [("sync.py", 5, ("rule.a", "rule.b"))]
    assert any(s.rule_id == "rule.b" and "overlaps" in s.text for s in plan.manual_steps)
    assert "httpx.get(" in plan.files[0].rewritten


def test_resolve_keeps_identical_duplicates_once() -> None:
    a = Edit(0, 3, "x", "r1", "d")
    kept, rejected = resolve([a, Edit(0, 3, "x", "r2", "d"), Edit(2, 5, "y", "r3", "d")])
    assert kept == [a] and [r.rule_id for _, r in rejected] == ["r3"]


def test_patch_file_applies_with_git_to_the_same_result(tmp_path: Path) -> None:
    project = FIXTURES / "projects" / "rewrite" / "php"
    work = tmp_path / "work"
    shutil.copytree(project / "before", work)
    patch = tmp_path / "zoho.patch"
    assert run_in_process("rewrite", "--patch", str(patch), ".", cwd=work).returncode == 1
    subprocess.run(["git", "apply", str(patch)], cwd=work, check=True)
    for expected in (project / "after").rglob("*"):
        if expected.is_file():
            assert (work / expected.relative_to(project / "after")).read_bytes() == expected.read_bytes()


def test_json_output_shape(tmp_path: Path) -> None:
    (tmp_path / "sync.py").write_text(LEGACY)
    result = run_in_process("rewrite", "--format", "json", ".", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert set(document) >= {"files", "edits", "manual_steps", "conflicts", "refused", "diff", "summary"}
    assert {e["rule_id"] for e in document["edits"]} >= {"zoho.auth-param.authtoken", "zoho.legacy-endpoint"}
    assert all(set(e) == {"path", "line", "rule_id", "description"} for e in document["edits"])
    assert document["summary"]["files_changed"] == 1 and document["summary"]["files_created"] == 1


def test_clean_tree_exits_0_and_bad_path_exits_2(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text('URL = "https://www.zohoapis.com/invoice/v3/items"\n')
    clean = run_in_process("rewrite", ".", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "")
    missing = run_cli("rewrite", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "zoho-migrate: error: path does not exist: nope"


@pytest.mark.parametrize("secret", ["0f1e2d3c4b5a69788796a5b4c3d2e1f0"])
def test_secret_never_printed_in_any_output(tmp_path: Path, secret: str) -> None:
    (tmp_path / "sync.py").write_text(f'TOKEN = "{secret}"\n' + LEGACY.replace('"authtoken": t', '"authtoken": TOKEN'))
    (tmp_path / ".env.example").write_text(f"ZOHO_AUTHTOKEN={secret}\n")
    for args in (("rewrite", "."), ("rewrite", "--format", "json", "."), ("rewrite", "--annotate", ".")):
        result = run_in_process(*args, cwd=tmp_path)
        assert secret not in result.stdout + result.stderr
    assert run_in_process("rewrite", "--apply", ".", cwd=tmp_path).returncode == 0
    assert secret not in (tmp_path / "sync.py").read_text() + (tmp_path / ".env.example").read_text()


def test_symlinked_file_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "src" / "sync.py"
    real.parent.mkdir()
    real.write_text(LEGACY)
    project = tmp_path / "project"
    project.mkdir()
    (project / "sync.py").symlink_to(real)
    assert run_in_process("rewrite", "--apply", "--allow-dirty", str(project / "sync.py"), cwd=tmp_path).returncode == 0
    assert (project / "sync.py").is_symlink()
    assert "zoho_auth.authorization()" in real.read_text()
    assert (project / "zoho_auth.py").is_file()  # beside the file as the user named it


def test_target_versions_are_rules_data(tmp_path: Path) -> None:
    """A user rules folder that maps CRM v1 to v3 instead of v2 changes the rewrite, with no code change."""
    builtin = Path(__file__).resolve().parents[2] / "rules" / "endpoints" / "crm.yaml"
    rules = tmp_path / "rules" / "endpoints"
    rules.mkdir(parents=True)
    (rules / "crm.yaml").write_text(builtin.read_text().replace("/crm/v2/", "/crm/v3/"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "leads.py").write_text(
        'r = requests.get("https://crm.zoho.in/crm/private/json/Leads/getRecords", params={"authtoken": T})\n'
    )
    result = run_in_process("rewrite", "--rules", str(tmp_path / "rules"), str(project), cwd=tmp_path)
    assert '+r = requests.get("https://www.zohoapis.in/crm/v3/Leads", headers=' in result.stdout


def test_git_ignored_live_credentials_are_reported_not_rewritten(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".env\n")
    live = "ZOHO_AUTHTOKEN=0f1e2d3c4b5a69788796a5b4c3d2e1f0\n"
    (tmp_path / ".env").write_text(live)
    (tmp_path / "sync.py").write_text(LEGACY)
    result = run_in_process("rewrite", "--format", "json", ".", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert ".env" not in {f["path"] for f in document["files"]}
    assert any(s["path"] == ".env" and s["text"].startswith("git-ignored file") for s in document["manual_steps"])
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" not in result.stdout
    assert run_in_process("rewrite", "--apply", ".", cwd=tmp_path).returncode == 0
    assert (tmp_path / ".env").read_text() == live


def test_a_file_that_cannot_be_written_is_reported_and_the_rest_written(tmp_path: Path, ruleset) -> None:
    (tmp_path / "b.py").write_text(LEGACY)
    plan = plan_rewrite([tmp_path], ruleset, RewriteOptions())
    (tmp_path / "zoho_auth.py").mkdir()  # something took the helper's name after planning
    report = plan.apply()
    # the helper cannot be created, so the file importing it is not rewritten either (it would not run)
    assert report.written == []
    assert [path for path, reason in report.refused if reason.startswith("cannot write")] == ["zoho_auth.py"]
    assert any(path == "b.py" and "zoho_auth.py could not be created" in reason for path, reason in report.refused)
    assert (tmp_path / "zoho_auth.py").is_dir()
    assert (tmp_path / "b.py").read_text() == LEGACY
