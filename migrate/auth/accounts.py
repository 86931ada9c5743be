"""The accounts-server client: grant-code exchange, refresh, revoke and authtooauth, with the HTTP policy
of rules/oauth.yaml (timeouts, retries with backoff on 429/5xx, Retry-After) and clear, masked errors."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from migrate.auth import protocol
from migrate.auth.config import OAuthConfig
from migrate.auth.http import Sleep, send, timeout
from migrate.auth.protocol import TokenReply


class AccountsClient:
    """One accounts server (`accounts_url`, e.g. https://accounts.zoho.eu or an emulator's base URL)."""

    def __init__(self, config: OAuthConfig, accounts_url: str, *, client: httpx.Client | None = None,
                 sleep: Sleep = time.sleep, note: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.accounts_url = accounts_url.rstrip("/")
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=timeout(config.http))
        self.sleep = sleep
        self.note = note

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> AccountsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _token(self, grant: str, values: dict[str, str | None], action: str) -> TokenReply:
        request = protocol.token_request(self.config, self.accounts_url, grant, values)
        what = f"{action} at {self.accounts_url}"
        response = send(self.client, request, self.config.http, what=what, sleep=self.sleep, note=self.note)
        secrets = [v for v in values.values() if v]
        return protocol.parse_token_reply(self.config, response, grant=grant, what=what, secrets=secrets)

    def exchange_code(self, client_id: str, client_secret: str, code: str,
                      redirect_uri: str | None = None) -> TokenReply:
        """Grant code -> access + refresh token (codes are single use and live minutes)."""
        return self._token("authorization_code", {"client_id": client_id, "client_secret": client_secret,
                                                  "code": code, "redirect_uri": redirect_uri},
                           "grant-code exchange")

    def refresh(self, client_id: str, client_secret: str, refresh_token: str) -> TokenReply:
        """Refresh token -> a new access token (no new refresh token comes back)."""
        return self._token("refresh_token", {"client_id": client_id, "client_secret": client_secret,
                                             "refresh_token": refresh_token}, "token refresh")

    def authtooauth(self, client_id: str, client_secret: str, authtoken: str, scopes: list[str],
                    soid: str) -> TokenReply:
        """Zoho's authtoken -> OAuth conversion (CRM, Recruit, Desk, Mail)."""
        return self._token("authtooauth", {"client_id": client_id, "client_secret": client_secret,
                                           "authtoken": authtoken,
                                           "scope": self.config.scope_separator.join(scopes), "soid": soid},
                           "authtoken conversion")

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (and the access tokens made from it)."""
        request = protocol.revoke_request(self.config, self.accounts_url, refresh_token)
        what = f"revoke at {self.accounts_url}"
        response = send(self.client, request, self.config.http, what=what, sleep=self.sleep, note=self.note)
        protocol.check_revoke_reply(self.config, response, what=what, secrets=[refresh_token])
