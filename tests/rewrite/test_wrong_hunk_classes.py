"""Issue 11's wrong-hunk classes 4 (definitions), 6 (reply handling) and 7 (syntax the grammar does not catch):
before/after pairs on in-memory texts and on the golden projects `definitions-php`, `replies-crm`,
`syntax-checks` (fixtures/projects/rewrite/, our own code) and the Python 2 folder fixtures/projects/python2,
run as a user runs the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.validate import check_rewrite, python2_reason
from tests.conftest import FIXTURES
from tests.rewrite.test_fixture_projects import run_in_process

PROJECTS = FIXTURES / "projects" / "rewrite"


def _rewrite(ruleset, language: str, text: str, path: str = "sample", references: ReferenceIndex | None = None):
    lang = ruleset.languages[language]
    findings = scan_text(ruleset, text, lang, path)
    return rewrite_text(path, text, lang, findings, ruleset, FixData(ruleset), set(), references=references)


def _copy(project: str, tmp_path: Path) -> Path:
    work = tmp_path / project
    shutil.copytree(PROJECTS / project / "before", work)
    return work


# class 4: definitions ------------------------------------------------------------------------------------------
def test_definition_used_in_another_file_stays_with_a_manual_step(ruleset) -> None:
    constants = "<?php\n// zoho invoice\ndefine('ZOHO_AUTHTOKEN', '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7');\n"
    other = "<?php\necho substr(ZOHO_AUTHTOKEN, 0, 4);\n"
    index = ReferenceIndex.from_texts({"constants.php": constants, "health.php": other})
    result = _rewrite(ruleset, "php", constants, "constants.php", index)
    assert "define('ZOHO_AUTHTOKEN', (getenv('ZOHO_AUTHTOKEN') ?: ''));" in result.text  # kept, secret gone
    assert "5f0e3c2a" not in result.text
    assert any("still used in health.php" in s.text for s in result.manual)


def test_definition_used_nowhere_else_is_deleted(ruleset) -> None:
    constants = "<?php\n// zoho invoice\ndefine('ZOHO_AUTHTOKEN', '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7');\n"
    index = ReferenceIndex.from_texts({"constants.php": constants, "other.php": "<?php\necho 'hi';\n"})
    assert "ZOHO_AUTHTOKEN" not in _rewrite(ruleset, "php", constants, "constants.php", index).text


def test_a_file_defining_the_name_itself_is_not_a_user(ruleset) -> None:
    one = 'AUTHTOKEN = "5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7"  # zoho crm\n'
    two = 'AUTHTOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # zoho crm\nprint(AUTHTOKEN)\n'
    index = ReferenceIndex.from_texts({"one.py": one, "two.py": two})
    assert index.files_using("AUTHTOKEN", "one.py") == []


def test_other_vendors_32_hex_secret_is_left_alone(ruleset) -> None:
    text = (
        "<?php\n// Zoho Invoice sync settings\ndefine('ZOHO_AUTHTOKEN', '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7');\n"
        "define('SHOPIFY_CLIENT_SECRET', '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49');\n"
    )
    result = _rewrite(ruleset, "php", text, "constants.php", ReferenceIndex.from_texts({"constants.php": text}))
    assert "define('SHOPIFY_CLIENT_SECRET', '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49');" in result.text
    assert "ZOHO_AUTHTOKEN" not in result.text
    assert any("SHOPIFY_CLIENT_SECRET" in s.text and "left as it is" in s.text for s in result.manual)


def test_golden_definitions_project_keeps_the_constant_health_php_reads(tmp_path: Path) -> None:
    work = _copy("definitions-php", tmp_path)
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    constants = (work / "config" / "constants.php").read_text()
    assert "define('ZOHO_AUTHTOKEN', (getenv('ZOHO_AUTHTOKEN') ?: ''));" in constants
    assert "'9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49'" in constants  # the Shopify secret, byte for byte


# class 6: reply handling ---------------------------------------------------------------------------------------
def test_crm_v1_reply_reading_gets_a_todo_at_the_reading_line(tmp_path: Path) -> None:
    work = _copy("replies-crm", tmp_path)
    assert run_in_process("rewrite", "--apply", "--annotate", ".", cwd=work).returncode == 0
    lines = (work / "leads.js").read_text().splitlines()
    reading = next(i for i, line in enumerate(lines) if "body.response.result.Leads.row" in line)
    assert lines[reading - 1].strip().startswith("// TODO(zoho-migrate): this line reads the legacy reply")
    assert "First Name -> First_Name" in lines[reading - 1]  # the CRM field map, from the endpoint map
    assert "https://www.zohoapis.com/crm/v2/Leads" in "\n".join(lines)


def test_a_locally_built_xml_document_is_never_json_decoded(ruleset) -> None:
    text = (PROJECTS / "replies-crm" / "before" / "items.py").read_text()
    result = _rewrite(ruleset, "python", text, "items.py")
    assert "doc = ET.fromstring(local)" in result.text and "json.loads" not in result.text
    assert "https://www.zohoapis.com/invoice/v3/items" in result.text


# class 7: syntax the grammar does not catch -----------------------------------------------------------------------
def test_php_require_goes_after_namespace_and_use_imports(tmp_path: Path) -> None:
    work = _copy("syntax-checks", tmp_path)
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    text = (work / "billing" / "InvoiceGateway.php").read_text()
    assert text.index("namespace Acme\\Billing;") < text.index("use Psr\\Log\\LoggerInterface;\n\nrequire_once")
    if shutil.which("php") is None:
        pytest.skip("php is not installed (CI installs it): the placement is checked, `php -l` is not")
    linted = subprocess.run(["php", "-l", str(work / "billing" / "InvoiceGateway.php")], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_java_parameter_statements_go_whole_never_emptied(tmp_path: Path) -> None:
    work = _copy("syntax-checks", tmp_path)
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    text = (work / "src" / "com" / "acme" / "crm" / "LeadClient.java").read_text()
    assert "setParameter()" not in text and "BasicNameValuePair()" not in text
    assert 'b.setParameter("authtoken", TOKEN);' not in text
    # a builder call in the middle of a chain cannot go alone: the chain is left for a person
    assert '.setParameter("authtoken", TOKEN).setParameter("scope", "crmapi")' in text


def test_python2_file_is_refused_with_a_manual_step(tmp_path: Path) -> None:
    work = tmp_path / "py2"
    shutil.copytree(FIXTURES / "projects" / "python2", work)
    planned = run_in_process("rewrite", "--format", "json", ".", cwd=work)
    document = json.loads(planned.stdout)
    refused = {r["path"]: r["reason"] for r in document["refused"]}
    assert "Python 2 source" in refused["legacy_py2/sync.py"]
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    assert (work / "legacy_py2" / "sync.py").read_bytes() == (FIXTURES / "projects" / "python2" / "legacy_py2" / "sync.py").read_bytes()
    assert not (work / "legacy_py2" / "zoho_auth.py").exists()  # no Python 3 helper in a Python 2 folder


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('print "hello"\n', "print statement"),
        ("try:\n    x()\nexcept ValueError, e:\n    pass\n", "except X, e"),
        ("import urllib2\n", "urllib2"),
    ],
)
def test_python2_sources_are_recognised(text: str, why: str) -> None:
    reason = python2_reason(text)
    assert reason is not None and why in reason


def test_python3_source_is_not_python2() -> None:
    assert python2_reason('print("hello")\nimport urllib.request\n') is None


def test_tool_check_refuses_a_rewrite_php_rejects(ruleset) -> None:
    if shutil.which("php") is None:
        pytest.skip("php is not installed (CI installs it)")
    before = "<?php\nnamespace A;\nfunction f() { return 1; }\n"
    after = "<?php\nrequire_once 'x.php';\nnamespace A;\nfunction f() { return 1; }\n"
    reason = check_rewrite(ruleset.languages["php"], before, after, "a.php", FixData(ruleset))
    assert reason is not None and "php" in reason and "Namespace declaration" in reason
    assert check_rewrite(ruleset.languages["php"], before, before.replace("1", "2"), "a.php", FixData(ruleset)) is None


def test_tool_check_ignores_what_the_original_already_had(ruleset) -> None:
    if shutil.which("javac") is None:
        pytest.skip("javac is not installed (CI installs it)")
    java = ruleset.languages["java"]
    before = "class A {\n  Object u() { return new org.example.Missing(); }\n}\n"
    same_error = before.replace("u()", "v()")
    assert check_rewrite(java, before, same_error, "A.java", FixData(ruleset)) is None
    new_error = before.replace("return new", "int x = \"s\"; return new")
    assert check_rewrite(java, before, new_error, "A.java", FixData(ruleset)) is not None
