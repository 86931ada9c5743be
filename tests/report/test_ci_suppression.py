"""Inline suppression in every supported language's comment syntax, and `.zoho-migrate-ignore`.

Forms: `zoho-migrate: ignore` and `zoho-migrate: ignore[rule-id]` (comma-separated ids), in a comment on the flagged
line or on the line above. Every comment marker a language has in rules/languages.yaml that can be written on one
line is exercised; suppressed findings are counted in `stats.suppressed`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.ruleset import load_ruleset
from migrate.scan.engine import ScanOptions, scan_paths
from tests.conftest import run_cli

CRM = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken="
# language -> (file name, lines before the flagged line, the flagged line)
CASES: dict[str, tuple[str, str, str]] = {
    "python": ("a.py", "import requests\n", f'r = requests.get("{CRM}" + tok)'),
    "javascript": ("a.js", "", f'const r = fetch("{CRM}" + tok);'),
    "typescript": ("a.ts", "", f'const r: Response = await fetch("{CRM}" + tok);'),
    "tsx": ("a.tsx", "", f'const r = await fetch("{CRM}" + tok);'),
    "coffeescript": ("a.coffee", "", f'r = fetch "{CRM}" + tok'),
    "php": ("a.php", "<?php\n", f'$r = file_get_contents("{CRM}" . $tok);'),
    "java": ("A.java", "class A {\n", f'  String u = "{CRM}" + tok;'),
    "kotlin": ("a.kt", "", f'val u = "{CRM}" + tok'),
    "csharp": ("A.cs", "class A {\n", f'  string u = "{CRM}" + tok;'),
    "vb": ("A.vb", "", f'Dim u As String = "{CRM}" & tok'),
    "ruby": ("a.rb", "", f'r = Net::HTTP.get(URI("{CRM}" + tok))'),
    "go": ("a.go", "package main\n", f'var u = "{CRM}" + tok'),
    "shell": ("a.sh", "#!/bin/sh\n", f'curl "{CRM}$TOKEN"'),
    "powershell": ("a.ps1", "", f'Invoke-RestMethod "{CRM}$token"'),
    "perl": ("a.pl", "", f'my $r = get("{CRM}$tok");'),
    "elixir": ("a.ex", "", f'url = "{CRM}" <> tok'),
    "cfamily": ("a.c", "", f'const char *u = "{CRM}";'),
    "deluge": ("a.dg", "", f'resp = getUrl("{CRM}" + token);'),
    "html": ("a.html", "<p>\n", f'<a href="{CRM}abc">sync</a>'),
    "sql": ("a.sql", "", f"INSERT INTO cfg VALUES ('{CRM}x');"),
    "markdown": ("README.md", "# Sync\n", f"Call `{CRM}<token>` to list leads."),
    "rst": ("guide.rst", "Sync\n====\n", f"Call ``{CRM}<token>`` to list leads."),
    "rdoc": ("guide.rdoc", "= Sync\n", f"Call {CRM}<token> to list leads."),
    "asciidoc": ("guide.adoc", "= Sync\n", f"Call {CRM}<token> to list leads."),
    "text": ("notes.txt", "", f"Call {CRM}<token> to list leads."),
    "other": ("Dockerfile", "FROM alpine\n", f'RUN wget "{CRM}$T"'),
    "env": (".env", "", "ZOHO_AUTHTOKEN=${SECRET}"),
    "yaml": ("c.yaml", "zoho:\n", "  zoho_authtoken: ${T}"),
    "json": ("c.json", "{\n", '  "zoho_authtoken": "${T}"'),
    "requirements": ("requirements.txt", "requests==2.32.0\n", "talkzoho==3.0.3"),
    "ini": ("c.ini", "[zoho]\n", "zoho_authtoken = ${T}"),
    "properties": ("c.properties", "", "zoho.crm.auth_token=${CRM_TOKEN}"),
    "xml": ("App.config", "<appSettings>\n", '  <add key="zoho_authtoken" value="${T}"/>'),
}
ALIASES = {"kotlin": "java"}  # a file type read as another language's syntax
RULESET = load_ruleset()


def comment_forms(lang: str) -> list[tuple[str, str]]:
    """Every comment marker the language has in rules/languages.yaml that can be written on one line (a block
    comment that must span lines, like Ruby's =begin/=end, cannot carry a one-line directive). Languages without
    comments (plain text, some docs formats) take the directive as plain text."""
    language = RULESET.languages[ALIASES.get(lang, lang)]
    forms = [(marker, "") for marker in language.line_comments]
    forms += [(start, end) for start, end in language.block_comments if not start.startswith("=")]
    return forms or [("", "")]


PARAMS = [(lang, form) for lang in CASES if ALIASES.get(lang, lang) in RULESET.languages for form in comment_forms(lang)]


def test_every_language_has_a_case():
    """New languages in rules/languages.yaml need a sample here (so suppression is tested in their syntax)."""
    covered = {ALIASES.get(lang, lang) for lang in CASES}
    assert set(RULESET.languages) <= covered, sorted(set(RULESET.languages) - covered)


def _scan(folder: Path, ruleset):
    return scan_paths([folder], ruleset, ScanOptions(jobs=1))


def _flagged(tmp_path: Path, ruleset, lang: str, text: str):
    name = CASES[lang][0]
    folder = tmp_path / lang
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return _scan(folder, ruleset)


def _comment(form: tuple[str, str], body: str) -> str:
    opening, closing = form
    return f"{opening} {body} {closing}".rstrip()


@pytest.mark.parametrize(("lang", "form"), PARAMS, ids=[f"{lang}-{form[0]}" for lang, form in PARAMS])
def test_each_suppression_form(tmp_path, ruleset, lang, form):
    _, before, line = CASES[lang]
    row = before.count("\n") + 1
    plain = _flagged(tmp_path, ruleset, lang, before + line + "\n")
    rules_here = sorted({f.rule_id for f in plain.findings if f.line == row})
    assert rules_here, f"{lang}: the sample line is not flagged: {plain.findings}"

    # on the line, all rules
    same = _flagged(tmp_path, ruleset, lang, before + line + "  " + _comment(form, "zoho-migrate: ignore") + "\n")
    assert [f for f in same.findings if f.line == row] == []
    assert same.suppressed >= len(rules_here)

    # on the line above, all rules
    above = _flagged(tmp_path, ruleset, lang, before + _comment(form, "zoho-migrate: ignore") + "\n" + line + "\n")
    assert [f for f in above.findings if f.line == row + 1] == []
    assert above.suppressed >= len(rules_here)

    # one rule by id: only that rule is silenced
    target = rules_here[0]
    by_id = _flagged(
        tmp_path, ruleset, lang, before + line + "  " + _comment(form, f"zoho-migrate: ignore[{target}]") + "\n"
    )
    left = sorted({f.rule_id for f in by_id.findings if f.line == row})
    assert left == rules_here[1:]
    assert by_id.suppressed >= 1

    # several ids on the line above
    ids = ", ".join(rules_here)
    listed = _flagged(
        tmp_path, ruleset, lang, before + _comment(form, f"zoho-migrate: ignore[{ids}]") + "\n" + line + "\n"
    )
    assert [f for f in listed.findings if f.line == row + 1] == []

    # another rule's id silences nothing
    other = _flagged(
        tmp_path, ruleset, lang, before + line + "  " + _comment(form, "zoho-migrate: ignore[zoho.no-such-rule]") + "\n"
    )
    assert sorted({f.rule_id for f in other.findings if f.line == row}) == rules_here
    assert other.suppressed == 0


def test_two_lines_above_does_not_suppress(tmp_path, ruleset):
    text = "# zoho-migrate: ignore\n\n" + CASES["python"][2] + "\n"
    result = _flagged(tmp_path, ruleset, "python", text)
    assert any(f.line == 3 for f in result.findings) and result.suppressed == 0


def test_suppressed_count_in_json_stats(tmp_path):
    (tmp_path / "a.py").write_text(
        f'a = "{CRM}" + t  # zoho-migrate: ignore\n'
        f'# zoho-migrate: ignore[zoho.auth-param.authtoken]\nb = "{CRM}" + t\n'
    )
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    data = json.loads(proc.stdout)
    assert data["stats"]["suppressed"] == 3  # line 1: authtoken + endpoint; line 3: authtoken
    assert [(f["line"], f["rule_id"]) for f in data["findings"]] == [(3, "zoho.legacy-endpoint")]
    assert "3 suppressed" in proc.stderr


def test_ignore_file_with_gitignore_syntax(tmp_path):
    legacy = f'u = "{CRM}" + t\n'
    for rel in ("app/main.py", "app/vendor_zoho/client.py", "scripts/old.py", "scripts/keep.py", "docs/a.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(legacy)
    (tmp_path / ".zoho-migrate-ignore").write_text(
        "# reviewed: third-party code\nvendor_*/\n/scripts/*.py\n!/scripts/keep.py\ndocs\n"
    )
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {"app/main.py", "scripts/keep.py"}


def test_nested_ignore_file(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "a.py").write_text(f'u = "{CRM}" + t\n')
    (tmp_path / "svc" / "b.py").write_text(f'u = "{CRM}" + t\n')
    (tmp_path / "svc" / ".zoho-migrate-ignore").write_text("a.py\n")
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    assert {f["path"] for f in json.loads(proc.stdout)["findings"]} == {"svc/b.py"}


def test_directive_details(tmp_path, ruleset):
    line = CASES["python"][2]
    row_rules = sorted({f.rule_id for f in _flagged(tmp_path, ruleset, "python", line + "\n").findings})
    assert len(row_rules) >= 2
    first, second = row_rules[0], row_rules[1]
    # two directives in one comment: both apply
    both = _flagged(tmp_path, ruleset, "python", f"{line}  # zoho-migrate: ignore[{first}] zoho-migrate: ignore[{second}]\n")
    assert sorted({f.rule_id for f in both.findings}) == row_rules[2:]
    # a space before the bracket still names the rule (it must not silence every rule)
    spaced = _flagged(tmp_path, ruleset, "python", f"{line}  # zoho-migrate: ignore [{first}]\n")
    assert sorted({f.rule_id for f in spaced.findings}) == row_rules[1:]
    # prose that merely starts with the word is not a directive
    prose = _flagged(tmp_path, ruleset, "python", f"{line}  # zoho-migrate: ignored until the v3 switch\n")
    assert sorted({f.rule_id for f in prose.findings}) == row_rules and prose.suppressed == 0
