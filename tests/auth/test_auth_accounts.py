"""The accounts client against the emulator over real HTTP: code exchange, refresh, revoke, authtooauth, and
Zoho's HTTP-200 error replies turned into clear, masked messages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from migrate.auth.accounts import AccountsClient
from migrate.auth.errors import OAuthError
from migrate.auth.login import authorization_url

REDIRECT = "http://127.0.0.1/oauth/callback"


def grant_code(emulator, oauth_config, scopes=("ZohoInvoice.settings.READ",), redirect=REDIRECT) -> str:
    """Consent on the emulator's authorization page and read the code from the redirect."""
    url = authorization_url(oauth_config, emulator.base_url, emulator.credentials.client_id, list(scopes),
                            redirect, "s")
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


@pytest.fixture
def accounts(emulator, oauth_config):
    with AccountsClient(oauth_config, emulator.base_url, sleep=lambda s: None) as client:
        yield client


def test_exchange_then_refresh_then_revoke(emulator, oauth_config, accounts):
    c = emulator.credentials
    code = grant_code(emulator, oauth_config)
    reply = accounts.exchange_code(c.client_id, c.client_secret, code, REDIRECT)
    assert reply.refresh_token and reply.access_token and reply.expires_in == 3600
    assert reply.scopes == ["ZohoInvoice.settings.READ"]
    assert reply.api_domain == "https://www.zohoapis.com"
    sent = emulator.log.token_requests("authorization_code")[0].form
    assert sent == {"grant_type": "authorization_code", "client_id": c.client_id, "client_secret": c.client_secret,
                    "code": code, "redirect_uri": REDIRECT}
    refreshed = accounts.refresh(c.client_id, c.client_secret, reply.refresh_token)
    assert refreshed.refresh_token is None and refreshed.access_token != reply.access_token
    accounts.revoke(reply.refresh_token)
    revoke = emulator.log.find(path="/oauth/v2/token/revoke")[0]
    assert revoke.query == {"token": reply.refresh_token}
    with pytest.raises(OAuthError, match="invalid_code: the grant code or refresh token is invalid"):
        accounts.refresh(c.client_id, c.client_secret, reply.refresh_token)


def test_used_code_and_bad_client_are_clear(emulator, oauth_config, accounts):
    c = emulator.credentials
    code = grant_code(emulator, oauth_config)
    accounts.exchange_code(c.client_id, c.client_secret, code, REDIRECT)
    with pytest.raises(OAuthError, match="invalid_code") as info:
        accounts.exchange_code(c.client_id, c.client_secret, code, REDIRECT)
    assert code not in str(info.value)  # the code is masked in the message
    with pytest.raises(OAuthError, match="invalid_client_secret: the client secret does not match") as info:
        accounts.refresh(c.client_id, "wrong-secret-value-0000", c.refresh_token)
    assert "wrong-secret-value-0000" not in str(info.value) and c.refresh_token not in str(info.value)
    with pytest.raises(OAuthError, match="invalid_client: the client id is unknown"):
        accounts.refresh("1000.NOBODY", c.client_secret, c.refresh_token)


def test_refresh_limit_becomes_a_clear_message(emulator, accounts):
    c = emulator.credentials
    emulator.accounts.refresh_limit = (2, 600.0)
    accounts.refresh(c.client_id, c.client_secret, c.refresh_token)
    accounts.refresh(c.client_id, c.client_secret, c.refresh_token)
    with pytest.raises(OAuthError) as info:
        accounts.refresh(c.client_id, c.client_secret, c.refresh_token)
    message = str(info.value)
    assert info.value.error == "Access Denied"
    assert "too many requests" in message and "10 access tokens per refresh token in 10 minutes" in message
    assert "\n" not in message and c.refresh_token not in message and c.client_secret not in message


def test_authtooauth_and_its_errors(emulator, accounts):
    c = emulator.credentials
    scopes = ["ZohoCRM.modules.ALL"]
    with pytest.raises(OAuthError, match="soid is missing"):
        accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, scopes, "")
    with pytest.raises(OAuthError, match="authtoken is invalid") as info:
        accounts.authtooauth(c.client_id, c.client_secret, "0" * 32, scopes, c.crm_soid)
    assert "0" * 32 not in str(info.value)
    with pytest.raises(OAuthError, match="belongs to another service"):
        accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, ["ZohoBooks.fullaccess.all"], c.crm_soid)
    with pytest.raises(OAuthError, match="cannot be converted with this soid"):
        accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, scopes, "ZohoCRM.999")
    reply = accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, scopes, c.crm_soid)
    assert reply.refresh_token and reply.scopes == scopes
    sent = emulator.log.find(path="/oauth/v2/token/self/authtooauth")[-1].form
    assert sent["grant_type"] == "authtooauth" and sent["scope"] == "ZohoCRM.modules.ALL"
    with pytest.raises(OAuthError, match="already converted"):
        accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, scopes, c.crm_soid)


def test_non_json_reply_is_an_error(emulator, oauth_config):
    with AccountsClient(oauth_config, emulator.base_url + "/nothing-here", sleep=lambda s: None) as accounts, \
            pytest.raises(OAuthError, match="HTTP 404"):
        accounts.refresh("a", "b", "c")


def test_no_secret_in_debug_logs(emulator, oauth_config, accounts, caplog):
    """httpx logs request URLs (revoke's has the refresh token in its query): nothing secret reaches a log."""
    import logging

    c = emulator.credentials
    caplog.set_level(logging.DEBUG)
    code = grant_code(emulator, oauth_config)
    reply = accounts.exchange_code(c.client_id, c.client_secret, code, REDIRECT)
    accounts.refresh(c.client_id, c.client_secret, reply.refresh_token)
    accounts.revoke(reply.refresh_token)
    with pytest.raises(OAuthError):
        accounts.refresh(c.client_id, c.client_secret, reply.refresh_token)
    assert "/oauth/v2/token/revoke?token=1000." in caplog.text  # the URL is logged, masked
    for secret in (c.client_secret, code, reply.refresh_token, reply.access_token):
        assert secret not in caplog.text


def test_code_without_its_redirect_uri(emulator, oauth_config, accounts):
    c = emulator.credentials
    code = grant_code(emulator, oauth_config)
    with pytest.raises(OAuthError, match="invalid_redirect_uri: the redirect URI differs"):
        accounts.exchange_code(c.client_id, c.client_secret, code)
    assert "redirect_uri" not in emulator.log.token_requests()[0].form  # optional field left out
