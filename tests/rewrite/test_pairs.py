"""(before, after) pairs, one per behaviour, plus snippets the rewriter must leave exactly as they are."""

from __future__ import annotations

import pytest

from migrate.rewrite.engine import rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData

PAIRS = [
    (  # query parameters removed around a spliced token; v3 host on the same data center
        "python",
        'r = requests.get("https://invoice.zoho.eu/api/v3/items?authtoken=" + T + "&organization_id=1")\n',
        'r = requests.get("https://www.zohoapis.eu/invoice/v3/items?organization_id=1", headers={"Authorization": zoho_auth.authorization()})\n',
    ),
    (  # the last parameter takes the closing quote back
        "python",
        'r = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?scope=crmapi&authtoken=" + T)\n',
        'r = requests.get("https://www.zohoapis.com/crm/v2/Leads", headers={"Authorization": zoho_auth.authorization()})\n',
    ),
    (  # dict entries with their commas; header added as a keyword argument with the org header
        "python",
        'r = requests.get("https://invoice.zoho.com/api/items/", params={"authtoken": T, "scope": "invoiceapi", "page": 2})\n',
        'r = requests.get("https://www.zohoapis.com/invoice/v3/items", params={"page": 2}, headers={"Authorization": '
        'zoho_auth.authorization(), "X-com-zoho-invoice-organizationid": zoho_auth.organization_id()})\n',
    ),
    (  # f-string interpolation
        "python",
        'r = requests.get(f"https://books.zoho.com/api/v3/contacts?authtoken={TOKEN}")\n',
        'r = requests.get(f"https://www.zohoapis.com/books/v3/contacts", headers={"Authorization": zoho_auth.authorization(), '
        '"X-com-zoho-books-organizationid": zoho_auth.organization_id()})\n',
    ),
    (  # Zoho-authtoken header: helper's authorization value
        "python",
        'h = {"Authorization": "Zoho-authtoken " + token}  # zoho desk\n',
        'h = {"Authorization": zoho_auth.authorization()}  # zoho desk\n',
    ),
    (  # JS template literal, fetch options object gains headers (inside an async function)
        "javascript",
        "async function f() {\n  return fetch(`https://invoice.zoho.com/api/v3/items?authtoken=${t}`, { method: \"GET\" });\n}\n",
        "async function f() {\n  return fetch(`https://www.zohoapis.com/invoice/v3/items`, { headers: { \"Authorization\": "
        "await zohoAuth.authorization(), \"X-com-zoho-invoice-organizationid\": zohoAuth.organizationId() }, method: \"GET\" });\n}\n",
    ),
    (  # curl: -d credential flag removed, header flag added
        "shell",
        'curl -s -d "authtoken=$ZOHO_AUTHTOKEN" "https://crm.zoho.com/crm/private/json/Leads/getRecords"\n',
        'curl -H "Authorization: $(zoho_authorization)" -s "https://www.zohoapis.com/crm/v2/Leads"\n',
    ),
    (  # Deluge: map.put statement dropped, getUrl -> invokeurl with a connection
        "deluge",
        'm = Map();\nm.put("authtoken", tok);\nr = getUrl("https://books.zoho.com/api/v3/items?organization_id=" + org);\n',
        'm = Map();\nr = invokeurl\n[\n\turl: "https://www.zohoapis.com/books/v3/items?organization_id=" + org\n'
        '\ttype: GET\n\tconnection: "zohobooks"\n];\n',
    ),
    (  # Deluge task gets the connection argument
        "deluge",
        'authtoken = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";\nr = zoho.invoice.create("Invoices", org, data);\n',
        'r = zoho.invoice.create("Invoices", org, data, "zohoinvoice");\n',
    ),
    (  # env config: OAuth keys with the same prefix and case
        "env",
        "ZOHO_CRM_AUTHTOKEN=abc\nOTHER=1\n",
        "ZOHO_CRM_CLIENT_ID=\nZOHO_CRM_CLIENT_SECRET=\nZOHO_CRM_REFRESH_TOKEN=\nOTHER=1\n",
    ),
    (  # a CI placeholder is renamed with its key; a key the block already has is not added twice
        "yaml",
        "env:\n  ZOHO_AUTHTOKEN: ${{ secrets.ZOHO_AUTHTOKEN }}\n  ZOHO_REFRESH_TOKEN: ${{ secrets.R }}\n",
        "env:\n  ZOHO_CLIENT_ID: ${{ secrets.ZOHO_CLIENT_ID }}\n  ZOHO_CLIENT_SECRET: ${{ secrets.ZOHO_CLIENT_SECRET }}\n"
        "  ZOHO_REFRESH_TOKEN: ${{ secrets.R }}\n",
    ),
    (  # INI: legacy scope line removed, the ticket key becomes OAuth keys in the same section
        "ini",
        "[creator]\nurl = https://creator.zoho.com/api/json/app/view/v\nscope = creatorapi\nticket = ${T}\n",
        "[creator]\nurl = https://creator.zoho.com/api/json/app/view/v\nclient_id =\nclient_secret =\nrefresh_token =\n",
    ),
]

