"""Where the TODO comments go, from the hand read of every hunk of `rewrite --apply` on the real-code corpus
(docs/VALIDATION.md, "Rewriter on the real-code corpus"); golden project `todo-placement` (our own code) plus
in-memory texts, each checked before and after:

- a TODO for a continuation line goes above its statement's first line (not between a call's arguments, not
  after `import \\`, where a comment line made the whole file fail the parse check so it got no TODO at all);
- never lifted across a brace block, an indented function body (`( ->`) or a blank line;
- the same step on the next line is written once (a reply reading line always keeps its own);
- a JSON document in a file of no known type (`.testrc`) is never given a `#` comment;
- the sdk-usage rule does not fire in the library's own folders (`talkzoho/` importing `talkzoho.settings`).
"""

from __future__ import annotations

import json
import py_compile
import shutil
from pathlib import Path

from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.validate import json_document, parses
from tests.conftest import FIXTURES
from tests.rewrite.test_fixture_projects import run_in_process

PROJECT = FIXTURES / "projects" / "rewrite" / "todo-placement"
TODO = "TODO(zoho-migrate)"


def _applied(tmp_path: Path) -> Path:
    work = tmp_path / "todo-placement"
    shutil.copytree(PROJECT / "before", work)
    assert run_in_process("rewrite", "--apply", ".", cwd=work).returncode == 0
    return work


def _todo_above(lines: list[str], code: str) -> bool:
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(code))
    return TODO in lines[at - 1]


def _rewrite(ruleset, language: str, text: str, path: str) -> str:
    lang = ruleset.languages[language]
    findings = scan_text(ruleset, text, lang, path)
    result = rewrite_text(
        path, text, lang, findings, ruleset, FixData(ruleset), set(), annotate=True,
        references=ReferenceIndex.from_texts({path: text}),
    )
    return result.text


def test_todo_goes_above_the_statement_not_between_its_arguments(tmp_path: Path) -> None:
    before = (PROJECT / "before/talkzoho/transport.py").read_text()
    after = (_applied(tmp_path) / "talkzoho/transport.py").read_text()
    assert TODO not in before
    lines = after.splitlines()
    assert _todo_above(lines, "reply = requests.get(")
    call = lines[lines.index("    reply = requests.get(") : lines.index("    )")]
    assert not any(TODO in line for line in call)  # nothing between the call's arguments
    assert _todo_above(lines, "return [row for row in")  # the reply read on the next line
    assert not any(TODO in line and line.startswith(" " * 12) for line in lines)


def test_a_name_on_an_import_line_is_not_a_todo_and_the_continued_import_still_compiles(tmp_path: Path) -> None:
    work = _applied(tmp_path)
    lines = (work / "talkzoho/transport.py").read_text().splitlines()
    head = lines.index("from talkzoho.settings import \\")
    assert TODO not in lines[head - 1] and TODO not in lines[head + 1]  # its use below is marked, not the import
    py_compile.compile(str(work / "talkzoho/transport.py"), doraise=True)
    steps = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=PROJECT / "before").stdout)
    assert any(s["path"] == "talkzoho/transport.py" and s["line"] == 4 for s in steps["manual_steps"])  # still listed


def test_a_todo_for_a_backslash_continued_line_goes_above_the_statement(ruleset) -> None:
    text = (
        "import requests\n\n"
        'CRM = "https://crm.zoho.com/crm/private/json/Leads/getRecords"\n\n\n'
        "def count(token):\n"
        '    reply = requests.get(CRM, params={"authtoken": token, "scope": "crmapi"}).json()\n'
        "    total = 0 + \\\n"
        '        len(reply["response"]["result"]["Leads"]["row"])\n'
        "    return total\n"
    )
    after = _rewrite(ruleset, "python", text, "count.py")
    lines = after.splitlines()
    assert TODO in lines[lines.index("    total = 0 + \\") - 1]  # a comment after the backslash would not parse:
    compile(after, "count.py", "exec")  # before, that dropped every TODO of the file


def test_the_same_step_on_the_next_line_is_written_once(tmp_path: Path) -> None:
    before = (PROJECT / "before/app/client.js").read_text().splitlines()
    work = _applied(tmp_path)
    after = (work / "app/client.js").read_text().splitlines()
    guard = after.index("  if (!opts.authtoken) {")
    assert TODO in after[guard - 1] and TODO not in after[guard + 1]  # not above the error message too
    assert len(after) - len(before) == 3  # the guard, the stored token, the request left as it was
    steps = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=PROJECT / "before").stdout)
    lines = {s["line"] for s in steps["manual_steps"] if s["path"] == "app/client.js"}
    assert {2, 3, 5} <= lines  # every line is still a manual step; only the comment is not repeated


