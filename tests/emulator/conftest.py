"""Helpers for the emulator's own tests: an httpx client and the parameters each API style wants."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree


@pytest.fixture
def http(emulator):
    with httpx.Client(base_url=emulator.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def legacy(emulator):
    """The three parameters every legacy Invoice XML call carries."""
    c = emulator.credentials
    return {"authtoken": c.authtoken, "apikey": c.apikey, "scope": "invoiceapi"}


@pytest.fixture
def oauth(emulator):
    """Headers for a v3 call with the seeded access token and organization."""
    c = emulator.credentials
    return {"Authorization": f"Zoho-oauthtoken {c.access_token}",
            "X-com-zoho-invoice-organizationid": c.organization_id}


def xml(response: httpx.Response):
    """Parse an XML reply the safe way (no DTD, no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(response.content, parser)


def ok_xml(response: httpx.Response):
    assert response.status_code == 200, response.text
    root = xml(response)
    assert root.get("status") == "1", response.text
    return root