NO_CHANGE = [
    ("python", 'r = requests.get("https://www.zohoapis.com/invoice/v3/items", headers={"Authorization": auth})\n'),
    ("python", "client = Client(sid, auth_token)  # twilio\n"),
    ("python", "# zoho: the authtoken was dropped in 2021\nx = 1\n"),
    ("javascript", 'const u = "https://desk.zoho.com/api/v1/tickets";\n'),
    ("shell", "ngrok config add-authtoken $NGROK_AUTHTOKEN\n"),
    ("python", 'u = "https://invoice.zoho.com/api/items/" + "?authtoken=" + T  # zoho-migrate: ignore\n'),
]


def _rewrite(ruleset, language: str, before: str) -> str:
    lang = ruleset.languages[language]
    findings = scan_text(ruleset, before, lang, "sample")
    return rewrite_text("sample", before, lang, findings, ruleset, FixData(ruleset), set()).text


def _strip_import(text: str) -> str:
    for line in (
        "import zoho_auth\n\n",  # a file without imports: the helper's import, then a blank line (isort)
        "import zoho_auth\n",
        'const zohoAuth = require("./zoho_auth");\n',
        'import * as zohoAuth from "./zoho_auth";\n',
        '. "$(dirname "$0")/zoho_auth.sh"\n',
    ):
        text = text.replace(line, "")
    return text


@pytest.mark.parametrize(("language", "before", "after"), PAIRS)
def test_pair(ruleset, language: str, before: str, after: str) -> None:
    assert _strip_import(_rewrite(ruleset, language, before)) == after


@pytest.mark.parametrize(("language", "before"), NO_CHANGE)
def test_no_change(ruleset, language: str, before: str) -> None:
    assert _rewrite(ruleset, language, before) == before


@pytest.mark.parametrize(("language", "before", "after"), PAIRS)
def test_pair_is_idempotent(ruleset, language: str, before: str, after: str) -> None:
    once = _rewrite(ruleset, language, before)
    assert _rewrite(ruleset, language, once) == once


def test_crm_select_columns_become_v2_fields(ruleset) -> None:
    before = 'r = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t + "&selectColumns=Leads(First Name,Last Name)")\n'
    after = (
        'r = requests.get("https://www.zohoapis.com/crm/v2/Leads?fields=First_Name,Last_Name", '
        'headers={"Authorization": zoho_auth.authorization()})\n'
    )
    assert _strip_import(_rewrite(ruleset, "python", before)) == after


def test_crm_unknown_labels_stay_with_a_manual_step(ruleset) -> None:
    from migrate.rewrite.engine import rewrite_text, scan_text
    from migrate.rewrite.fixdata import FixData

    before = 'u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?selectColumns=Leads(Shoe Size)&fromIndex=1"\n'
    lang = ruleset.languages["python"]
    result = rewrite_text("s.py", before, lang, scan_text(ruleset, before, lang, "s.py"), ruleset, FixData(ruleset))
    assert "selectColumns=Leads(Shoe Size)" in result.text
    texts = " ".join(s.text for s in result.manual)
    assert "fromIndex" in texts and "page" in texts


