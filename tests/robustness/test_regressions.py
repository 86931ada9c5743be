"""Every input that ever crashed a run stays here as a fixture (issue 12), run through every command that reads it.

Each fixture folder under fixtures/projects/robustness/ is one trigger. A command must finish with its documented
exit code (scan/rewrite: 0 or 1, report/scopes: 0), no traceback, no internal error, and still do its job on the
file (the assertions after the loop check what each trigger's file should yield).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.rewrite.syntax import interpolation_close, match_close
from migrate.scan.textfile import decode, encode

ROBUSTNESS = Path(__file__).resolve().parents[2] / "fixtures" / "projects" / "robustness"
TRIGGERS = sorted(p.name for p in ROBUSTNESS.iterdir() if p.is_dir())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_command_survives(trigger: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = str(ROBUSTNESS / trigger)
    code, out, _ = run(capsys, "scan", "--format", "json", "--no-config", folder)
    assert code in (0, 1)
    document = json.loads(out)
    assert document["errors"] == []
    assert document["stats"]["files_scanned"] == 1
    code, out, _ = run(capsys, "rewrite", "--format", "json", folder)
    assert code in (0, 1)
    assert json.loads(out)["errors"] == []
    code, _, _ = run(capsys, "report", "--no-config", "-o", str(tmp_path / "r.md"), folder)
    assert code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").strip()
    code, _, _ = run(capsys, "scopes", folder)
    assert code == 0


def test_php_interpolation_is_planned_without_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    """`{$t}` is PHP interpolation whose brace comes first: the file is planned (no KeyError), and its request, which
    no recognised call sends, is left whole with a manual step naming why (never half-migrated)."""
    code, out, _ = run(capsys, "rewrite", "--format", "json", str(ROBUSTNESS / "php_interpolation"))
    plan = json.loads(out)
    added = "\n".join(line for line in plan["diff"].splitlines() if line.startswith("+"))
    assert code in (0, 1) and plan["errors"] == []
    assert "authtoken={$t}" not in added and "zohoapis" not in added
    assert any(s["text"].startswith("not migrated") for s in plan["manual_steps"])


def test_far_brace_entry_is_still_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", "--format", "json", "--no-config", str(ROBUSTNESS / "far_brace"))
    rules = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert code == 1 and "zoho.auth-param.authtoken" in rules


def test_odd_utf16_bytes_round_trip() -> None:
    """Bytes that only look like UTF-16 (odd length, lone surrogate) decode as 8-bit text and encode back intact."""
    for data in (b"\xff\xfeA", b"\xff\xfe\x00\xd8A\x00", b"\xfe\xff\xd8\x00\x00A"):
        text_file = decode(data)
        assert not text_file.bom
        assert encode(text_file, text_file.text) == data
    valid = decode(b"\xff\xfeA\x00")
    assert (valid.encoding, valid.text, valid.bom) == ("utf-16", "A", True)


def test_match_close_on_a_non_bracket_is_unbalanced() -> None:
    assert match_close("{$t}", 1) == -1
    assert match_close("abc", 7) == -1
    assert match_close("{$t}", 0) == 3


@pytest.mark.parametrize(
    ("text", "opener", "close"),
    [("{$t} x", "{$", 3), ("${t} x", "${", 3), ("#{t} x", "#{", 3), ("$(id -u) x", "$(", 7), ("{t", "{", -1)],
)
def test_interpolation_close_finds_the_bracket_in_the_opener(text: str, opener: str, close: int) -> None:
    assert interpolation_close(text, 0, opener) == close


def test_query_placeholder_without_value_is_a_manual_step(capsys: pytest.CaptureFixture[str]) -> None:
    """The v3 search needs `search_text={searchtext}`; a legacy URL without ?searchtext= cannot be mapped."""
    code, out, _ = run(capsys, "rewrite", "--format", "json", str(ROBUSTNESS / "query_placeholder"))
    steps = json.loads(out)["manual_steps"]
    assert any(s["rule_id"] == "zoho.legacy-endpoint" and "no mechanical" in s["text"] for s in steps)


def test_combining_mark_in_an_identifier_is_part_of_the_operand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rewrite", "--format", "json", str(ROBUSTNESS / "combining_mark"))
    document = json.loads(out)
    assert document["refused"] == []
    assert '+        client.DefaultRequestHeaders.Add("Authorization", ZohoAuth.Authorization());' in document["diff"]
