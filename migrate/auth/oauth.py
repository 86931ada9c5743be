"""`ZohoOAuth`: an httpx.Auth that sends `Authorization: Zoho-oauthtoken <access>` and refreshes by itself.

The httpx auth-generator shape: `auth_flow` yields the refresh request first when the token is due (within the
margin of rules/oauth.yaml), then the real request; on a 401 it refreshes once and retries once. It does no I/O
itself, so the same object works with `httpx.Client` and `httpx.AsyncClient`. `on_refresh(token)` is called
after each refresh so the caller can persist it (e.g. `store.save_token`). Use one ZohoOAuth per thread or task.

For several processes sharing one store, prefer `migrate.auth.access.ensure_fresh` before a batch of calls: it
serialises refreshes across processes; this class keeps long-running clients going without a store.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

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

    def _authorize(self, request: httpx.Request) -> None:
        request.headers[self.config.header] = self.config.header_value(self.token.access_token or "")

    def _refresh(self) -> Generator[httpx.Request, httpx.Response, None]:
        request = protocol.refresh_request(self.config, self.token, self.accounts_url)
        response = yield request
        reply = protocol.parse_token_reply(
            self.config, response, grant="refresh_token", what=f"token refresh at {self.accounts_url}",
            secrets=self.token.secrets())
        reply.apply_to(self.token)
        if self.accounts_url:
            self.token.accounts_url = self.accounts_url
        self.refreshes += 1
        if self.on_refresh is not None:
            self.on_refresh(self.token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refreshed = False
        if not self.token.is_fresh(self.margin):
            yield from self._refresh()
            refreshed = True
        self._authorize(request)
        response = yield request
        if response.status_code == 401 and not refreshed:
            yield from self._refresh()
            self._authorize(request)
            yield request