MORE_PAIRS = [
    (  # the keyword argument left empty is dropped; a kwarg line is never taken for a variable definition
        "python",
        'r = requests.get(\n    "https://books.zoho.com/api/v3/items",\n    params={\n        "authtoken": T,\n    },\n    timeout=5,\n)\n',
        'r = requests.get(\n    "https://www.zohoapis.com/books/v3/items",\n    timeout=5,\n    headers={"Authorization": zoho_auth.authorization(), "X-com-zoho-books-organizationid": '
        "zoho_auth.organization_id()},\n)\n",
    ),
    (  # a literal `Zoho-authtoken <token>` string becomes the helper's value (no splice into a plain string)
        "javascript",
        "async function f() {\n  return axios.get(u, { headers: { Authorization: 'Zoho-authtoken 0f1e2d3c4b5a69788796a5b4c3d2e1f0' } });\n}  // zoho\n",
        "async function f() {\n  return axios.get(u, { headers: { Authorization: await zohoAuth.authorization() } });\n}  // zoho\n",
    ),
    (  # an empty string left after the query is dropped from the concatenation
        "javascript",
        "var U = 'https://invoice.zoho.com/api/estimates/';\nasync function f(t) {\n  return fetch(U + '?authtoken=' + t);\n}\n",
        "var U = 'https://www.zohoapis.com/invoice/v3/estimates';\nasync function f(t) {\n  return fetch(U, { headers: "
        '{ "Authorization": await zohoAuth.authorization(), "X-com-zoho-invoice-organizationid": zohoAuth.organizationId() } });\n}\n',  # v3 paths have no trailing slash
    ),
    (  # a TS parameter's type annotation is not an entry; the shorthand property is
        "typescript",
        "export async function items(authtoken: string, org: string) {\n"
        "  const q = new URLSearchParams({ authtoken, organization_id: org });\n"
        "  return fetch(`https://inventory.zoho.eu/api/v1/items?${q}`);\n}\n",
        "export async function items(authtoken: string, org: string) {\n"
        "  const q = new URLSearchParams({ organization_id: org });\n"
        '  return fetch(`https://www.zohoapis.eu/inventory/v1/items?${q}`, { headers: { "Authorization": await zohoAuth.authorization() } });\n}\n',
    ),
    (  # curl data flags removed; a continuation line left empty goes
        "shell",
        'curl -s "https://invoice.zoho.com/api/items/" \\\n  -d "authtoken=$T" -d "scope=invoiceapi" \\\n  | jq .\n',
        'curl -H "Authorization: $(zoho_authorization)" -H "X-com-zoho-invoice-organizationid: $(zoho_organization_id)" '
        '-s "https://www.zohoapis.com/invoice/v3/items" \\\n  | jq .\n',
    ),
    (  # Deluge: a Zoho-authtoken header goes (the connection sends the token); the block gains the connection
        "deluge",
        'h = Map();\nh.put("Authorization", "Zoho-authtoken " + token);\nr = invokeurl\n[\n\turl: "https://desk.zoho.com/api/v1/tickets"\n'
        "\ttype: GET\n\theaders: h\n];\n",
        'h = Map();\nr = invokeurl\n[\n\turl: "https://desk.zoho.com/api/v1/tickets"\n\ttype: GET\n\theaders: h\n'
        '\tconnection: "zohodesk"\n];\n',
    ),
    (  # a shell header splices the helper into the double-quoted string
        "shell",
        'curl -H "Authorization: Zoho-authtoken $T" https://mail.zoho.com/api/accounts\n',
        'curl -H "Authorization: $(zoho_authorization)" https://mail.zoho.com/api/accounts\n',
    ),
]


@pytest.mark.parametrize(("language", "before", "after"), MORE_PAIRS)
def test_more_pairs(ruleset, language: str, before: str, after: str) -> None:
    assert _strip_import(_rewrite(ruleset, language, before)) == after


