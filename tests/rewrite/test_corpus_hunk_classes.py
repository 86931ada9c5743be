"""The wrong hunks and the noise found by reading every hunk of `rewrite --apply` on the real-code corpus
(bench/rewrite_corpus.py), each as a before/after test on our own code (golden project `members`, in-memory texts):

- class 4, a member deleted: a scrapy spider's `custom_settings` class attribute and a Java interface's
  `public static final` were deleted as "unused" although a framework, or code beyond the scanned tree, reads them
  by name. A class member is never deleted nor edited; only an unused `private` one without annotations goes.
- noise: "removed `X` ... code outside the scanned folders that imports it must be migrated too" on definitions no
  other code can import (a Deluge script's variable, a function's local, a `private` field).
- noise: two TODOs above one legacy-reply reading line (the scanner's rule and the replies pass).
- misleading TODO: the id placeholder of the endpoint probe (`__zoho_migrate_id__`) inside a manual step.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from tests.rewrite.support import rewrite_one
from tests.rewrite.test_fixture_projects import run_in_process

PROJECTS = FIXTURES / "projects" / "rewrite"
TODO = "TODO(zoho-migrate)"
OUTSIDE = "code outside the scanned folders"


def _rewrite(ruleset, language: str, text: str, path: str, others: dict[str, str] | None = None):
    return rewrite_one(ruleset, language, text, path, others, annotate=False)


def _applied(project: str, tmp_path: Path) -> Path:
    work = tmp_path / project
    shutil.copytree(PROJECTS / project / "before", work)
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    return work


# class 4: a member a framework reads ---------------------------------------------------------------------------
def test_class_attribute_a_framework_reads_is_kept_with_a_todo(tmp_path: Path) -> None:
    before = (PROJECTS / "members" / "before" / "crawl_settings.py").read_text()
    after = (_applied("members", tmp_path) / "crawl_settings.py").read_text()
    assert "custom_settings = {" in before and "custom_settings = {" in after
    assert '"FEED_FORMAT": "json",' in after  # the framework's other settings are still there
    assert after.count("`custom_settings` is a class member") == 1
    # a function's local that nothing reads is provably unreferenced: it goes, with no "code outside the scanned
    # folders" note on a name no other code can reach
    assert 'authtoken = "a1b2' in before and 'authtoken = "a1b2' not in after
    assert OUTSIDE not in after


def test_interface_constants_and_annotated_fields_stay_only_plain_private_ones_go(tmp_path: Path) -> None:
    work = _applied("members", tmp_path)
    keys = (work / "src/com/acme/zoho/ZohoKeys.java").read_text()
    settings = (work / "src/com/acme/zoho/Settings.java").read_text()
    assert 'public static final String PARAM_AUTHTOKEN = "authtoken";' in keys
    assert "@Deprecated" in settings and 'private String authtoken = "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d";' in settings
    assert "LEGACY_AUTHTOKEN" not in settings  # private, unannotated, read by nothing: provably unreferenced
    assert OUTSIDE not in keys + settings
    # a private, unannotated constant whose one reader (a request) migrated: provably unreferenced, deleted, and
    # no "code outside" note (the java golden)
    before = (PROJECTS / "java/before/src/com/example/zoho/InvoiceClient.java").read_text()
    after = (PROJECTS / "java/after/src/com/example/zoho/InvoiceClient.java").read_text()
    assert "private static final String AUTHTOKEN" in before and "AUTHTOKEN =" not in after
    assert OUTSIDE not in after


def test_python_class_attribute_in_memory_before_and_after(ruleset) -> None:
    text = (
        "class Spider:\n"
        "    custom_settings = {'ZOHO_AUTHTOKEN': '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7'}  # zoho crm\n\n"
        "    def run(self):\n        return 1\n"
    )
    result = _rewrite(ruleset, "python", text, "spider.py")
    assert "custom_settings = {'ZOHO_AUTHTOKEN': '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7'}  # zoho crm" in result.text
    assert any("`custom_settings` is a class member" in s.text for s in result.manual)


# class 4: a definition only code beyond the tree reads ---------------------------------------------------------
def test_config_define_nothing_in_the_tree_reads_is_kept(ruleset) -> None:
    """A library's config file (its class reads the constant as a default argument, outside the scanned folder)."""
    config = "<?php\n// Zoho CRM API key (see the Zoho docs)\ndefine('DEFAULT_ZOHO_API_KEY', 'put-your-key-here');\n"
    result = _rewrite(ruleset, "php", config, "trunk/config.php", {"examples/use.php": "<?php\necho 'x';\n"})
    assert "define('DEFAULT_ZOHO_API_KEY', 'put-your-key-here');" in result.text
    assert any("nothing in the scanned tree reads it" in s.text for s in result.manual)
    secret = "<?php\n// zoho invoice\ndefine('ZOHO_AUTHTOKEN', '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7');\n"
    result = _rewrite(ruleset, "php", secret, "constants.php")
    assert "define('ZOHO_AUTHTOKEN', '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7');" in result.text  # every byte stays


