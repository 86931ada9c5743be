"""ZohoOAuth (httpx.Auth) with sync and async clients against the emulator's v3 API, and ensure_fresh /
get_access_token on a real SQLite store."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from migrate.auth.access import ensure_fresh, get_access_token
from migrate.auth.accounts import AccountsClient
from migrate.auth.errors import OAuthError
from migrate.auth.oauth import ZohoOAuth
from migrate.auth.store import SQLiteTokenStore, Token


def seeded(emulator, *, access: str | None = None, expires_in: float = 3600) -> Token:
    c = emulator.credentials
    return Token(client_id=c.client_id, client_secret=c.client_secret, refresh_token=c.refresh_token,
                 access_token=access, expiry_time=int((time.time() + expires_in) * 1000) if access else None,
                 accounts_url=emulator.base_url, api_domain=emulator.base_url)


def items_url(emulator) -> str:
    return f"{emulator.base_url}/invoice/v3/items?organization_id={emulator.credentials.organization_id}"


def test_fresh_token_is_used_as_is(emulator, oauth_config):
    token = seeded(emulator, access=emulator.credentials.access_token)
    auth = ZohoOAuth(token, oauth_config)
    with httpx.Client(auth=auth) as client:
        assert client.get(items_url(emulator)).status_code == 200
    assert emulator.log.refreshes() == []
    call = emulator.log.find(path="/invoice/v3/items")[0]
    assert call.headers["authorization"] == f"Zoho-oauthtoken {emulator.credentials.access_token}"


def test_due_token_refreshed_first_and_persisted(emulator, oauth_config):
    token = seeded(emulator, access=emulator.credentials.access_token, expires_in=60)  # inside the margin
    saved: list[Token] = []
    with httpx.Client(auth=ZohoOAuth(token, oauth_config, on_refresh=saved.append)) as client:
        assert client.get(items_url(emulator)).status_code == 200
    assert len(emulator.log.refreshes()) == 1
    assert [e.path for e in emulator.log] == ["/oauth/v2/token", "/invoice/v3/items"]
    assert token.access_token != emulator.credentials.access_token and saved == [token]
    assert token.is_fresh(oauth_config.refresh_margin_seconds)


def test_401_refreshes_once_and_retries_once(emulator, oauth_config):
    token = seeded(emulator, access=emulator.credentials.access_token)
    emulator.faults.expire_tokens(emulator.credentials.access_token)  # Zoho revoked it early
    with httpx.Client(auth=ZohoOAuth(token, oauth_config)) as client:
        assert client.get(items_url(emulator)).status_code == 200
    assert [e.status for e in emulator.log] == [401, 200, 200]
    # a token that can never call this API (CRM-only scopes): one refresh, one retry, then the 401 stands
    c = emulator.credentials
    with AccountsClient(oauth_config, emulator.base_url) as accounts:
        crm = accounts.authtooauth(c.client_id, c.client_secret, c.authtoken, ["ZohoCRM.modules.ALL"], c.crm_soid)
    crm_token = seeded(emulator)
    crm_token.refresh_token = crm.refresh_token
    crm.apply_to(crm_token)
    emulator.log.clear()
    with httpx.Client(auth=ZohoOAuth(crm_token, oauth_config)) as client:
        assert client.get(items_url(emulator)).status_code == 401
    assert [(e.path, e.status) for e in emulator.log] == [
        ("/invoice/v3/items", 401), ("/oauth/v2/token", 200), ("/invoice/v3/items", 401)]


def test_async_client_works_with_the_same_auth(emulator, oauth_config):
    token = seeded(emulator)  # no access token yet

    async def main() -> int:
        async with httpx.AsyncClient(auth=ZohoOAuth(token, oauth_config)) as client:
            return (await client.get(items_url(emulator))).status_code

    assert asyncio.run(main()) == 200
    assert len(emulator.log.refreshes()) == 1


def test_refresh_failure_inside_auth_flow_is_clear(emulator, oauth_config):
    token = seeded(emulator)
    token.refresh_token = "1000.revoked.revoked"
    with httpx.Client(auth=ZohoOAuth(token, oauth_config)) as client, pytest.raises(OAuthError, match="invalid_code"):
        client.get(items_url(emulator))


def test_ensure_fresh_uses_store_and_refreshes_once(emulator, oauth_config, tmp_path):
    store = SQLiteTokenStore(tmp_path / "t.db")
    ref = seeded(emulator)
    first = get_access_token(store, ref, oauth_config, create=True)
    again = get_access_token(store, ref, oauth_config)
    assert first == again and len(emulator.log.refreshes()) == 1
    stored = store.find_token(ref)
    assert stored.access_token == first and stored.accounts_url == emulator.base_url
    # the API rejects it: a forced refresh replaces exactly that access token
    renewed = ensure_fresh(store, ref, oauth_config, stale_access=first)
    assert renewed.access_token != first and len(emulator.log.refreshes()) == 2
    # another caller holding the old token sees the replacement instead of refreshing again
    assert ensure_fresh(store, ref, oauth_config, stale_access=first).access_token == renewed.access_token
    assert len(emulator.log.refreshes()) == 2


def test_ensure_fresh_without_record_or_create(emulator, oauth_config, tmp_path):
    store = SQLiteTokenStore(tmp_path / "t.db")
    with pytest.raises(OAuthError, match="no such token"):
        ensure_fresh(store, seeded(emulator), oauth_config)


def test_threads_sharing_one_auth_make_one_refresh(emulator, oauth_config):
    from concurrent.futures import ThreadPoolExecutor

    token = seeded(emulator)  # no access token: every request is due
    emulator.faults.latency(300, path="/oauth/v2/token")
    auth = ZohoOAuth(token, oauth_config)
    with httpx.Client(auth=auth) as client, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: client.get(items_url(emulator)).status_code, range(8)))
    assert statuses == [200] * 8
    assert len(emulator.log.refreshes()) == 1 and auth.refreshes == 1


def test_tasks_sharing_one_auth_make_one_refresh(emulator, oauth_config):
    token = seeded(emulator)
    emulator.faults.latency(300, path="/oauth/v2/token")
    auth = ZohoOAuth(token, oauth_config)

    async def main() -> list[int]:
        async with httpx.AsyncClient(auth=auth) as client:
            replies = await asyncio.gather(*(client.get(items_url(emulator)) for _ in range(8)))
            return [r.status_code for r in replies]

    assert asyncio.run(main()) == [200] * 8
    assert len(emulator.log.refreshes()) == 1


def test_shared_auth_401_refreshes_once_for_all(emulator, oauth_config):
    from concurrent.futures import ThreadPoolExecutor

    token = seeded(emulator, access=emulator.credentials.access_token)
    emulator.faults.expire_tokens(emulator.credentials.access_token)
    emulator.faults.latency(300, path="/oauth/v2/token")
    auth = ZohoOAuth(token, oauth_config)
    with httpx.Client(auth=auth) as client, ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: client.get(items_url(emulator)).status_code, range(6)))
    assert statuses == [200] * 6
    assert len(emulator.log.refreshes()) == 1
    assert len(emulator.log.find(path="/invoice/v3/items", status=401)) == 6
