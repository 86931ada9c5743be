"""The Token record and the TokenStore protocol, shaped like Zoho's SDKs so users can bring their own store.

`expiry_time` is the access token's expiry in epoch **milliseconds** (as Zoho's SDKs store it), or None when
no access token is held. `scopes` is a list of scope strings.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol, runtime_checkable

from migrate.secrets import mask_value

# fields that hold credentials: never shown unmasked outside the store and `auth token`'s stdout
SECRET_FIELDS = ("client_secret", "refresh_token", "access_token", "grant_token")
STORE_METHODS = ("find_token", "save_token", "delete_token", "get_tokens", "delete_tokens", "find_token_by_id")


@dataclass
class Token:
    """One OAuth grant as stored: client, refresh token, current access token and where they are valid."""

    id: str | None = None
    user_name: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    access_token: str | None = None
    grant_token: str | None = None
    expiry_time: int | None = None  # epoch milliseconds
    redirect_url: str | None = None
    api_domain: str | None = None
    accounts_url: str | None = None
    scopes: list[str] = field(default_factory=list)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Token:
        """Build from a stored mapping, ignoring unknown keys (a newer store format stays readable)."""
        values = {k: raw.get(k) for k in cls.field_names() if k in raw}
        scopes = values.get("scopes")
        if isinstance(scopes, str):
            values["scopes"] = [s for s in scopes.replace(" ", ",").split(",") if s]
        elif scopes is None:
            values["scopes"] = []
        if values.get("expiry_time") not in (None, ""):
            values["expiry_time"] = int(values["expiry_time"])
        else:
            values["expiry_time"] = None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def secrets(self) -> list[str]:
        """The secret values this token holds (for `mask_known` on any text that might echo them)."""
        return [v for v in (getattr(self, name) for name in SECRET_FIELDS) if v]

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds until the access token expires (negative when expired), None when unknown or absent."""
        if not self.access_token or self.expiry_time is None:
            return None
        return self.expiry_time / 1000.0 - (time.time() if now is None else now)

    def is_fresh(self, margin_seconds: float, now: float | None = None) -> bool:
        """True when the access token is valid for longer than `margin_seconds`."""
        left = self.seconds_left(now)
        return left is not None and left > margin_seconds

    def masked(self) -> dict[str, Any]:
        """A display copy: secrets masked, everything else as is."""
        shown = self.to_dict()
        for name in SECRET_FIELDS:
            if shown.get(name):
                shown[name] = mask_value(shown[name])
        return shown

    def matches(self, other: Token) -> bool:
        """Is `self` (stored) the record `other` (a query) refers to? Same rule as the SQL in SQLiteTokenStore.

        The client id must agree when the query has one; then the first credential the query holds decides:
        refresh token, else grant token, else access token, else user name.
        """
        if other.client_id and self.client_id != other.client_id:
            return False
        for name in ("refresh_token", "grant_token", "access_token", "user_name"):
            wanted = getattr(other, name)
            if wanted:
                return getattr(self, name) == wanted
        return False


@runtime_checkable
class TokenStore(Protocol):
    """The six operations of Zoho's SDK token stores; any object with them works (`python:module:Class`)."""

    def find_token(self, token: Token) -> Token | None:
        """The stored record `token` refers to (see Token.matches), or None."""
        ...

    def save_token(self, token: Token) -> None:
        """Insert or update; sets `token.id` when it was None (an existing matching record is updated)."""
        ...

    def delete_token(self, id: str) -> None:  # noqa: A002 - Zoho's SDK parameter name
        """Delete one record by id (no error when it is not there)."""
        ...

    def get_tokens(self) -> list[Token]:
        """Every stored record."""
        ...

    def delete_tokens(self) -> None:
        """Delete every record."""
        ...

    def find_token_by_id(self, id: str) -> Token | None:  # noqa: A002 - Zoho's SDK parameter name
        """One record by id, or None."""
        ...