def test_json_held_by_a_file_of_no_known_type_gets_no_comment(tmp_path: Path, ruleset) -> None:
    before = (PROJECT / "before/.testrc").read_text()
    work = _applied(tmp_path)
    assert (work / ".testrc").read_text() == before
    assert json_document(before) is True
    commented = before.replace('    "authtoken"', '    # TODO(zoho-migrate): x\n    "authtoken"')
    assert parses(ruleset.languages["other"], commented) is False  # was None: the check could not tell
    assert json_document("[section]\nkey = 1\n") is False  # an INI file: False before and after, never refused
    steps = json.loads(run_in_process("rewrite", "--format", "json", ".", cwd=PROJECT / "before").stdout)
    assert any(s["path"] == ".testrc" for s in steps["manual_steps"])  # still a manual step


def test_sdk_usage_is_not_reported_inside_the_librarys_own_folders(tmp_path: Path) -> None:
    scan = run_in_process("scan", "--format", "json", ".", cwd=PROJECT / "before")
    sdk = {f["path"] for f in json.loads(scan.stdout)["findings"] if f["rule_id"] == "zoho.sdk-usage.python"}
    assert sdk == {"app/report.py"}  # the user of the library, not `talkzoho/transport.py` importing its sibling


def test_no_lift_across_a_block_an_indented_body_or_a_blank_line(ruleset) -> None:
    js = (
        'describe("crm", function () {\n'
        '  it("stores the token", function () {\n'
        '    const api = new Crm({ host: "crm.zoho.com" });\n'
        '    assert.equal(api.authtoken, process.env.TOKEN);\n'
        "  });\n"
        "});\n"
    )
    after = _rewrite(ruleset, "javascript", js, "crm.spec.js").splitlines()
    assert TODO in after[after.index("    assert.equal(api.authtoken, process.env.TOKEN);") - 1]
    coffee = (
        'describe "zoho", ->\n'
        '  it "fakes the token request", ->\n'
        '    spyOn(help, "request").andCallFake( ->\n'
        "      cb = arguments[arguments.length - 1]\n"
        '      setImmediate(cb, null, {host: "accounts.zoho.com", authtoken: "AUTHTOKEN:1"})\n'
        "    )\n"
    )
    after = _rewrite(ruleset, "coffeescript", coffee, "token-spec.coffee").splitlines()
    assert TODO in after[after.index('      setImmediate(cb, null, {host: "accounts.zoho.com", authtoken: "AUTHTOKEN:1"})') - 1]
    assert TODO not in after[after.index('    spyOn(help, "request").andCallFake( ->') - 1]


def test_a_token_generation_call_left_alone_says_so_not_that_it_keeps_working(ruleset) -> None:
    text = (
        "import requests\n\n\n"
        "def new_token(email, password):\n"
        "    reply = requests.post(\n"
        '        "https://accounts.zoho.com/apiauthtoken/nb/create?SCOPE=ZohoCRM/crmapi&EMAIL_ID=" + email'
        ' + "&PASSWORD=" + password\n'
        "    )\n"
        '    return reply.text.split("AUTHTOKEN=")[1].strip()\n'
    )
    after = _rewrite(ruleset, "python", text, "gen.py")
    lines = after.splitlines()
    above = lines[: lines.index("    reply = requests.post(")]
    assert any("Replace authtoken generation with the OAuth flow" in line for line in above)
    assert "keeps working" not in after  # authtoken generation was switched off: nothing keeps working
    assert TODO not in lines[lines.index("    reply = requests.post(") + 1]
    assert [line for line in lines if TODO not in line] == text.splitlines()  # the request: every byte as it was


def test_a_request_whose_url_is_built_in_the_function_but_sent_by_an_unknown_call_says_so(ruleset) -> None:
    text = (
        "from requests import get\n\n\n"
        "def projects(portal, token):\n"
        '    url = "https://projectsapi.zoho.com/restapi/portal/{}/projects/".format(portal)\n'
        '    params = {"authtoken": token, "index": 1}\n'
        "    return get(url, params=params).json()\n"
    )
    after = _rewrite(ruleset, "python", text, "projects.py")
    notes = [line for line in after.splitlines() if TODO in line]
    assert len(notes) == 1 and "no recognised HTTP call sends this request" in notes[0]
    assert "not built here" not in after  # it is built two lines above; the call is what the rewriter missed
    assert [line for line in after.splitlines() if TODO not in line] == text.splitlines()


