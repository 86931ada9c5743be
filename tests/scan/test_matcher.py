"""The matcher's general mechanisms, one behaviour per test (in-process, fast)."""

from __future__ import annotations

import pytest

from tests.scan.helpers import lines, match


def endpoint(findings, line):
    return next(f for f in findings if f.line == line and f.category == "legacy-endpoint")


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", 'u = "https://crm.zoho.{}/crm/private/json/Leads/getRecords".format(dc)'),
        ("python", 'u = f"https://crm.zoho.{self.dc}/crm/private/json/Leads/getRecords"'),
        ("python", 'u = "https://crm.zoho.%s/crm/private/json/Leads/getRecords" % dc'),
        ("javascript", "const u = `https://crm.zoho.${dc}/crm/private/json/Leads/getRecords`;"),
        ("coffeescript", 'u = "https://crm.zoho.#{@dc}/crm/private/json/Leads/getRecords"'),
        ("php", '<?php $u = "https://crm.zoho." . $dc . "/crm/private/json/Leads/getRecords";'),
        ("javascript", 'const u = "https://crm.zoho." + dc + "/crm/private/json/Leads/getRecords";'),
    ],
)
def test_templated_data_center_suffix(language, code):
    found = endpoint(match(code, language), 1)
    assert found.product == "crm" and found.scopes == ["ZohoCRM.modules.leads.READ"]


def test_templated_host_alone_is_not_enough():
    # the OAuth hosts and a host with no legacy path stay clean
    assert not lines('u = f"https://www.zohoapis.{dc}/crm/v2/Leads"\nh = f"crm.zoho.{dc}"', "python")
    assert not lines('t = f"https://accounts.zoho.{dc}/oauth/v2/token"', "python")


def test_host_and_path_in_separate_literals():
    code = "this.host = opts.host || 'crm.zoho.com';\nvar p = '/crm/private/json/' + module + '/getRecords';\n"
    findings = match(code, "javascript")
    assert {f.line for f in findings if f.category == "legacy-endpoint"} == {1, 2}
    assert endpoint(findings, 2).product == "crm"


def test_unrelated_path_next_to_a_zoho_host_is_not_flagged():
    code = "host = 'crm.zoho.com'\nhealth = '/status/health'\nv2 = '/crm/v2/Leads'\n"
    assert not lines(code, "python")


def test_bare_host_constant_joined_at_the_call_site():
    code = 'const crmHost = "https://crm.zoho.eu"\nresp, _ := http.Get(crmHost + "/crm/private/xml/Leads/getRecords?" + q)\n'
    findings = match(code, "go")
    assert endpoint(findings, 2).product == "crm"
    assert {f.line for f in findings if f.category == "legacy-endpoint"} == {1, 2}


def test_base_constant_with_tail():
    code = 'BASE = "https://invoice.zoho.com/api/"\nr = get(BASE + "invoices/")\ns = get(BASE + "items/create")\n'
    findings = match(code, "python")
    assert endpoint(findings, 2).scopes == ["ZohoInvoice.invoices.READ"]
    assert endpoint(findings, 3).scopes == ["ZohoInvoice.settings.CREATE"]


def test_no_broken_scope_when_the_module_is_filled_in_at_run_time():
    findings = match('u = "https://invoice.zoho.com/api/v3/" + module', "python")
    assert all(".." not in scope for f in findings for scope in f.scopes)


def test_position_is_the_word_not_the_delimiter_before_it():
    findings = match("[zoho]\nauthtoken = ${CRM_AUTHTOKEN}\n", "ini")
    assert {f.line for f in findings} == {2}
    assert all(f.column == 1 for f in findings)


