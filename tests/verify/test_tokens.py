"""Token handling on the OAuth side: a refresh that does not cure the 401 is not repeated call after call."""

from __future__ import annotations

import json

import httpx

from migrate.verify.config import load_verify_config
from migrate.verify.model import Call, Endpoint
from migrate.verify.runner import Credentials, Options, Verifier


def test_a_401_that_survives_a_refresh_is_reported_without_refreshing_again(ruleset):
    refreshes = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/token":
            refreshes.append(request)
            body = {"access_token": f"1000.{len(refreshes):032x}.{0:032x}", "expires_in": 3600,
                    "api_domain": "https://www.zohoapis.com", "token_type": "Bearer"}
            return httpx.Response(200, content=json.dumps(body).encode())
        if request.url.path.startswith("/api/"):
            return httpx.Response(200, content=b'<Response status="1"><Items/></Response>')
        return httpx.Response(401, content=b'{"code": 57, "message": "You are not authorized"}')

    creds = Credentials(authtoken="a" * 32, apikey="k", client_id="1000.C", client_secret="s" * 40,
                        refresh_token="1000." + "b" * 32 + "." + "c" * 32, access_token="1000.start",
                        organization_id="1")
    options = Options(http=load_verify_config(ruleset).http.__class__(concurrency=1))
    calls = [Call(f"c{n}", Endpoint("GET", "https://invoice.zoho.com/api/items/")) for n in range(3)]
    report = Verifier(ruleset, creds, options, config=load_verify_config(ruleset),
                      transport=httpx.MockTransport(handler)).run(calls)
    assert [r.status for r in report.results] == ["error"] * 3
    assert len(refreshes) == 1 and report.refreshes == 1
    assert all(r.oauth_status == 401 for r in report.results)
    assert "HTTP 401 after one token refresh" in report.results[0].message
    assert all("a token that a refresh just issued" in r.message for r in report.results[1:])
    assert "1000.start" not in " ".join(r.message for r in report.results)
