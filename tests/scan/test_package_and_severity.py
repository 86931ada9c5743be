"""Issue 13 mechanisms on real files: package-level contexts, the `migrated` severity of OAuth code, comment-only
rules, `under` for config parents, and the rule-schema checks of the new keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli

CLIENT = """<?php
class Client {
    public function leads($token) {
        $body = file_get_contents('https://crm.zoho.com/crm/private/xml/Leads/getRecords?authtoken=' . $token);
        return new Reply($body);
    }
}
"""
READER = """<?php
class Reply {
    public function __construct($body) {
        $this->xml = simplexml_load_string($body);
    }
}
"""


def _scan(root: Path, *extra: str) -> list[dict]:
    proc = run_cli("scan", str(root), "--format", "json", "--no-progress", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def _lines(findings: list[dict], name: str) -> set[int]:
    return {f["line"] for f in findings if f["path"].endswith(name)}


def test_reply_parsed_in_a_module_the_zoho_client_names_is_flagged(tmp_path: Path):
    (tmp_path / "Client.php").write_text(CLIENT)
    (tmp_path / "Reply.php").write_text(READER)
    findings = _scan(tmp_path)
    assert _lines(findings, "Reply.php") == {4}
    assert {f["rule_id"] for f in findings if f["path"].endswith("Reply.php")} == {"zoho.xml-parsing.php"}


def test_unrelated_xml_reader_next_to_a_zoho_client_is_not(tmp_path: Path):
    (tmp_path / "Client.php").write_text(CLIENT.replace("new Reply", "new Answer"))
    (tmp_path / "Reply.php").write_text(READER)
    assert _lines(_scan(tmp_path), "Reply.php") == set()


def test_reader_alone_or_scanned_as_a_single_file_needs_its_package(tmp_path: Path):
    (tmp_path / "Reply.php").write_text(READER)
    assert _scan(tmp_path) == []
    (tmp_path / "Client.php").write_text(CLIENT)
    # a file given on the command line still sees its folder
    assert _lines(_scan(tmp_path / "Reply.php"), "Reply.php") == {4}


def test_go_files_of_one_package_share_the_context(tmp_path: Path):
    (tmp_path / "client.go").write_text(
        'package zcrm\n\nconst base = "https://crm.zoho.com/crm/private/xml/Leads/getRecords"\n'
    )
    (tmp_path / "decode.go").write_text(
        'package zcrm\n\nimport "encoding/xml"\n\nfunc read(b []byte, v interface{}) error {\n\treturn xml.Unmarshal(b, v)\n}\n'
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "decode.go").write_text(
        'package feed\n\nimport "encoding/xml"\n\nfunc read(b []byte, v interface{}) error {\n\treturn xml.Unmarshal(b, v)\n}\n'
    )
    findings = _scan(tmp_path)
    assert {f["line"] for f in findings if f["path"] == "decode.go"} == {6}
    assert not [f for f in findings if f["path"] == "other/decode.go"]


def test_oauth_code_on_a_moved_host_is_a_notice_and_does_not_fail_ci(tmp_path: Path):
    code = (
        "const BASE = 'https://books.zoho.com/api/v3';\n"
        "fetch(BASE + '/invoices', {headers: {Authorization: 'Zoho-oauthtoken ' + t}});\n"
    )
    (tmp_path / "books.js").write_text(code)
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--no-progress")
    findings = json.loads(proc.stdout)["findings"]
    assert findings and {f["severity"] for f in findings} == {"info"}
    assert all("moved" in f["message"] for f in findings)
    assert proc.returncode == 0  # --fail-on defaults to warning
    # the same call still sending an authtoken is half migrated: an error
    (tmp_path / "books.js").write_text(code.replace("/invoices'", "/invoices?authtoken=' + old"))
    assert "error" in {f["severity"] for f in _scan(tmp_path)}


def test_generation_url_in_a_docblock_is_reported_at_warning(tmp_path: Path):
    (tmp_path / "gateway.php").write_text(
        "<?php\n/**\n * Token: https://accounts.zoho.com/apiauthtoken/create?SCOPE=ZohoInvoice/invoiceapi\n */\n"
        "$r = file_get_contents('https://accounts.zoho.com/apiauthtoken/nb/create?SCOPE=x');\n"
    )
    by_line = {(f["line"], f["rule_id"], f["severity"]) for f in _scan(tmp_path)}
    assert (3, "zoho.auth-generation.apiauthtoken-comment", "warning") in by_line
    assert (5, "zoho.auth-generation.apiauthtoken", "error") in by_line
    assert not any(line == 5 and rule.endswith("-comment") for line, rule, _ in by_line)
    assert not any(line == 3 and rule == "zoho.auth-generation.apiauthtoken" for line, rule, _ in by_line)


def test_under_reads_the_nearest_parent_key(tmp_path: Path):
    (tmp_path / "settings.yml").write_text(
        "production:\n  zoho_creator:\n    auth: <%= ENV['CREATOR_KEY'] %>\n  github:\n    token: ${GH}\n"
    )
    findings = _scan(tmp_path)
    assert {(f["line"], f["rule_id"]) for f in findings} >= {(3, "zoho.legacy-config.section-credential")}
    assert 5 not in {f["line"] for f in findings}


def _rules_test(tmp_path: Path, match: str, examples: str, extra: str = "") -> subprocess.CompletedProcess[str]:
    """`rules test` on a folder holding one rule `acme.x` with this `match` and `examples` (and more rule keys)."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "a.yaml").write_text(
        "rules:\n  - id: acme.x\n    category: auth-param\n    severity: warning\n    message: m\n"
        f"    match: {match}\n{extra}    examples: {examples}\n"
    )
    return run_cli("rules", "test", str(rules))