def test_esm_files_import_the_helper(ruleset) -> None:
    before = "export async function f() {\n  return fetch(`https://books.zoho.com/api/v3/items?authtoken=${t}`);\n}\n"
    assert 'import zohoAuth from "./zoho_auth.js";\n' in _rewrite(ruleset, "javascript", before)


def test_value_outside_the_literal_is_left_alone(ruleset) -> None:
    """`.append("?authtoken=").append(t)`: removing the literal alone would send the token in the path."""
    before = (
        'class C {\n  String u() {\n    StringBuilder url = new StringBuilder("https://invoice.zoho.com/api/invoices/");\n'
        '    url.append("?authtoken=").append(TOKEN);\n    return url.toString();\n  }\n}\n'
    )
    after = _rewrite(ruleset, "java", before)
    assert 'url.append("?authtoken=").append(TOKEN);' in after


CLIENT_PAIRS = [
    (  # PHP Guzzle: the options array gains 'headers'
        "php",
        "<?php\n$r = $client->get('https://books.zoho.com/api/v3/items', ['query' => ['authtoken' => $t, 'organization_id' => $org]]);\n",
        "<?php\n$r = $client->get('https://www.zohoapis.com/books/v3/items', ['headers' => ['Authorization' => zoho_authorization()], "
        "'query' => ['organization_id' => $org]]);\n",
    ),
    (  # PHP file_get_contents gains a stream context carrying the headers
        "php",
        '<?php\n$r = file_get_contents("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" . $t);\n',
        '<?php\n$r = file_get_contents("https://www.zohoapis.com/crm/v2/Leads", false, stream_context_create([\'http\' => '
        "['header' => 'Authorization: ' . zoho_authorization() . \"\\r\\n\"]]));\n",
    ),
    (  # PHP SimpleXML reply: json_decode with the field map (records list and fields)
        "php",
        '<?php\nfunction names($t) {\n    $r = file_get_contents("https://invoice.zoho.com/api/items/?authtoken=" . $t . "&scope=invoiceapi");\n'
        "    $xml = simplexml_load_string($r);\n    $out = [];\n    foreach ($xml->Items->Item as $i) {\n        $out[] = (string) $i->Name;\n    }\n"
        "    return $out;\n}\n",
        '<?php\nfunction names($t) {\n    $r = file_get_contents("https://www.zohoapis.com/invoice/v3/items", false, stream_context_create([\'http\' => '
        "['header' => 'Authorization: ' . zoho_authorization() . \"\\r\\n\" . 'X-com-zoho-invoice-organizationid: ' . zoho_organization_id() "
        '. \"\\r\\n\"]]));\n'
        "    $xml = json_decode($r, true);\n    $out = [];\n    foreach ($xml['items'] as $i) {\n        $out[] = (string) $i['name'];\n    }\n"
        "    return $out;\n}\n",
    ),
    (  # Ruby Net::HTTP.get(uri) takes the headers as a second argument
        "ruby",
        'uri = URI("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=#{t}")\nbody = Net::HTTP.get(uri)\n',
        'uri = URI("https://www.zohoapis.com/crm/v2/Leads")\nbody = Net::HTTP.get(uri, { "Authorization" => ZohoAuth.authorization })\n',
    ),
    (  # Ruby HTTParty: headers keyword argument
        "ruby",
        'r = HTTParty.get("https://crm.zoho.com/crm/private/json/Leads/getRecords", query: { authtoken: t, scope: "crmapi" })\n',
        'r = HTTParty.get("https://www.zohoapis.com/crm/v2/Leads", headers: { "Authorization" => ZohoAuth.authorization })\n',
    ),
    (  # Java OkHttp: the builder gets .header(...)
        "java",
        'class C {\n  Request r(String t) {\n    return new Request.Builder().url("https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t).build();\n  }\n}\n',
        'class C {\n  Request r(String t) {\n    return new Request.Builder().header("Authorization", ZohoAuth.authorization())'
        '.url("https://www.zohoapis.com/crm/v2/Leads").build();\n  }\n}\n',
    ),
    (  # C# RestSharp: request.AddHeader(...) after the request is created
        "csharp",
        'class C {\n  void M(string t) {\n    var request = new RestRequest("https://books.zoho.com/api/v3/items?authtoken=" + t + "&organization_id=1");\n'
        "    client.Execute(request);\n  }\n}\n",
        'class C {\n  void M(string t) {\n    var request = new RestRequest("https://www.zohoapis.com/books/v3/items?organization_id=1");\n'
        '    request.AddHeader("Authorization", ZohoAuth.Authorization());\n    client.Execute(request);\n  }\n}\n',
    ),
]


