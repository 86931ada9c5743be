"""OAuth failures as one clear line: what Zoho said, what it means (rules/oauth.yaml), secrets masked."""

from __future__ import annotations

from collections.abc import Iterable

from migrate.errors import MigrateError
from migrate.secrets import mask_known, mask_text


class OAuthError(MigrateError):
    """The accounts server or an API refused a token operation (exit code 2, one line on stderr)."""

    def __init__(self, message: str, *, secrets: Iterable[str] = (), error: str | None = None,
                 status: int | None = None) -> None:
        self.error = error
        self.status = status
        super().__init__(safe(message, secrets))


def safe(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask the known secrets and anything shaped like a Zoho token in `text`, and keep it on one line."""
    return " ".join(mask_text(mask_known(text, secrets)).split())
