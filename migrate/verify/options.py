"""What a verification run is given: the credentials it adds to calls and the options it runs with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrate.verify.config import HttpSettings


@dataclass
class Credentials:
    """What the verifier adds to calls (from options or ZOHO_* environment variables); never printed."""

    authtoken: str | None = None
    apikey: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    access_token: str | None = None
    organization_id: str | None = None
    store: str | None = None

    def secrets(self) -> list[str | None]:
        return [self.authtoken, self.apikey, self.client_secret, self.refresh_token, self.access_token]


@dataclass
class Options:
    legacy_base: str | None = None
    oauth_base: str | None = None
    accounts_url: str | None = None
    allow_writes: bool = False
    calibrate: bool = False
    ignore: tuple[str, ...] = ()
    record: Path | None = None
    replay: Path | None = None
    live_oauth: bool = False  # with `replay`: legacy answers from the cassettes, OAuth calls go live
    allow_hosts: tuple[str, ...] = ()  # --allow-host: hosts trusted with credentials besides Zoho's

    @property
    def replaying_legacy(self) -> bool:
        return self.replay is not None

    @property
    def replaying_oauth(self) -> bool:
        return self.replay is not None and not self.live_oauth
    http: HttpSettings | None = None
