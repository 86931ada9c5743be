"""Access tokens for the OAuth side of a replay, with at most one refresh in flight at a time.

Built on the auth stage (migrate.auth): with a token store (`--store`), `ensure_fresh` refreshes under its
cross-process lock and saves the result; without one, the refresh request and reply are the auth stage's
`protocol` functions, sent through the verifier's own Fetcher so the token endpoint gets the same retries,
and a recording scrubs its reply like any other. Concurrent calls that all see a 401 share one refresh: a
caller hands in the token that failed, and only if it is still the current one is a new one fetched.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from migrate.auth import protocol
from migrate.auth.access import ensure_fresh
from migrate.auth.config import OAuthConfig
from migrate.auth.errors import OAuthError
from migrate.auth.token import Token, TokenStore
from migrate.errors import ConfigError
from migrate.verify.fetch import Fetcher, Outgoing
from migrate.verify.redact import SecretBag


class TokenProvider:
    """`await get()` the current access token; `await refresh(stale)` after a 401 with `stale`."""

    REFRESH_HELPS_SECONDS = 300.0

    def __init__(self, config: OAuthConfig, token: Token, *, accounts_url: str, fetcher: Fetcher,
                 bag: SecretBag, accounts_base: str | None = None, store: TokenStore | None = None) -> None:
        self.config = config
        self.token = token
        self.accounts_url = accounts_url  # the accounts server meant (https://accounts.zoho.eu)
        self.accounts_base = accounts_base  # where to send it (--accounts-url), None: the real server
        self.fetcher = fetcher
        self.bag = bag
        self.store = store
        self.refreshes = 0
        self._lock = asyncio.Lock()
        # tokens fetched because of a 401, and when: if one of them is refused too, another refresh would not
        # help (wrong scope, wrong data center) and would only burn Zoho's refresh budget (10 per 10 minutes)
        self._after_401: dict[str, float] = {}
        bag.add(*token.secrets())

    @property
    def header_name(self) -> str:
        return self.config.header

    def header_value(self, access_token: str) -> str:
        return self.config.header_value(access_token)

    async def get(self) -> str:
        async with self._lock:
            if self.store is not None and not self.token.access_token:
                await self._refresh_with_store(None)
            elif not self.token.access_token:
                await self._refresh()
            assert self.token.access_token
            return self.token.access_token

    async def refresh(self, stale: str) -> str:
        """A new access token unless another task already replaced `stale`.

        Returns `stale` itself when it was already the answer to a 401 less than `REFRESH_HELPS_SECONDS` ago:
        the caller then reports the 401 instead of refreshing in a loop.
        """
        async with self._lock:
            if self.token.access_token and self.token.access_token != stale:
                return self.token.access_token
            issued = self._after_401.get(stale)
            if issued is not None and time.monotonic() - issued < self.REFRESH_HELPS_SECONDS:
                return stale
            if self.store is not None:
                await self._refresh_with_store(stale)
            else:
                await self._refresh()
            assert self.token.access_token
            self._after_401[self.token.access_token] = time.monotonic()
            return self.token.access_token

    async def _refresh_with_store(self, stale: str | None) -> None:
        assert self.store is not None
        try:
            fresh = await asyncio.to_thread(
                ensure_fresh, self.store, self.token, self.config,
                accounts_url=self.accounts_base or self.accounts_url, stale_access=stale, create=True)
        except OAuthError as error:
            raise ConfigError(self.bag.mask(str(error))) from None
        if fresh.access_token != self.token.access_token:
            self.refreshes += 1
        self.token = fresh
        self.bag.add(*fresh.secrets())

    async def _refresh(self) -> None:
        try:
            request = protocol.refresh_request(self.config, self.token, self.accounts_url)
        except OAuthError as error:
            raise ConfigError(f"OAuth side: {error}") from None
        form = dict(httpx.QueryParams(request.content.decode()))
        out = Outgoing("accounts", "accounts", "POST", str(request.url), {"Accept": "application/json"}, form,
                       rate_key=None, base=self.accounts_base)
        reply = await self.fetcher.send(out)
        response = httpx.Response(reply.status, headers=reply.headers, content=reply.body)
        try:
            parsed = protocol.parse_token_reply(self.config, response, grant="refresh_token",
                                                what=f"token refresh at {self.accounts_url}",
                                                secrets=sorted(self.bag.values))
        except OAuthError as error:
            raise ConfigError(self.bag.mask(str(error))) from None
        parsed.apply_to(self.token)
        self.bag.add(parsed.access_token)
        self.refreshes += 1


def pick_stored(store: TokenStore, client_id: str | None, refresh_token: str | None) -> Token | None:
    """The stored record to use: the one with this client + refresh token, else the only one for the client."""
    if refresh_token:
        found = store.find_token(Token(client_id=client_id, refresh_token=refresh_token))
        if found is not None:
            return found
    candidates = [t for t in store.get_tokens() if not client_id or t.client_id == client_id]
    return candidates[0] if len(candidates) == 1 else None

