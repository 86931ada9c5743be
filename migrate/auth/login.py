"""The browser half of OAuth: the authorization URL, its `state`, reading the redirect, and an optional
loopback catcher on 127.0.0.1 (like `gcloud auth login`) that receives the redirect itself.

`state` is random per login and checked: a redirect with another state is refused (400) and the catcher keeps
waiting, so a stray or forged request cannot end the login or plant someone else's code.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from migrate.auth.config import OAuthConfig
from migrate.errors import ConfigError

PAGE = "<!doctype html><html><head><title>zoho-migrate</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"


def new_state() -> str:
    return secrets.token_urlsafe(24)


def authorization_url(config: OAuthConfig, accounts_url: str, client_id: str, scopes: list[str],
                      redirect_uri: str, state: str) -> str:
    """`{accounts}/oauth/v2/auth?scope=..&client_id=..&response_type=code&access_type=offline&prompt=consent..`"""
    params = {"scope": config.scope_separator.join(scopes), "client_id": client_id, **config.authorize_params,
              "redirect_uri": redirect_uri, "state": state}
    return f"{accounts_url.rstrip('/')}{config.path('authorize')}?{urlencode(params)}"


@dataclass(frozen=True)
class Redirect:
    """What the accounts server sent back to the redirect URI."""

    code: str | None
    state: str | None
    error: str | None
    location: str | None
    accounts_server: str | None

    @classmethod
    def parse(cls, value: str) -> Redirect:
        """From a full redirect URL, a bare query string, or a bare code."""
        value = value.strip()
        if "://" in value or value.startswith("?") or "code=" in value or "error=" in value:
            query = urlsplit(value).query if "://" in value else value.lstrip("?")
            params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
            return cls(params.get("code") or None, params.get("state"), params.get("error") or None,
                       params.get("location"), params.get("accounts-server"))
        return cls(value or None, None, None, None, None)

    def check_state(self, expected: str | None) -> None:
        if expected is None:
            return
        if self.state is None or not hmac.compare_digest(self.state, expected):
            raise ConfigError("--state: the redirect's state does not match this login; refusing the code "
                              "(start again with `zoho-migrate auth login`)")


class LoopbackCatcher:
    """A one-shot HTTP server on 127.0.0.1 that waits for the redirect carrying this login's state."""

    def __init__(self, state: str, host: str = "127.0.0.1", port: int = 0, path: str = "/oauth/callback") -> None:
        self.state = state
        self.path = path
        self.result: Redirect | None = None
        self.refused = 0
        self._done = threading.Event()
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass  # the query holds the grant code: never log it

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                parts = urlsplit(self.path)
                if parts.path != catcher.path:
                    self._reply(404, "Not found", "This is zoho-migrate's login catcher.")
                    return
                redirect = Redirect.parse("?" + parts.query)
                if redirect.state is None or not hmac.compare_digest(redirect.state, catcher.state):
                    catcher.refused += 1
                    self._reply(400, "State mismatch", "This redirect does not belong to the running login.")
                    return
                catcher.result = redirect
                if redirect.error:
                    self._reply(400, "Authorization refused", f"Zoho said: {redirect.error}. See the terminal.")
                else:
                    self._reply(200, "Signed in", "zoho-migrate received the grant; you can close this tab.")
                catcher._done.set()

            def _reply(self, status: int, title: str, text: str) -> None:
                body = PAGE.format(title=title, text=text).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        try:
            self._server = HTTPServer((host, port), Handler)
        except OSError as error:
            raise ConfigError(f"--port {port}: cannot listen on {host}:{port} ({error.strerror})") from None
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    def start(self) -> LoopbackCatcher:
        self._thread.start()
        return self

    def wait(self, timeout: float) -> Redirect:
        """The redirect with this login's state; ConfigError after `timeout` seconds without one."""
        try:
            if not self._done.wait(timeout):
                raise ConfigError(f"--timeout: no redirect with this login's state arrived within {timeout:.0f}s")
            assert self.result is not None
            return self.result
        finally:
            self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