def test_file_path_puts_a_file_in_the_zoho_context():
    assert lines("authtoken = ${TOKEN}\n", "ini", ".zoho/credentials") == {1}
    assert not lines("authtoken = ${TOKEN}\n", "ini", "tunnels/agent.ini")
    # only the file name and its folder count, not where the checkout lives
    assert not lines("authtoken = ${TOKEN}\n", "ini", "/home/me/zoho-tools/tunnels/agent.ini")


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", 'client = Client(sid, auth_token)  # texts the rep about new Zoho leads'),
        ("python", 'TWILIO_AUTH_TOKEN = "9c1f4e7a2b5d8c0e3f6a9b1c4d7e0f23"  # zoho lead alerts'),
        ("javascript", "await ngrok.authtoken(process.env.NGROK_AUTHTOKEN); // zoho webhook tunnel"),
        ("yaml", 'version: "2"\nauthtoken: 2abcDEF\ntunnels:\n  zoho-hook:\n    addr: 8080\n'),
        ("javascript", "const stripe = require('stripe')(process.env.STRIPE_API_KEY); // into Zoho Invoice"),
        ("javascript", "const key = process.env.GOOGLE_MAPS_API_KEY; // for Zoho Invoice addresses"),
        ("python", 'headers = {"Authorization": f"Zoho-oauthtoken {t}"}\nr = get("https://www.zohoapis.com/books/v3/items")'),
        ("python", 'payload = {"ticket": ticket["id"], "status": "Closed"}\nget(f"https://desk.zoho.com/api/v1/tickets/{i}")'),
        ("python", 'root = ET.fromstring(requests.get("https://status.example.com/feed.rss").content)  # to Zoho Cliq'),
        ("java", "Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(soapUrl); // /xml/ zoho"),
        ("python", 'EMAIL_HOST_PASSWORD = os.environ["ZOHO_MAIL_PASSWORD"]  # smtp.zoho.com'),
        ("python", 'r = post(ACC + "/oauth/v2/token/self/authtooauth", data={"authtoken": old})  # zoho'),
        ("python", "projects = 'https://projectsapi.zoho.{dc}/restapi/portal/'"),
        ("javascript", "xmlString = builder.buildObject(obj); // zoho"),
        # Creator's OAuth API kept the host: /api/v2/ is the new API, not the generic legacy /api/{format}/
        ("python", 'u = f"https://creator.zoho.com/api/v2/{owner}/{app}/form/{form}"'),
        ("javascript", 'this.host = "creator.zoho.eu";\nvar p = "/api/v2/" + owner + "/" + app + "/report/" + r;'),
    ],
)
def test_precision_negatives(language, code):
    assert not lines(code, language), code


def test_ticket_era_apikey_is_flagged_without_invoice():
    code = 'p = {"ticket": self.ticket}\np["apikey"] = self.apikey  # zoho crm, FROM_AGENT login\n'
    assert lines(code, "python") == {1, 2}


@pytest.mark.parametrize(
    ("language", "code", "expected"),
    [
        ("ini", "[zoho]\nauthtoken = ${T}\n[google]\napi_key = ${MAPS_KEY}\n", {2}),
        ("yaml", "zoho:\n  authtoken: ${T}\n  apikey: ${K}\nnotify:\n  twilio:\n    authToken: ${X}\n    apiKey: ${Y}\n", {2, 3}),
        ("json", '{"zoho": {"authtoken": "${T}"},\n "stripe": {\n   "api_key": "${S}"\n }\n}\n', {1}),
    ],
)
def test_config_section_or_parent_key_excludes_other_vendors(language, code, expected):
    assert lines(code, language) == expected


def test_apikey_next_to_a_zoho_authtoken_is_the_zoho_apikey():
    assert lines('{"zoho": {"authtoken": "${T}", "apikey": "${K}"}}', "json") == {1}
    assert lines('params = {"apikey": k}  # zoho\nq = {"authtoken": t}', "python") == {1, 2}
    # but not when the only "authtoken" is somebody else's camelCase
    assert not lines("const client = twilio(sid, authToken); // zoho crm leads\nconst apiKey = cfg.maps;", "javascript")
