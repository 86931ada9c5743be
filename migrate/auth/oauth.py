"""`ZohoOAuth`: an httpx.Auth that sends `Authorization: Zoho-oauthtoken <access>` and refreshes by itself.

The httpx auth-generator shape: the flow yields the refresh request first when the token is due (within the
margin of rules/oauth.yaml), then the real request; on a 401 it refreshes once and retries once. It does no I/O
itself, so the same object works with `httpx.Client` and `httpx.AsyncClient`. `on_refresh(token)` is called
after each refresh so the caller can persist it (e.g. `store.save_token`).

One ZohoOAuth may be shared by threads (sync clients) or tasks (async clients): the refresh step is serialised
(a threading lock for `sync_auth_flow`, an asyncio lock for `async_auth_flow`) and re-checked under the lock,
so N concurrent requests with a due token make one refresh. `auth_flow` itself is the unsynchronised generator
for custom drivers. Across processes, use `migrate.auth.access.ensure_fresh`, which locks the token store.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from migrate.auth import protocol
from migrate.auth.config import OAuthConfig, load_config
from migrate.auth.token import Token


class ZohoOAuth(httpx.Auth):
    """Zoho OAuth for httpx clients (see module docstring)."""

    requires_response_body = True

    def __init__(self, token: Token, config: OAuthConfig | None = None, *, accounts_url: str | None = None,
                 on_refresh: Callable[[Token], None] | None = None, margin_seconds: float | None = None) -> None:
        self.token = token
        self.config = config or load_config()
        self.accounts_url = accounts_url or token.accounts_url
        self.on_refresh = on_refresh
        self.margin = self.config.refresh_margin_seconds if margin_seconds is None else margin_seconds
        self.refreshes = 0
        self._thread_lock = threading.Lock()
        self._async_lock = asyncio.Lock()

    # ---- the steps, shared by every flow

    def _due(self) -> bool:
        return not self.token.is_fresh(self.margin)

    def _authorize(self, request: httpx.Request) -> str | None:
        """Set the header; returns the access token used (to tell, after a 401, whether it was replaced)."""
        access = self.token.access_token
        request.headers[self.config.header] = self.config.header_value(access or "")
        return access

    def _refresh_request(self) -> httpx.Request:
        return protocol.refresh_request(self.config, self.token, self.accounts_url)

    def _apply(self, response: httpx.Response) -> None:
        reply = protocol.parse_token_reply(
            self.config, response, grant="refresh_token", what=f"token refresh at {self.accounts_url}",
            secrets=self.token.secrets())
        reply.apply_to(self.token)
        if self.accounts_url:
            self.token.accounts_url = self.accounts_url
        self.refreshes += 1
        if self.on_refresh is not None:
            self.on_refresh(self.token)

    # ---- unsynchronised generator (httpx's Auth contract)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refreshed = False
        if self._due():
            self._apply((yield self._refresh_request()))
            refreshed = True
        self._authorize(request)
        response = yield request
        if response.status_code == 401 and not refreshed:
            self._apply((yield self._refresh_request()))
            self._authorize(request)
            yield request

    # ---- synchronised flows: one refresh at a time per ZohoOAuth

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refreshed = False
        if self._due():
            with self._thread_lock:
                if self._due():  # another thread may have refreshed while we waited
                    response = yield self._refresh_request()
                    response.read()
                    self._apply(response)
                    refreshed = True
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401 or refreshed:  # a token refreshed for this very request stays refused
            return
        with self._thread_lock:
            if self.token.access_token == used:  # nobody replaced the rejected token yet
                refresh = yield self._refresh_request()
                refresh.read()
                self._apply(refresh)
        self._authorize(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        refreshed = False
        if self._due():
            async with self._async_lock:
                if self._due():
                    response = yield self._refresh_request()
                    await response.aread()
                    self._apply(response)
                    refreshed = True
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401 or refreshed:
            return
        async with self._async_lock:
            if self.token.access_token == used:
                refresh = yield self._refresh_request()
                await refresh.aread()
                self._apply(refresh)
        self._authorize(request)
        yield request