# noise: the "code outside the scanned folders" note ------------------------------------------------------------
def test_outside_note_only_where_other_code_can_import_the_name(ruleset) -> None:
    top = (
        "import requests\n\nAUTHTOKEN = '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7'  # zoho\n\n\ndef items():\n"
        "    return requests.get('https://invoice.zoho.com/api/v3/items?authtoken=' + AUTHTOKEN).json()\n"
    )
    result = _rewrite(ruleset, "python", top, "items.py")
    assert "AUTHTOKEN =" not in result.text  # its one reader migrated
    assert any(OUTSIDE in s.text for s in result.manual)  # a module variable another package may import
    local = "def once():\n    authtoken = '5f0e3c2a9b8d47e1a6c3f2b1d0e9a8c7'  # zoho crm\n    return 1\n"
    result = _rewrite(ruleset, "python", local, "once.py")
    assert not any(OUTSIDE in s.text for s in result.manual)


def test_deluge_golden_has_no_outside_note(tmp_path: Path) -> None:
    before = (PROJECTS / "deluge" / "before" / "sync_invoices.dg").read_text()
    after = (_applied("deluge", tmp_path) / "sync_invoices.dg").read_text()
    assert before.startswith('authtoken = "') and not after.count('authtoken = "')  # the variable went
    assert OUTSIDE not in after  # a Deluge script's variables are invisible to any other script


# noise: one TODO per reading line ------------------------------------------------------------------------------
def test_one_todo_above_each_legacy_reply_reading_line(tmp_path: Path) -> None:
    lines = (_applied("replies-crm", tmp_path) / "leads.js").read_text().splitlines()
    readers = [i for i, line in enumerate(lines) if ".row" in line or ".FL" in line]
    assert readers
    for i in readers:
        above = 0
        while i - above - 1 >= 0 and TODO in lines[i - above - 1]:
            above += 1
        assert above == 1, lines[i - 2 : i + 1]
        assert "field map: LEADID -> id" in lines[i - 1]  # the specific one (this file's field map) is kept


# misleading TODO: the probe id ---------------------------------------------------------------------------------
def test_no_probe_placeholder_in_any_manual_step_or_golden(tmp_path: Path) -> None:
    work = tmp_path / "replies-crm"
    shutil.copytree(PROJECTS / "replies-crm" / "before", work)
    planned = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=work).stdout)
    texts = [s["text"] for s in planned["manual_steps"]]
    assert any("https://www.zohoapis.com/invoice/v3/items/{id}" in t for t in texts)
    assert not any("__zoho_migrate" in t for t in texts)
    for path in PROJECTS.glob("*/after/**/*"):
        if path.is_file():
            assert "__zoho_migrate" not in path.read_text(errors="replace"), path


# noise: the rewrite's own environment lookup reported again on its line ------------------------------------------
def test_environment_lookup_line_gets_one_todo_and_every_finding_stays_listed(tmp_path: Path) -> None:
    work = tmp_path / "python"
    shutil.copytree(PROJECTS / "python" / "before", work)
    planned = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=work).stdout)
    rules_on_token = {s["rule_id"] for s in planned["manual_steps"] if s["path"] == "crm_leads.py" and s["line"] == 3}
    assert "zoho.legacy-config.env-credential" in rules_on_token  # the re-scan's finding is still a manual step
    lines = (_applied("python", tmp_path / "applied") / "crm_leads.py").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("TOKEN = os.environ.get("))
    assert TODO in lines[at - 1] and TODO not in lines[at - 2]  # but one TODO above the line, not three
    assert "replaced by an environment lookup of ZOHO_AUTHTOKEN" in lines[at - 1]
