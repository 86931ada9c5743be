"""Call sources (calls file, scan JSON, HAR) and the results file contract (`load_results`)."""

from __future__ import annotations

import json

import pytest

from migrate.errors import ConfigError
from migrate.verify.config import load_verify_config
from migrate.verify.model import CallResult, Difference
from migrate.verify.results import load_results, results_document
from migrate.verify.sources import _static_url, calls_from_har, calls_from_scan, load_calls_file


@pytest.fixture(scope="module")
def config(ruleset):
    return load_verify_config(ruleset)


def test_calls_file_strips_credentials_and_reads_both_sides(tmp_path, config):
    path = tmp_path / "calls.yaml"
    path.write_text("calls:\n"
                    "  - id: items\n"
                    "    legacy: {url: 'https://invoice.zoho.com/api/items/?authtoken=abc&Page=2'}\n"
                    "    oauth: {method: get, url: 'https://www.zohoapis.com/invoice/v3/items',\n"
                    "            headers: {Authorization: 'Zoho-oauthtoken x', X-Trace: '1'}}\n")
    (call,) = load_calls_file(path, config)
    assert call.legacy.url == "https://invoice.zoho.com/api/items/?Page=2"
    assert call.oauth is not None and call.oauth.method == "GET" and call.oauth.headers == (("X-Trace", "1"),)
    assert call.source == "calls.yaml:2"


@pytest.mark.parametrize(("text", "message"), [
    ("calls: {}", "top-level `calls:` list"),
    ("calls:\n  - id: a\n", "`legacy` is required"),
    ("calls:\n  - id: a\n    legacy: {url: 'invoice.zoho.com/api/items/'}\n", "absolute URL"),
    ("calls:\n  - {id: a, legacy: {url: 'https://x.zoho.com/'}}\n  - {id: a, legacy: {url: 'https://x.zoho.com/'}}\n",
     "duplicate call id"),
    ("calls:\n  - {id: a, legacy: {url: 'https://x.zoho.com/'}, extra: 1}\n", "unknown keys: extra"),
    ("calls: [\n", "invalid YAML"),
])
def test_calls_file_errors_name_the_file(tmp_path, config, text, message):
    path = tmp_path / "calls.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_calls_file(path, config)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(("snippet", "url"), [
    ('url = "https://invoice.zoho.com/api/invoices/?authtoken=" + T', "https://invoice.zoho.com/api/invoices/?authtoken="),
    ('requests.get("https://invoice.zoho.com/api/items/")', "https://invoice.zoho.com/api/items/"),
    ('requests.get("https://invoice.zoho.com/api/items/" + item_id)', None),
    ('BASE + "items/",', "https://invoice.zoho.com/api/items/"),
    ('f"{BASE}customers/"', "https://invoice.zoho.com/api/customers/"),
    ('OTHER + "items/"', None),
])
def test_static_urls_from_scan_snippets(snippet, url):
    assert _static_url(snippet, {"BASE": "https://invoice.zoho.com/api/"}) == url


def test_scan_source_rejects_other_json(tmp_path, ruleset, config):
    path = tmp_path / "scan.json"
    path.write_text('{"results": []}')
    with pytest.raises(ConfigError, match="not a scan result"):
        calls_from_scan(path, ruleset, config)
    path.write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        calls_from_scan(path, ruleset, config)


def test_har_source_dedupes_and_strips(tmp_path, ruleset, config):
    entry = {"request": {"method": "GET", "url": "https://invoice.zoho.com/api/items/?authtoken=zzz&Page=1",
                         "headers": [{"name": "Authorization", "value": "Zoho-authtoken zzz"},
                                     {"name": ":authority", "value": "invoice.zoho.com"}]}}
    path = tmp_path / "a.har"
    path.write_text(json.dumps({"log": {"entries": [entry, entry]}}))
    (call,) = calls_from_har(path, ruleset, config)
    assert call.legacy.url == "https://invoice.zoho.com/api/items/?Page=1" and call.legacy.headers == ()
    path.write_text('{"log": {}}')
    with pytest.raises(ConfigError, match="not a HAR file"):
        calls_from_har(path, ruleset, config)


def _doc():
    return results_document([
        CallResult("a", "match", legacy_status=200, oauth_status=200, message="same data"),
        CallResult("b", "mismatch", [Difference("items[1].rate", 34, 99)], ["sku"], ["Item/Tax2Name"], 200, 200),
        CallResult("c", "skipped", message="POST call not sent"),
    ])


def test_load_results_round_trip(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_doc()))
    doc = load_results(path)
    assert doc["summary"] == {"match": 1, "mismatch": 1, "error": 0, "skipped": 1}
    assert doc["results"][1]["differences"] == [{"path": "items[1].rate", "legacy": 34, "oauth": 99}]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(version=2), "`version` must be 1"),
    (lambda d: d["results"][0].update(status="ok"), r"results\[0\].status must be one of"),
    (lambda d: d["results"][1]["differences"].append({"path": "x"}), r"differences\[1\] must be"),
    (lambda d: d["results"][0].pop("legacy_status"), r"results\[0\].legacy_status must be int"),
    (lambda d: d["summary"].update(match=5), "does not match the results"),
    (lambda d: d.pop("results"), "`results` must be a list"),
])
def test_load_results_rejects_broken_documents(tmp_path, change, message):
    doc = _doc()
    change(doc)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=message):
        load_results(path)


def test_load_results_unreadable(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_results(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_results(tmp_path / "bad.json")
