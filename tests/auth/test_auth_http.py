"""Retries: 429 and 5xx retried with backoff, Retry-After honoured, connection failures retried, and the
policy's limits respected. Unit tests use httpx.MockTransport; the emulator tests use its fault switches."""

from __future__ import annotations

import httpx
import pytest

from migrate.auth.accounts import AccountsClient
from migrate.auth.errors import OAuthError
from migrate.auth.http import retry_after_seconds, send


def scripted(*replies):
    """A MockTransport answering with `replies` in order (an Exception is raised instead of answering)."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = replies[len(seen) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply

    return httpx.MockTransport(handler), seen


def test_retry_after_and_backoff(oauth_config):
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(503),
                               httpx.ConnectError("refused"), httpx.Response(200, json={"ok": True}))
    sleeps: list[float] = []
    with httpx.Client(transport=transport) as client:
        response = send(client, httpx.Request("POST", "https://x/t", data={"a": "b"}), oauth_config.http,
                        what="test", sleep=sleeps.append)
    assert response.status_code == 200 and len(seen) == 4
    assert sleeps[0] == 2.0  # Retry-After honoured exactly
    base = oauth_config.http.backoff_seconds
    assert base * 2 <= sleeps[1] <= base * 3  # attempt 1: base * 2^1 plus jitter below one base
    assert base * 4 <= sleeps[2] <= base * 5
    assert all(r.content == b"a=b" for r in seen)  # the body is re-sent intact


def test_gives_up_after_policy_retries(oauth_config):
    attempts = oauth_config.http.retries + 1
    transport, seen = scripted(*[httpx.Response(500)] * attempts)
    with httpx.Client(transport=transport) as client:
        response = send(client, httpx.Request("GET", "https://x/"), oauth_config.http, what="t",
                        sleep=lambda s: None)
    assert response.status_code == 500 and len(seen) == attempts


def test_too_long_retry_after_is_reported_not_slept(oauth_config):
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with httpx.Client(transport=transport) as client, pytest.raises(OAuthError, match="retry after 3600s"):
        send(client, httpx.Request("GET", "https://x/"), oauth_config.http, what="t", sleep=pytest.fail)


def test_connection_failure_reported_after_retries(oauth_config):
    transport, seen = scripted(*[httpx.ConnectError("refused")] * (oauth_config.http.retries + 1))
    with httpx.Client(transport=transport) as client, pytest.raises(OAuthError, match="ConnectError"):
        send(client, httpx.Request("GET", "https://x/"), oauth_config.http, what="t", sleep=lambda s: None)


def test_retry_after_http_date():
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(response, now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_refresh_survives_5xx_and_429_on_the_emulator(emulator, oauth_config):
    c = emulator.credentials
    emulator.faults.fail_next(2, status=502, path="/oauth/v2/token")
    emulator.faults.rate_limit_storm(1, retry_after=1, path="/oauth/v2/token")
    sleeps: list[float] = []
    with AccountsClient(oauth_config, emulator.base_url, sleep=sleeps.append) as accounts:
        reply = accounts.refresh(c.client_id, c.client_secret, c.refresh_token)
    assert reply.access_token.startswith("1000.")
    statuses = [e.status for e in emulator.log.token_requests()]
    assert statuses == [502, 502, 429, 200]
    assert sleeps[2] == 1.0  # the 429's Retry-After
    # the failed attempts did not count as refresh grants: only one access token was issued
    assert len(emulator.log.refreshes()) == 4 and len(emulator.accounts.refresh_grants[c.refresh_token]) == 1


def test_accounts_down_for_good_is_one_clear_error(emulator, oauth_config):
    c = emulator.credentials
    emulator.faults.fail_next(None, status=503, path="/oauth/v2/token")
    with AccountsClient(oauth_config, emulator.base_url, sleep=lambda s: None) as accounts, \
            pytest.raises(OAuthError) as info:
        accounts.refresh(c.client_id, c.client_secret, c.refresh_token)
    assert "HTTP 503" in str(info.value)
    assert len(emulator.log.token_requests()) == oauth_config.http.retries + 1
    assert c.client_secret not in str(info.value) and c.refresh_token not in str(info.value)
