"""Helpers for the verifier's tests: calls files, an in-process verifier against the emulator, fast retries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from migrate.verify.config import load_verify_config
from migrate.verify.runner import Credentials, Options, RunReport, Verifier

INVOICE = "https://invoice.zoho.com"

# a spread of read calls over every record kind the emulator serves; paging forced on items (2 pages)
CLEAN_CALLS = [
    {"id": "items", "legacy": {"method": "GET", "url": f"{INVOICE}/api/items/?Per_Page=3"}},
    {"id": "item", "legacy": {"url": f"{INVOICE}/api/items/4000000002011"}},
    {"id": "customers", "legacy": {"url": f"{INVOICE}/api/customers/"}},
    {"id": "customer", "legacy": {"url": f"{INVOICE}/api/customers/4000000001019"}},
    {"id": "invoices", "legacy": {"url": f"{INVOICE}/api/invoices/"}},
    {"id": "invoice", "legacy": {"url": f"{INVOICE}/api/invoices/4000000003001"}},
    {"id": "estimates", "legacy": {"url": f"{INVOICE}/api/estimates/"}},
    {"id": "payments", "legacy": {"url": f"{INVOICE}/api/payments/"}},
    {"id": "v3-items", "legacy": {"url": f"{INVOICE}/api/v3/items"}},
]


def write_calls(directory: Path, calls: list[dict], name: str = "calls.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump({"calls": calls}, sort_keys=False), encoding="utf-8")
    return path


def credentials_for(emulator, **changes) -> Credentials:
    c = emulator.credentials
    creds = Credentials(authtoken=c.authtoken, apikey=c.apikey, client_id=c.client_id,
                        client_secret=c.client_secret, refresh_token=c.refresh_token,
                        organization_id=c.organization_id)
    return dataclasses.replace(creds, **changes)


@pytest.fixture
def verify_with(ruleset, emulator):
    """Run calls through an in-process Verifier against the emulator (real HTTP on 127.0.0.1)."""

    def run(calls, *, credentials: Credentials | None = None, notes: list[str] | None = None,
            **options) -> RunReport:
        from migrate.verify.model import Call, Endpoint

        config = load_verify_config(ruleset)
        http = dataclasses.replace(config.http, backoff_seconds=0.01, backoff_max_seconds=0.05,
                                   **options.pop("http", {}))
        base = emulator.base_url
        opts = Options(legacy_base=base, oauth_base=base, accounts_url=base, http=http, **options)
        verifier = Verifier(ruleset, credentials or credentials_for(emulator), opts, config=config,
                            note=(notes.append if notes is not None else None))
        parsed = [c if isinstance(c, Call) else Call(
            c["id"], Endpoint(c["legacy"].get("method", "GET"), c["legacy"]["url"],
                              form=tuple((c["legacy"].get("form") or {}).items())),
            Endpoint(c["oauth"].get("method", "GET"), c["oauth"]["url"]) if c.get("oauth") else None)
            for c in calls]
        return verifier.run(parsed)

    return run


def by_id(report: RunReport) -> dict:
    return {r.id: r for r in report.results}
