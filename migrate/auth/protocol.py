"""Pure functions of the token protocol (no I/O): build token-endpoint requests, read their replies.

Shared by AccountsClient (which sends with retries) and ZohoOAuth (whose auth_flow yields the request to
whatever httpx client, sync or async, runs it). Everything protocol-specific comes from OAuthConfig.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from migrate.auth.config import OAuthConfig
from migrate.auth.errors import OAuthError
from migrate.auth.token import Token


@dataclass
class TokenReply:
    """A successful token-endpoint reply. `refresh_token` is None for a refresh grant."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None
    api_domain: str | None = None
    scopes: list[str] = field(default_factory=list)
    received_at: float = field(default_factory=time.time)

    @property
    def expiry_time_ms(self) -> int:
        return int((self.received_at + self.expires_in) * 1000)

    def apply_to(self, token: Token) -> Token:
        """Record this reply in `token` (keeps the old refresh token when none came back)."""
        token.access_token = self.access_token
        token.expiry_time = self.expiry_time_ms
        if self.refresh_token:
            token.refresh_token = self.refresh_token
        if self.api_domain:
            token.api_domain = self.api_domain
        if self.scopes:
            token.scopes = list(self.scopes)
        token.grant_token = None  # grant codes are single use: never keep one after an exchange
        return token


def token_request(config: OAuthConfig, accounts_url: str, grant: str, values: dict[str, str | None]) -> httpx.Request:
    """POST <accounts><token or authtooauth path> with the grant's form (fields from rules/oauth.yaml)."""
    path = config.path("authtooauth" if grant == "authtooauth" else "token")
    form = config.grant_form(grant, values)
    return httpx.Request("POST", accounts_url.rstrip("/") + path, data=form,
                         headers={"Accept": "application/json"})


def refresh_request(config: OAuthConfig, token: Token, accounts_url: str | None = None) -> httpx.Request:
    """The refresh-grant request for a stored token."""
    url = accounts_url or token.accounts_url
    if not url:
        raise OAuthError("the token has no accounts server; pass --accounts-url or --dc")
    if not (token.client_id and token.client_secret and token.refresh_token):
        raise OAuthError("cannot refresh: the token needs a client id, client secret and refresh token")
    return token_request(config, url, "refresh_token", {
        "client_id": token.client_id, "client_secret": token.client_secret, "refresh_token": token.refresh_token})


def revoke_request(config: OAuthConfig, accounts_url: str, refresh_token: str) -> httpx.Request:
    spec = config.raw["revoke"]
    url = accounts_url.rstrip("/") + config.path("revoke")
    values = {str(spec["param"]): refresh_token}
    if spec.get("location", "query") == "query":
        return httpx.Request("POST", f"{url}?{urlencode(values)}", headers={"Accept": "application/json"})
    return httpx.Request("POST", url, data=values, headers={"Accept": "application/json"})


def _body(response: httpx.Response) -> dict | None:
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def describe_error(config: OAuthConfig, body: dict, grant: str | None) -> tuple[str, str]:
    """(error value, one-line explanation) of an error body."""
    error = str(body.get(config.reply_key("error")) or "")
    meaning = config.error_message(error, grant)
    description = body.get(config.reply_key("error_description"))
    parts = [meaning] if meaning else []
    if description and str(description) not in (meaning or ""):
        parts.append(f"Zoho says: {description}")
    return error, "; ".join(parts) or "no explanation given"


def parse_token_reply(config: OAuthConfig, response: httpx.Response, *, grant: str, what: str,
                      secrets: list[str]) -> TokenReply:
    """Read a token-endpoint reply; an `error` field (Zoho sends most with HTTP 200) raises OAuthError."""
    body = _body(response)
    if body is None:
        raise OAuthError(f"{what}: HTTP {response.status_code} with a reply that is not a JSON object",
                         status=response.status_code, secrets=secrets)
    if body.get(config.reply_key("error")):
        error, explanation = describe_error(config, body, grant)
        raise OAuthError(f"{what}: {error}: {explanation}", error=error, status=response.status_code,
                         secrets=secrets)
    access = body.get(config.reply_key("access_token"))
    if response.status_code >= 400 or not isinstance(access, str) or not access:
        raise OAuthError(f"{what}: HTTP {response.status_code} without an access token", secrets=secrets,
                         status=response.status_code)
    try:
        expires_in = int(body.get(config.reply_key("expires_in")) or config.default_expires_in)
    except (TypeError, ValueError):
        expires_in = config.default_expires_in
    scope = body.get(config.reply_key("scope")) or ""
    return TokenReply(
        access_token=access,
        expires_in=expires_in,
        refresh_token=body.get(config.reply_key("refresh_token")) or None,
        api_domain=body.get(config.reply_key("api_domain")) or None,
        scopes=[s for s in str(scope).replace(",", " ").split() if s],
    )


def check_revoke_reply(config: OAuthConfig, response: httpx.Response, *, what: str, secrets: list[str]) -> None:
    body = _body(response)
    if body and body.get(config.reply_key("error")):
        error, explanation = describe_error(config, body, "revoke")
        raise OAuthError(f"{what}: {error}: {explanation}", error=error, secrets=secrets)
    if response.status_code >= 400:
        raise OAuthError(f"{what}: HTTP {response.status_code}", status=response.status_code, secrets=secrets)
