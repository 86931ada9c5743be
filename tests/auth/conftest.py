"""Fixtures for the auth tests: a private HOME, a tmp store, and a CLI runner pointed at the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.auth.config import OAuthConfig, load_config
from tests.auth.helpers import clean_env
from tests.conftest import run_cli


@pytest.fixture(scope="session")
def oauth_config() -> OAuthConfig:
    return load_config()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "tokens.db"


@pytest.fixture
def auth_cli(emulator, home, store_path):
    """Run `zoho-migrate auth SUB ... --accounts-url <emulator> --store sqlite:<tmp>` in a subprocess."""

    def run(sub: str, *args: str, env: dict[str, str] | None = None, store: str | None = None,
            accounts: bool = True, input_text: str | None = None):
        options = ["--store", store or f"sqlite:{store_path}"]
        if accounts:
            options += ["--accounts-url", emulator.base_url]
        return run_cli("auth", sub, *args, *options, env=env or clean_env(home), input_text=input_text)

    return run


@pytest.fixture
def cred_env(emulator, home) -> dict[str, str]:
    """A clean environment holding only the OAuth client and refresh token (what `auth token` needs)."""
    c = emulator.credentials
    return clean_env(home, ZOHO_CLIENT_ID=c.client_id, ZOHO_CLIENT_SECRET=c.client_secret,
                     ZOHO_REFRESH_TOKEN=c.refresh_token)
