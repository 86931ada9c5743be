"""Noise calibration: a field that changes between two identical legacy calls is volatile, not a mismatch."""

from __future__ import annotations

import itertools
import json

import httpx

from migrate.verify.config import load_verify_config
from migrate.verify.model import Call, Endpoint
from migrate.verify.runner import Credentials, Options, Verifier


def _server():
    counter = itertools.count()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/"):
            stamp = next(counter)  # e.g. a "last viewed" text the legacy API rewrote on every call
            body = (f'<Response status="1"><Items><Item><ItemID>1</ItemID><Name>A</Name>'
                    f'<Description>seen {stamp}</Description><Rate>5.00</Rate></Item></Items></Response>')
            return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})
        assert request.headers["Authorization"] == "Zoho-oauthtoken 1000.tok"
        reply = {"code": 0, "items": [{"item_id": "1", "name": "A", "description": "seen 99", "rate": 5}]}
        return httpx.Response(200, content=json.dumps(reply).encode())

    return httpx.MockTransport(handler)


def _run(ruleset, calibrate: bool):
    creds = Credentials(authtoken="a" * 32, apikey="k", access_token="1000.tok", organization_id="1")
    options = Options(calibrate=calibrate)
    call = Call("items", Endpoint("GET", "https://invoice.zoho.com/api/items/"))
    return Verifier(ruleset, creds, options, config=load_verify_config(ruleset), transport=_server()).run([call])


def test_without_calibration_the_noise_is_a_mismatch(ruleset):
    result = _run(ruleset, calibrate=False).results[0]
    assert result.status == "mismatch" and [d.path for d in result.differences] == ["items[1].description"]


def test_calibration_marks_the_changing_field_volatile(ruleset):
    report = _run(ruleset, calibrate=True)
    result = report.results[0]
    assert result.status == "match", result.differences
    assert "description (volatile)" in result.not_compared
    assert report.requests == 3  # legacy twice, OAuth once
