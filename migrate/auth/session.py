"""What every `auth` subcommand shares: options resolved against the environment (names from rules/oauth.yaml),
the store, the servers, picking a stored token, and notes on stderr with every known secret masked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from migrate.auth.config import OAuthConfig, Servers, check_url, load_config, resolve_servers
from migrate.auth.errors import safe
from migrate.auth.store import open_store
from migrate.auth.token import Token, TokenStore
from migrate.errors import ConfigError


@dataclass
class Session:
    """One command run: config, options, the store (opened on first use) and the secrets to mask."""

    accounts_url: str | None
    dc: str | None
    store_spec: str | None
    config: OAuthConfig = field(default_factory=load_config)
    secrets: list[str] = field(default_factory=list)
    _store: TokenStore | None = None

    def __post_init__(self) -> None:
        self.accounts_url = self.accounts_url or self.env("accounts_url")
        if self.accounts_url:
            self.accounts_url = check_url(self.accounts_url, "--accounts-url")
        self.store_spec = self.store_spec or self.env("store")

    # ---- environment and secrets

    def env(self, name: str) -> str | None:
        """The environment variable rules/oauth.yaml names for `name` (empty counts as unset)."""
        return os.environ.get(self.config.env(name)) or None

    def secret(self, value: str | None) -> str | None:
        """Remember a secret value so no note or error ever shows it; returns it unchanged."""
        if value and value not in self.secrets:
            self.secrets.append(value)
        return value

    def remember(self, token: Token) -> Token:
        for value in token.secrets():
            self.secret(value)
        return token

    def note(self, message: str) -> None:
        click.echo(f"zoho-migrate: {safe(message, self.secrets)}", err=True)

    # ---- store and servers

    @property
    def store(self) -> TokenStore:
        if self._store is None:
            self._store = open_store(self.store_spec)
        return self._store

    def servers(self, *, hosts: list[str] | tuple[str, ...] = (), api_domain: str | None = None) -> Servers:
        return resolve_servers(self.config, accounts_url=self.accounts_url, dc=self.dc, hosts=hosts,
                               api_domain=api_domain)

    def accounts_for(self, token: Token) -> str:
        """The accounts server for a stored token: --accounts-url, --dc, its own record, its api_domain."""
        if self.accounts_url:
            return self.accounts_url
        if not self.dc and token.accounts_url:
            return token.accounts_url
        return self.servers(api_domain=token.api_domain).accounts_url

    # ---- picking a token

    def client_credentials(self, client_id: str | None, client_secret: str | None,
                           *, need_secret: bool = True) -> tuple[str, str | None]:
        client_id = client_id or self.env("client_id")
        client_secret = self.secret(client_secret or self.env("client_secret"))
        if not client_id:
            raise ConfigError(f"--client-id is required (or set {self.config.env('client_id')})")
        if need_secret and not client_secret:
            raise ConfigError(f"--client-secret is required (or set {self.config.env('client_secret')})")
        return client_id, client_secret

    def pick(self, token_id: str | None, user_name: str | None, client_id: str | None,
             client_secret: str | None, refresh_token: str | None) -> tuple[Token, bool]:
        """(the token reference, may it be created) from --id, a refresh token (option or environment),
        --user-name, or the only stored token."""
        if token_id:
            return self.by_id(token_id), False
        refresh_token = self.secret(refresh_token or self.env("refresh_token"))
        if refresh_token:
            client_id, client_secret = self.client_credentials(client_id, client_secret)
            stored = self.store.find_token(Token(client_id=client_id, refresh_token=refresh_token))
            if stored is not None:
                # known grant: keep its servers; the given secret wins (it may have been rotated)
                self.remember(stored)
                stored.client_secret = client_secret
                return stored, True
            return Token(user_name=user_name, client_id=client_id, client_secret=client_secret,
                         refresh_token=refresh_token, accounts_url=self.servers().accounts_url), True
        client_id = client_id or self.env("client_id")
        if user_name:
            found = self.store.find_token(Token(user_name=user_name, client_id=client_id))
            if found is None:
                raise ConfigError(f"--user-name {user_name!r}: no such token in the store (see `auth list`)")
            return self.remember(found), False
        tokens = [t for t in self.store.get_tokens() if not client_id or t.client_id == client_id]
        if len(tokens) == 1:
            return self.remember(tokens[0]), False
        if not tokens:
            raise ConfigError(
                "no token stored: run `zoho-migrate auth login` or `auth exchange`, or set "
                f"{self.config.env('client_id')}, {self.config.env('client_secret')} and "
                f"{self.config.env('refresh_token')}")
        raise ConfigError(f"{len(tokens)} tokens stored; pick one with --id (see `zoho-migrate auth list`)")

    def by_id(self, token_id: str) -> Token:
        """A stored token by id or unique id prefix."""
        found = self.store.find_token_by_id(token_id)
        if found is None:
            matches = [t for t in self.store.get_tokens() if t.id and t.id.startswith(token_id)]
            if len(matches) != 1:
                what = "no" if not matches else "more than one"
                raise ConfigError(f"--id {token_id!r}: {what} stored token has this id (see `auth list`)")
            found = matches[0]
        return self.remember(found)


def read_lines(path: Path, option: str) -> list[tuple[str, str]]:
    """(label "file:line", value) for each non-blank, non-comment line of a file given to `option`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{option}: cannot read {path}: {error}") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        if value:
            out.append((f"{path}:{number}", value))
    if not out:
        raise ConfigError(f"{option}: {path} is empty (no values in it; nothing was sent)")
    return out
