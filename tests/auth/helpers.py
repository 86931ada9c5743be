"""Plain helpers for the auth tests (importable: `from tests.auth.helpers import ...`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """os.environ without ZOHO_* (nothing leaks in from the developer's shell), with a private HOME/XDG."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOHO_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def emulator_secrets(emulator) -> list[str]:
    c = emulator.credentials
    return [c.client_secret, c.refresh_token, c.access_token, c.authtoken, c.password]


def assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    for secret in secrets:
        if secret:
            assert secret not in text, f"secret {secret[:4]}… appears in the output"