@pytest.mark.parametrize(("language", "before", "after"), CLIENT_PAIRS)
def test_client_idioms(ruleset, language: str, before: str, after: str) -> None:
    text = _rewrite(ruleset, language, before)
    for line in ("require_once __DIR__ . '/zoho_auth.php';\n", 'require_relative "zoho_auth"\n'):
        text = text.replace(line, "")
    assert text == after
    once = _rewrite(ruleset, language, before)
    assert _rewrite(ruleset, language, once) == once


def test_deluge_v3_url_without_organization_is_a_manual_step(ruleset) -> None:
    from migrate.rewrite.engine import rewrite_text, scan_text
    from migrate.rewrite.fixdata import FixData

    before = 'r = getUrl("https://invoice.zoho.com/api/items/?authtoken=" + t + "&scope=invoiceapi");\n'
    lang = ruleset.languages["deluge"]
    result = rewrite_text("s.dg", before, lang, scan_text(ruleset, before, lang, "s.dg"), ruleset, FixData(ruleset))
    assert result.text.endswith(before) and "TODO(zoho-migrate)" not in result.text  # untouched: no v3 call without it
    assert any("organization_id" in step.text and "not migrated" in step.text for step in result.manual)


MERGE_PAIRS = [
    (
        "python",
        'r = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords", params={"authtoken": t}, headers={"Accept": "json"})\n',
        'r = requests.get("https://www.zohoapis.com/crm/v2/Leads", headers={"Authorization": zoho_auth.authorization(), "Accept": "json"})\n',
    ),
    (
        "javascript",
        "async function f() {\n  return fetch(`https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=${t}`, { headers: { Accept: 'json' } });\n}\n",
        "async function f() {\n  return fetch(`https://www.zohoapis.com/crm/v2/Leads`, { headers: { \"Authorization\": await zohoAuth.authorization(), "
        "Accept: 'json' } });\n}\n",
    ),
]


@pytest.mark.parametrize(("language", "before", "after"), MERGE_PAIRS)
def test_headers_merge_into_an_existing_literal(ruleset, language: str, before: str, after: str) -> None:
    once = _rewrite(ruleset, language, before)
    assert _strip_import(once) == after
    assert _rewrite(ruleset, language, once) == once


def test_headers_passed_as_a_variable_are_a_manual_step(ruleset) -> None:
    from migrate.rewrite.engine import rewrite_text, scan_text
    from migrate.rewrite.fixdata import FixData

    before = 'r = requests.get("https://crm.zoho.com/crm/private/json/Leads/getRecords", params={"authtoken": t}, headers=H)\n'
    lang = ruleset.languages["python"]
    result = rewrite_text("s.py", before, lang, scan_text(ruleset, before, lang, "s.py"), ruleset, FixData(ruleset))
    assert "headers=H)" in result.text and "zoho_auth" not in result.text
    assert any("already passes headers" in step.text for step in result.manual)


def test_multiline_object_entry_outside_parentheses(ruleset) -> None:
    before = (
        "async function f(t) {\n  const opts = {\n    authtoken: t,\n    organization_id: 1,\n  };\n"
        "  return fetch(`https://books.zoho.com/api/v3/items?${new URLSearchParams(opts)}`);\n}\n"
    )
    after = _rewrite(ruleset, "javascript", before)
    assert "authtoken" not in after and "organization_id: 1," in after
