"""Zoho Accounts: OAuth authorize/token/refresh/revoke, authtooauth, legacy authtoken creation, token limits."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = re.compile(r"^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$")


def authorize(http, emulator, *, scope="ZohoInvoice.fullaccess.all", access_type="offline", host=None,
              redirect_uri=None, state="xyz"):
    c = emulator.credentials
    params = {"scope": scope, "client_id": c.client_id, "response_type": "code", "access_type": access_type,
              "redirect_uri": redirect_uri or c.redirect_uri, "prompt": "consent", "state": state}
    headers = {"X-Zoho-Host": host} if host else {}
    r = http.get("/oauth/v2/auth", params=params, headers=headers)
    assert r.status_code == 302, r.text
    return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}


def exchange(http, emulator, code, *, host=None, redirect_uri=None):
    c = emulator.credentials
    headers = {"X-Zoho-Host": host} if host else {}
    return http.post("/oauth/v2/token", headers=headers, data={
        "grant_type": "authorization_code", "client_id": c.client_id, "client_secret": c.client_secret,
        "redirect_uri": redirect_uri or c.redirect_uri, "code": code}).json()


def refresh(http, emulator, token=None):
    c = emulator.credentials
    return http.post("/oauth/v2/token", data={"grant_type": "refresh_token", "client_id": c.client_id,
                                              "client_secret": c.client_secret,
                                              "refresh_token": token or c.refresh_token})


def test_authorize_redirects_with_code_location_and_server(http, emulator):
    got = authorize(http, emulator)
    assert got["state"] == "xyz" and TOKEN.match(got["code"])
    assert got["location"] == "us" and got["accounts-server"] == "https://accounts.zoho.com"
    eu = authorize(http, emulator, host="accounts.zoho.eu")
    assert eu["location"] == "eu" and eu["accounts-server"] == "https://accounts.zoho.eu"


def test_authorize_errors(http, emulator):
    r = http.get("/oauth/v2/auth", params={"client_id": "1000.NOPE", "response_type": "code", "scope": "a.b",
                                           "redirect_uri": "http://127.0.0.1/cb"})
    assert r.status_code == 400 and "invalid_client" in r.text
    r = http.get("/oauth/v2/auth", params={"client_id": emulator.credentials.client_id, "response_type": "code",
                                           "scope": "ZohoInvoice.items.READ",
                                           "redirect_uri": "https://evil.example/cb"})
    assert r.status_code == 400 and "invalid_redirect_uri" in r.text
    r = http.get("/oauth/v2/auth", params={"client_id": emulator.credentials.client_id, "response_type": "token",
                                           "scope": "ZohoInvoice.items.READ",
                                           "redirect_uri": "http://localhost:5555/cb?x=1", "state": "s"})
    assert r.status_code == 302 and "error=unsupported_response_type" in r.headers["location"]
    assert r.headers["location"].startswith("http://localhost:5555/cb?x=1&state=s")


def test_code_exchange_then_refresh_then_call(http, emulator):
    got = authorize(http, emulator, scope="ZohoInvoice.invoices.READ,ZohoInvoice.settings.READ")
    reply = exchange(http, emulator, got["code"])
    assert TOKEN.match(reply["access_token"]) and TOKEN.match(reply["refresh_token"])
    assert reply["api_domain"] == "https://www.zohoapis.com" and reply["token_type"] == "Bearer"
    assert reply["expires_in"] == 3600
    again = refresh(http, emulator, reply["refresh_token"]).json()
    assert "refresh_token" not in again and TOKEN.match(again["access_token"])
    headers = {"Authorization": f"Zoho-oauthtoken {again['access_token']}",
               "X-com-zoho-invoice-organizationid": emulator.credentials.organization_id}
    assert http.get("/invoice/v3/invoices", headers=headers).status_code == 200
    # least privilege: the token has no contacts scope and cannot create invoices
    assert http.get("/invoice/v3/contacts", headers=headers).json()["code"] == 57
    assert http.post("/invoice/v3/invoices", headers=headers, json={}).status_code == 401
    assert http.get("/books/v3/invoices", headers=headers).status_code == 401  # Invoice scopes only


def test_codes_are_single_use_and_short_lived(http, emulator):
    code = authorize(http, emulator)["code"]
    assert "access_token" in exchange(http, emulator, code)
    assert exchange(http, emulator, code) == {"error": "invalid_code"}
    late = authorize(http, emulator)["code"]
    emulator.clock.advance(600)
    assert exchange(http, emulator, late) == {"error": "invalid_code"}
    other = authorize(http, emulator)["code"]
    assert exchange(http, emulator, other, redirect_uri="http://127.0.0.1/else") == {
        "error": "invalid_redirect_uri"}


def test_online_access_gets_no_refresh_token(http, emulator):
    reply = exchange(http, emulator, authorize(http, emulator, access_type="online")["code"])
    assert "access_token" in reply and "refresh_token" not in reply


def test_token_endpoint_errors_are_http_200(http, emulator):
    c = emulator.credentials
    cases = [({"grant_type": "password"}, "unsupported_grant_type"),
             ({"grant_type": "refresh_token", "client_id": "1000.X", "client_secret": "x"}, "invalid_client"),
             ({"grant_type": "refresh_token", "client_id": c.client_id, "client_secret": "wrong",
               "refresh_token": c.refresh_token}, "invalid_client_secret"),
             ({"grant_type": "refresh_token", "client_id": c.client_id, "client_secret": c.client_secret,
               "refresh_token": "1000.0.0"}, "invalid_code")]
    for data, error in cases:
        r = http.post("/oauth/v2/token", data=data)
        assert (r.status_code, r.json()) == (200, {"error": error})
    # parameters in the query string, as Zoho's own examples send them
    r = http.post("/oauth/v2/token", params={"grant_type": "refresh_token", "client_id": c.client_id,
                                             "client_secret": c.client_secret, "refresh_token": c.refresh_token})
    assert "access_token" in r.json()


def test_refresh_limit_ten_per_ten_minutes(http, emulator):
    for _ in range(10):
        assert "access_token" in refresh(http, emulator).json()
    r = refresh(http, emulator)
    assert r.status_code == 200
    assert r.json()["error"] == "Access Denied"
    assert r.json()["error_description"].startswith("You have made too many requests continuously")
    assert len(emulator.log.refreshes()) == 11
    emulator.clock.advance(601)
    assert "access_token" in refresh(http, emulator).json()


def test_revoke_refresh_token(http, emulator):
    access = refresh(http, emulator).json()["access_token"]
    r = http.post("/oauth/v2/token/revoke", params={"token": emulator.credentials.refresh_token})
    assert r.json() == {"status": "success"}
    assert refresh(http, emulator).json() == {"error": "invalid_code"}
    r = http.get("/invoice/v3/items", headers={"Authorization": f"Zoho-oauthtoken {access}"},
                 params={"organization_id": emulator.credentials.organization_id})
    assert r.status_code == 401


def test_access_tokens_expire_after_an_hour(http, emulator, oauth):
    assert http.get("/invoice/v3/items", headers=oauth).status_code == 200
    emulator.clock.advance(3601)
    assert http.get("/invoice/v3/items", headers=oauth).json()["code"] == 57
    fresh = refresh(http, emulator).json()["access_token"]
    ok = http.get("/invoice/v3/items", headers={**oauth, "Authorization": f"Zoho-oauthtoken {fresh}"})
    assert ok.status_code == 200


def test_tokens_belong_to_their_data_center(http, emulator):
    reply = exchange(http, emulator, authorize(http, emulator, host="accounts.zoho.eu")["code"],
                     host="accounts.zoho.eu")
    assert reply["api_domain"] == "https://www.zohoapis.eu"
    headers = {"Authorization": f"Zoho-oauthtoken {reply['access_token']}",
               "X-com-zoho-invoice-organizationid": emulator.credentials.organization_id}
    assert http.get("/invoice/v3/items", headers={**headers, "X-Zoho-Host": "www.zohoapis.eu"}).status_code == 200
    assert http.get("/invoice/v3/items", headers={**headers, "X-Zoho-Host": "www.zohoapis.com"}).status_code == 401


def test_api_domain_override(http, emulator):
    emulator.accounts.api_domain_override = "http://example.invalid"  # until reset
    assert refresh(http, emulator).json()["api_domain"] == "http://example.invalid"
    emulator.reset()
    assert refresh(http, emulator).json()["api_domain"] == "https://www.zohoapis.com"
    http.post("/__emulator__/config", json={"api_domain": "self"})
    assert refresh(http, emulator).json()["api_domain"] == emulator.base_url
    http.post("/__emulator__/config", json={"api_domain": None})
    assert refresh(http, emulator).json()["api_domain"] == "https://www.zohoapis.com"


def test_api_domain_self_from_the_constructor():
    import httpx

    from fixtures.emulator import ZohoEmulator

    with ZohoEmulator(api_domain="self") as emu:
        c = emu.credentials
        reply = httpx.post(emu.base_url + "/oauth/v2/token", data={
            "grant_type": "refresh_token", "client_id": c.client_id, "client_secret": c.client_secret,
            "refresh_token": c.refresh_token}).json()
        assert reply["api_domain"] == emu.base_url
        emu.reset()  # the constructor's setting survives a reset
        assert emu.accounts.api_domain_override == emu.base_url


def test_refresh_tokens_per_client_are_capped_at_twenty(http, emulator):
    issued = [exchange(http, emulator, authorize(http, emulator)["code"])["refresh_token"] for _ in range(19)]
    assert "access_token" in refresh(http, emulator).json()  # seeded + 19 = 20: all still valid
    issued.append(exchange(http, emulator, authorize(http, emulator)["code"])["refresh_token"])
    assert refresh(http, emulator).json() == {"error": "invalid_code"}  # the 21st deleted the oldest
    assert all("access_token" in refresh(http, emulator, t).json() for t in (issued[0], issued[-1]))


def _convert(http, emulator, **changes):
    c = emulator.credentials
    data = {"client_id": c.client_id, "client_secret": c.client_secret, "grant_type": "authtooauth",
            "authtoken": c.authtoken, "scope": "ZohoCRM.modules.leads.ALL,ZohoCRM.modules.accounts.READ",
            "soid": c.crm_soid, **changes}
    return http.post("/oauth/v2/token/self/authtooauth", data={k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("changes, error", [
    ({"client_secret": "x"}, "invalid_client"), ({"grant_type": "authorization_code"}, "invalid_grant"),
    ({"soid": None}, "invalid_request"), ({"authtoken": "f" * 32}, "invalid_authtoken"),
    ({"soid": "ZohoCRM.1"}, "invalid_grant"), ({"scope": "ZohoBooks.invoices.READ"}, "invalid_scope"),
    ({"scope": ""}, "invalid_scope")])
def test_authtooauth_errors(http, emulator, changes, error):
    r = _convert(http, emulator, **changes)
    assert (r.status_code, r.json()) == (200, {"error": error})


def test_authtooauth_converts_once(http, emulator):
    reply = _convert(http, emulator).json()
    assert TOKEN.match(reply["access_token"]) and TOKEN.match(reply["refresh_token"])
    headers = {"Authorization": f"Zoho-oauthtoken {reply['access_token']}"}
    assert http.get("/crm/v2/Leads", headers=headers).status_code == 200
    assert http.get("/crm/v2/Accounts", headers=headers).status_code == 200
    denied = http.post("/crm/v2/Accounts", headers=headers, json={"data": [{"Account_Name": "x"}]})
    assert denied.status_code == 401 and denied.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    assert _convert(http, emulator).json() == {"error": "access_denied"}
    # the authtoken keeps working for a while, as at Zoho
    assert http.get("/crm/private/json/Leads/getRecords", params={
        "authtoken": emulator.credentials.authtoken, "scope": "crmapi"}).json()["response"]["result"]


def test_apiauthtoken_nb_create(http, emulator):
    c = emulator.credentials
    r = http.get("/apiauthtoken/nb/create", params={"SCOPE": "ZohoCRM/crmapi", "EMAIL_ID": c.email,
                                                    "PASSWORD": c.password})
    lines = r.text.splitlines()
    assert r.status_code == 200 and lines[0] == "#" and lines[1].startswith("#") and lines[-1] == "RESULT=TRUE"
    token = re.fullmatch(r"AUTHTOKEN=([0-9a-f]{32})", lines[2]).group(1)
    crm = http.get("/crm/private/json/Leads/getRecords", params={"authtoken": token, "scope": "crmapi"}).json()
    assert "result" in crm["response"]
    inv = http.get("/api/items/", params={"authtoken": token, "apikey": c.apikey, "scope": "invoiceapi"})
    assert "Invalid Ticket Passed" in inv.text  # scoped to CRM only
    for params, cause in [({"EMAIL_ID": c.email, "PASSWORD": "x", "SCOPE": "ZohoCRM/crmapi"}, "INVALID_PASSWORD"),
                          ({"EMAIL_ID": "who@x", "PASSWORD": "x", "SCOPE": "ZohoCRM/crmapi"}, "NO_SUCH_USER"),
                          ({"EMAIL_ID": c.email, "PASSWORD": c.password, "SCOPE": "Foo/bar"}, "INVALID_SCOPE")]:
        text = http.post("/apiauthtoken/nb/create", data=params).text
        assert "RESULT=FALSE" in text and f"CAUSE={cause}" in text


def test_api_ticket_login(http, emulator, legacy):
    c = emulator.credentials
    r = http.post("/login", data={"servicename": "ZohoCRM", "FROM_AGENT": "true", "LOGIN_ID": c.email,
                                  "PASSWORD": c.password})
    ticket = re.search(r"^TICKET=([0-9a-f]{32})$", r.text, re.M).group(1)
    assert r.text.rstrip().endswith("RESULT=TRUE")
    crm = http.get("/crm/private/json/Leads/getRecords", params={"ticket": ticket, "scope": "crmapi"}).json()
    assert "result" in crm["response"]
    inv = http.get("/api/items/", params={**legacy, "authtoken": None, "ticket": ticket})
    assert "Invalid Ticket Passed" in inv.text  # a CRM ticket
    assert emulator.log[0].style == "accounts"
    bad = http.get("/login", params={"servicename": "ZohoCRM", "FROM_AGENT": "true", "LOGIN_ID": c.email,
                                     "PASSWORD": "nope"})
    assert "CAUSE=INVALID_PASSWORD" in bad.text and "RESULT=FALSE" in bad.text