def test_a_run_of_lines_with_the_same_step_gets_one_todo(ruleset) -> None:
    text = (
        "from xml.etree import ElementTree\n\n"
        'BASE = "https://crm.zoho.com/crm/private/xml/"\n\n\n'
        "def error_of(content):\n"
        '    if ElementTree.fromstring(content)[0].tag == "error":\n'
        '        code = ElementTree.fromstring(content)[0].find("code").text\n'
        '        message = ElementTree.fromstring(content)[0].find("message").text\n'
        "        return code, message\n"
        "    return None\n"
    )
    after = _rewrite(ruleset, "python", text, "errors.py").splitlines()
    parsing = [line for line in after if TODO in line and "XML parsing" in line]
    assert len(parsing) == 1  # was one above each of the three lines
    assert TODO in after[after.index('    if ElementTree.fromstring(content)[0].tag == "error":') - 1]


def test_a_scope_on_a_token_generation_line_is_covered_by_the_generation_todo(ruleset) -> None:
    text = (
        "class Zoho\n"
        "  tokenOptions: ->\n"
        '    host: "accounts.zoho.com"\n'
        "    port: 443\n"
        '    path: "/apiauthtoken/nb/create?SCOPE=ZohoCRM/crmapi"\n\n'
        "module.exports = Zoho\n"
    )
    lang = ruleset.languages["coffeescript"]
    findings = scan_text(ruleset, text, lang, "zoho.coffee")
    assert {"zoho.auth-generation.apiauthtoken", "zoho.auth-param.legacy-scope"} <= {f.rule_id for f in findings}
    notes = [line for line in _rewrite(ruleset, "coffeescript", text, "zoho.coffee").splitlines() if TODO in line]
    assert len(notes) == 1 and "Replace authtoken generation" in notes[0]  # was also "Legacy authtoken scope ..."


def test_a_token_named_only_in_a_message_gets_no_todo_but_stays_a_manual_step(ruleset) -> None:
    text = (
        "package zoho\n\n"
        'import "fmt"\n\n'
        'const tokenURL = "https://accounts.zoho.com/apiauthtoken/nb/create"\n\n'
        "func (z *Zoho) SetAuthToken(token string) error {\n"
        '\tif token == "" {\n'
        '\t\treturn fmt.Errorf("Error: Must provide authtoken, provided: %s", token)\n'
        "\t}\n"
        "\tz.authtoken = token\n"
        "\treturn nil\n"
        "}\n"
    )
    lang = ruleset.languages["go"]
    findings = scan_text(ruleset, text, lang, "auth.go")
    message = text.splitlines().index('\t\treturn fmt.Errorf("Error: Must provide authtoken, provided: %s", token)') + 1
    assert any(f.line == message for f in findings)  # the scanner reports the line (a `may` line)
    result = rewrite_text(
        "auth.go", text, lang, findings, ruleset, FixData(ruleset), set(), annotate=True,
        references=ReferenceIndex.from_texts({"auth.go": text}),
    )
    after = result.text.splitlines()
    assert TODO not in after[after.index('\t\treturn fmt.Errorf("Error: Must provide authtoken, provided: %s", token)') - 1]
    assert TODO in after[after.index("\tz.authtoken = token") - 1]  # where the token is kept: still marked
    assert any(step.line == message for step in result.manual)  # and the message line is still a manual step


def test_a_reply_of_creator_or_support_gets_that_products_step_not_the_crm_books_one(ruleset) -> None:
    text = (
        "function Report(app) {\n"
        "  this.base = 'https://creator.zoho.com/api/json/';\n"
        "}\n\n"
        "Report.prototype.rows = function (response) {\n"
        "  var body = response.formname[1].operation[1];\n"
        "  return body;\n"
        "};\n"
    )
    notes = [line for line in _rewrite(ruleset, "javascript", text, "report.js").splitlines() if TODO in line]
    reply = [line for line in notes if "reply" in line]
    assert reply and all("Creator API v2" in line for line in reply)
    assert not any("CRM v2 `data[i]" in line for line in notes)  # was the CRM v2 / Books v3 text