def test_new_rule_keys_are_validated(tmp_path: Path):
    examples = "{flag: ['acme'], ok: ['nothing']}"
    match = "{keywords: [acme], regex: 'acme', in_comments: %s}"
    proc = _rules_test(tmp_path, match % "sometimes", examples)
    assert proc.returncode == 2 and "in_comments" in proc.stderr
    proc = _rules_test(tmp_path, match % "false", examples, "    migrated: {context: nowhere, severity: info, message: m}\n")
    assert proc.returncode == 2 and "migrated.context" in proc.stderr
    proc = _rules_test(tmp_path, match % "false", examples, "    migrated: {context: zoho-oauth, severity: info, message: m}\n")
    assert proc.returncode == 0


def test_a_bare_host_constant_joined_only_to_legacy_paths_is_reported_whatever_its_name(tmp_path):
    """`CREATOR = 'https://creator.zoho.com'` used as `${CREATOR}/api/json/...`: the definition is an API base (its
    name need not say url/base/host); the same constant joined to v2 paths stays clean."""
    legacy = tmp_path / "legacy" / "views.js"
    legacy.parent.mkdir()
    legacy.write_text("const CREATOR = 'https://creator.zoho.com';\nconst u = `${CREATOR}/api/json/${app}/view/${v}`;\n")
    oauth = tmp_path / "oauth" / "views.js"
    oauth.parent.mkdir()
    oauth.write_text("const CREATOR = 'https://creator.zoho.com';\nconst u = `${CREATOR}/api/v2/${o}/${app}/report/${r}`;\n")
    lines = {(Path(f["path"]).parent.name, f["line"]) for f in _scan(tmp_path)}
    assert ("legacy", 1) in lines and ("legacy", 2) in lines
    assert not any(folder == "oauth" for folder, _ in lines)


SELF_HOSTED = """class Desk:
    def __init__(self, key, base):
        self.base = base  # the customer's own server, /api/v3
        self.headers = {"authtoken": key}
"""


def test_a_path_naming_a_self_hosted_product_is_not_zoho_by_its_name(tmp_path: Path):
    # the same file is Zoho by its folder name (`zoho_crm/`), but not when the folder names ServiceDesk Plus
    # (`ZohoSDPlusAPI/`): the context's `path_not` (rules/contexts.yaml) overrides the path keyword
    for folder in ("zoho_crm", "ZohoSDPlusAPI"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "core.py").write_text(SELF_HOSTED)
    findings = _scan(tmp_path)
    assert 4 in _lines([f for f in findings if "zoho_crm" in f["path"]], "core.py")
    assert not [f for f in findings if "ZohoSDPlusAPI" in f["path"]]


def test_a_value_the_file_sends_as_an_authtoken_is_found_at_its_definition_whatever_its_name(tmp_path: Path):
    """`names_from`: the placeholder `$access_token` is the authtoken because the file sends it as one; a name the
    file never sends (`$org_id`) and the same name in a comment are left alone."""
    (tmp_path / "Connector.php").write_text(
        "<?php\nclass Connector {\n"
        '  private $entry = "https://books.zoho.eu/api/v3";\n'
        '  private $access_token = "your_access_token";\n'
        '  private $org_id = "your_organization_id";\n'
        "  // $h = 'Zoho-authtoken ' . $this->org_id;\n"
        "  function get() { $h = array('Authorization: Zoho-authtoken '.$this->access_token); }\n}\n"
    )
    found = {(f["line"], f["rule_id"]) for f in _scan(tmp_path)}
    assert (4, "zoho.auth-param.sent-credential") in found
    assert not {line for line, rule in found if rule == "zoho.auth-param.sent-credential"} - {4}


def test_names_from_needs_a_name_group(tmp_path: Path):
    match = "{keywords: [acme], regex: '(?P<name>\\w+) =', names_from: ['%s']}"
    examples = '{flag: ["k = 1\\nacme(k)"], ok: ["j = 1\\nacme(k)"]}'
    proc = _rules_test(tmp_path, match % "acme\\((\\w+)\\)", examples)
    assert proc.returncode == 2 and "names_from" in proc.stderr and "a.yaml" in proc.stderr
    proc = _rules_test(tmp_path, match % "acme\\((?P<name>\\w+)\\)", examples)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_named_patterns_are_spliced_in_nested_and_an_unknown_broken_or_cyclic_one_is_an_error_naming_its_file(tmp_path: Path):
    match, examples = "{keywords: [acme], regex: '{{acme_call}}\\(\\d\\)'}", '{flag: ["acme(1)"], ok: ["acme(x)"]}'
    patterns = tmp_path / "rules" / "p.yaml"
    patterns.parent.mkdir()
    patterns.write_text("patterns:\n  acme_call: '\\bacme'\n")
    proc = _rules_test(tmp_path, match, examples)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    patterns.write_text("patterns:\n  other: 'x'\n")
    proc = _rules_test(tmp_path, match, examples)
    assert proc.returncode == 2 and "{{acme_call}}" in proc.stderr and "a.yaml" in proc.stderr
    patterns.write_text("patterns:\n  acme_call: '(acme'\n")
    proc = _rules_test(tmp_path, match, examples)
    assert proc.returncode == 2 and "acme_call" in proc.stderr and "p.yaml" in proc.stderr
    patterns.write_text("patterns:\n  acme_word: 'acme'\n  acme_call: '\\b{{acme_word}}'\n")  # one uses another
    proc = _rules_test(tmp_path, match, examples)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    patterns.write_text("patterns:\n  acme_word: '{{acme_call}}'\n  acme_call: '\\b{{acme_word}}'\n")
    proc = _rules_test(tmp_path, match, examples)
    assert proc.returncode == 2 and "refers to itself" in proc.stderr and "p.yaml" in proc.stderr
