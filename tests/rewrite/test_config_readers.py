"""A credential key in a config file changes only together with the code that reads it (issue 11, found on the
real-code corpus: node-zoho's `spec/config.json.default` had `"authToken": null` replaced by OAuth keys while
`integration-spec.coffee`, whose requests stay legacy, still read `config.authToken`).

Golden project `config-readers` (our own code): a JSON template read by a left-alone CRM v1 request in another file
stays, with no comment in the JSON; a YAML key read by a left-alone Ruby request stays with a TODO naming the reader;
an `.env` key read only by code this run migrates is still rewritten. Scan's `fixable` agrees.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from migrate.requests.configreaders import ConfigReaders
from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.references import ReferenceIndex
from tests.conftest import FIXTURES
from tests.rewrite.test_fixture_projects import run_in_process

PROJECT = FIXTURES / "projects" / "rewrite" / "config-readers"
TODO = "TODO(zoho-migrate)"


def _applied(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(PROJECT / "before", work)
    proc = run_in_process("rewrite", "--apply", ".", cwd=work)
    assert proc.returncode == 0, proc.stderr
    return work


def test_json_template_read_by_a_left_alone_request_stays_without_a_comment(tmp_path: Path) -> None:
    before = (PROJECT / "before" / "spec" / "config.json.default").read_text()
    work = _applied(tmp_path)
    after = (work / "spec" / "config.json.default").read_text()
    assert after == before  # not one byte: JSON has no comments, the step is listed instead
    assert json.loads(after)["authToken"] is None
    spec = (work / "spec" / "leads-spec.js").read_text()
    assert "config.authToken" in spec and "crm/private/xml/Leads/insertRecords?authtoken=" in spec


def test_manual_step_names_the_reader_file_and_line(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(PROJECT / "before", work)
    plan = run_in_process("rewrite", "--format", "json", ".", cwd=work)
    steps = json.loads(plan.stdout)["manual_steps"]
    json_steps = [s["text"] for s in steps if s["path"] == "spec/config.json.default"]
    assert json_steps and all("spec/leads-spec.js:6" in t and "`authToken` is still read" in t for t in json_steps)
    yaml_steps = [s["text"] for s in steps if s["path"] == "jobs/settings.yaml"]
    assert yaml_steps and all("jobs/nightly.rb:9" in t for t in yaml_steps)
    assert not [s for s in steps if s["path"] == ".env.example"]
    # the line named is where the reader is after the rewrite (a TODO was added above the request)
    nightly = (_applied(tmp_path / "again") / "jobs" / "nightly.rb").read_text().split("\n")
    assert 'CONFIG["zoho_authtoken"]' in nightly[8]


def test_yaml_key_read_by_left_alone_code_stays_with_a_todo(tmp_path: Path) -> None:
    after = (_applied(tmp_path) / "jobs" / "settings.yaml").read_text()
    lines = after.split("\n")
    key = lines.index('zoho_authtoken: ""')
    assert TODO in lines[key - 1] and "jobs/nightly.rb:9" in lines[key - 1]
    assert "client_id" not in after


def test_env_key_read_only_by_migrated_code_is_still_rewritten(tmp_path: Path) -> None:
    work = _applied(tmp_path)
    env = (work / ".env.example").read_text()
    assert "ZOHO_AUTHTOKEN" not in env
    assert env.count("ZOHO_CLIENT_ID=") == 1 and "ZOHO_REFRESH_TOKEN=" in env
    assert env.count("ZOHO_ORGANIZATION_ID=") == 1  # already there: never a second one
    contacts = (work / "contacts.py").read_text()
    assert 'os.environ["ZOHO_AUTHTOKEN"]' not in contacts and "zoho_auth.authorization()" in contacts


def test_scan_marks_only_the_env_key_fixable(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(PROJECT / "before", work)
    proc = run_in_process("scan", "--format", "json", "--fail-on", "critical", ".", cwd=work)
    findings = json.loads(proc.stdout)["findings"]
    keys = {(f["path"], f["fixable"]) for f in findings if f["category"] == "legacy-config" and f["path"].endswith(
        (".default", ".yaml", ".example"))}
    assert (".env.example", True) in keys
    assert ("spec/config.json.default", True) not in keys and ("spec/config.json.default", False) in keys
    assert ("jobs/settings.yaml", True) not in keys and ("jobs/settings.yaml", False) in keys


def test_in_memory_the_reader_decides(ruleset) -> None:
    """Same JSON text, two trees: read by code left as it is -> unchanged; read by nothing -> OAuth keys."""
    config = '{\n  "enabled": true,\n  "zoho_authtoken": ""\n}\n'
    lang = ruleset.languages["json"]
    findings = scan_text(ruleset, config, lang, "config.json")
    assert findings
    reader = "if (config.zoho_authtoken) { legacyCall(config.zoho_authtoken); }\n"
    kept = rewrite_text("config.json", config, lang, findings, ruleset, FixData(ruleset), set(), annotate=True,
                        references=ReferenceIndex.from_texts({"config.json": config, "run.js": reader}))
    assert kept.text == config and kept.kept_for_references
    assert any("run.js:1" in s.text for s in kept.manual)
    free = rewrite_text("config.json", config, lang, findings, ruleset, FixData(ruleset), set(), annotate=True,
                        references=ReferenceIndex.from_texts({"config.json": config, "README.md": "config.zoho_authtoken"}))
    assert '"zoho_client_id": ""' in free.text and "authtoken" not in free.text  # documentation is not a reader


def test_reading_spellings(ruleset) -> None:
    finder = ConfigReaders(ruleset)
    code = "\n".join([
        "a = config.authToken",                   # 1 member
        'b = os.environ["ZOHO_AUTHTOKEN"]',      # 2 lookup
        "c = getenv('ZOHO_AUTHTOKEN')",          # 3
        "d = process.env.ZOHO_AUTHTOKEN",        # 4
        'e = { "authToken": t }',                # 5 a map key being written: not a read
        "f = config[:authToken]",                # 6 Ruby symbol
        "g = { authToken: t }",                  # 7 not a read
        'curl -H "x: ${ZOHO_AUTHTOKEN}" $ZOHO_AUTHTOKEN',  # 8 shell
        "# TODO(zoho-migrate): `authToken` is still read",  # 9 our own note
        "h = conf.authtoken",                    # 10 another key (case-sensitive)
    ])
    assert finder.lines(code, "authToken") == [1, 6]
    assert finder.lines(code, "ZOHO_AUTHTOKEN") == [2, 3, 4, 8]
    assert finder.lines(code, "authToken", ignore_case=True) == [1, 6, 10]  # INI keys: any case
