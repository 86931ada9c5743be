"""The verifier against the Zoho emulator over real HTTP: clean runs match, every injected fault is caught."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest

from migrate.verify.results import results_document
from tests.verify.conftest import CLEAN_CALLS, INVOICE, by_id, credentials_for

SCHEMA = {
    "type": "object",
    "required": ["version", "results", "summary"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "results": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "status", "differences", "additions", "not_compared", "legacy_status",
                         "oauth_status", "message"],
            "properties": {
                "id": {"type": "string"},
                "status": {"enum": ["match", "mismatch", "error", "skipped"]},
                "differences": {"type": "array", "items": {
                    "type": "object", "required": ["path", "legacy", "oauth"], "additionalProperties": False,
                    "properties": {"path": {"type": "string"}, "legacy": {}, "oauth": {}}}},
                "additions": {"type": "array", "items": {"type": "string"}},
                "not_compared": {"type": "array", "items": {"type": "string"}},
                "legacy_status": {"type": "integer"}, "oauth_status": {"type": "integer"},
                "message": {"type": "string"}}}},
        "summary": {"type": "object", "additionalProperties": False,
                    "required": ["match", "mismatch", "error", "skipped"],
                    "properties": {k: {"type": "integer"} for k in ("match", "mismatch", "error", "skipped")}},
    },
}


def test_clean_run_all_match_and_pages_are_followed(verify_with, emulator):
    report = verify_with(CLEAN_CALLS)
    statuses = {r.id: r.status for r in report.results}
    assert statuses == dict.fromkeys(statuses, "match"), [r.message for r in report.results]
    results = by_id(report)
    assert results["items"].legacy_status == 200 and results["items"].oauth_status == 200
    # Per_Page=3 over 4 items: two pages on each side, the second asked for explicitly
    legacy_pages = emulator.log.find(path="/api/items/")
    assert [e.query.get("Page") for e in legacy_pages] == [None, "2"]
    oauth_pages = emulator.log.find(path="/invoice/v3/items")
    assert sorted(e.query.get("page") or "1" for e in oauth_pages if e.query.get("per_page") == "3") == ["1", "2"]
    # unmapped legacy fields are listed, never mismatches; v3-only fields are additions
    assert "Item/Tax2Name" in results["items"].not_compared
    assert "sku" in results["items"].additions
    jsonschema.validate(results_document(report.results), SCHEMA)


def test_credentials_are_added_by_the_verifier(verify_with, emulator):
    verify_with(CLEAN_CALLS[:1])
    c = emulator.credentials
    legacy = emulator.log.find(path="/api/items/")[0]
    assert legacy.query["authtoken"] == c.authtoken and legacy.query["apikey"] == c.apikey
    assert legacy.query["scope"] == "invoiceapi" and legacy.meant_host == "invoice.zoho.com"
    oauth = emulator.log.find(path="/invoice/v3/items")[0]
    assert oauth.headers["authorization"].startswith("Zoho-oauthtoken 1000.")
    assert oauth.query["organization_id"] == c.organization_id and oauth.meant_host == "www.zohoapis.com"
    assert "authtoken" not in oauth.query


def test_changed_field_is_reported_on_the_right_call_and_field(verify_with, emulator):
    emulator.faults.set_field("items", "4000000002011", "rate", 99, side="oauth")
    results = by_id(verify_with(CLEAN_CALLS))
    items = results["items"]
    assert items.status == "mismatch"
    assert [(d.path, d.legacy, d.oauth) for d in items.differences] == [("items[4000000002011].rate", 34, 99)]
    assert [(d.path, d.legacy, d.oauth) for d in results["item"].differences] == [("item.rate", 34, 99)]
    assert results["customers"].status == "match" and results["invoices"].status == "match"
    assert [d.path for d in results["v3-items"].differences] == ["items[4000000002011].rate"]


def test_changed_nested_and_line_fields(verify_with, emulator):
    emulator.faults.set_field("contacts", "4000000001019", "billing_address.city", "Berlin", side="oauth")
    emulator.faults.set_field("invoices", "4000000003001", "reference_number", "PO-1", side="legacy")
    results = by_id(verify_with(CLEAN_CALLS))
    assert [(d.path, d.legacy, d.oauth) for d in results["customer"].differences] == [
        ("contact.billing_address.city", "München", "Berlin")]
    assert [(d.path, d.legacy, d.oauth) for d in results["invoices"].differences] == [
        ("invoices[4000000003001].reference_number", "PO-1", "PO-7781")]


def test_dropped_record_is_a_difference_matched_by_key_not_position(verify_with, emulator):
    # dropping the first record shifts every position: only the missing record may be reported
    emulator.faults.drop_record("items", "4000000002011", side="oauth")
    emulator.faults.drop_record("contacts", "4000000001027", side="legacy")
    results = by_id(verify_with(CLEAN_CALLS))
    items = results["items"]
    assert items.status == "mismatch"
    assert [d.path for d in items.differences] == ["items[4000000002011]"]
    assert items.differences[0].oauth is None and items.differences[0].legacy["name"] == "Hard drive"
    customers = results["customers"]
    assert [d.path for d in customers.differences] == ["contacts[4000000001027]"]
    assert customers.differences[0].legacy is None and customers.differences[0].oauth["contact_name"] == "Acme Widgets"


def test_5xx_is_retried_within_limits(verify_with, emulator):
    emulator.faults.fail_next(2, status=503, path="/invoice/v3/invoices")
    report = verify_with(CLEAN_CALLS[4:5])
    assert report.results[0].status == "match"
    statuses = [e.status for e in emulator.log.find(path="/invoice/v3/invoices")]
    assert statuses == [503, 503, 200]
    assert report.retries == 2


def test_5xx_beyond_the_retry_limit_is_an_error_on_that_call(verify_with, emulator):
    emulator.faults.fail_next(None, status=500, path="/api/items/")
    results = by_id(verify_with(CLEAN_CALLS[:3], http={"retries": 2}))
    items = results["items"]
    assert items.status == "error" and items.legacy_status == 500
    assert "legacy: HTTP 500 after 3 attempts" in items.message
    assert len(emulator.log.find(path="/api/items/")) == 3
    assert results["customers"].status == "match"


def test_429_storm_honours_retry_after(verify_with, emulator):
    emulator.faults.rate_limit_storm(2, retry_after=1, path="/invoice/v3/estimates")
    started = time.monotonic()
    report = verify_with([c for c in CLEAN_CALLS if c["id"] == "estimates"])
    elapsed = time.monotonic() - started
    assert report.results[0].status == "match"
    assert [e.status for e in emulator.log.find(path="/invoice/v3/estimates")] == [429, 429, 200]
    assert elapsed >= 2.0  # two Retry-After: 1 waits, not the 10 ms test backoff


def test_latency_beyond_the_timeout_is_an_error_naming_the_call(verify_with, emulator):
    emulator.faults.latency(800, path="/invoice/v3/contacts/4000000001019")
    results = by_id(verify_with(CLEAN_CALLS[2:4], http={"timeout_seconds": 0.3, "retries": 1}))
    assert results["customer"].status == "error"
    assert "oauth:" in results["customer"].message and "Timeout" in results["customer"].message
    assert "after 2 attempts" in results["customer"].message
    assert results["customers"].status == "match"


def test_latency_within_the_timeout_still_matches(verify_with, emulator):
    emulator.faults.latency(100)
    report = verify_with(CLEAN_CALLS[:2])
    assert [r.status for r in report.results] == ["match", "match"]


def test_malformed_xml_is_an_error_on_that_call(verify_with, emulator):
    emulator.faults.malformed_xml(path="/api/invoices/4000000003001")
    results = by_id(verify_with(CLEAN_CALLS))
    assert results["invoice"].status == "error"
    assert "legacy: legacy reply is not well-formed XML" in results["invoice"].message
    assert [r.status for r in results.values()].count("match") == len(CLEAN_CALLS) - 1


def test_malformed_json_is_an_error_on_that_call(verify_with, emulator):
    emulator.faults.malformed_json(path="/invoice/v3/items/4000000002011")
    results = by_id(verify_with(CLEAN_CALLS[:2]))
    assert results["item"].status == "error" and "oauth: reply is not valid JSON" in results["item"].message


@pytest.mark.parametrize("kind", ["billion_laughs", "external_entity"])
def test_hostile_xml_is_refused_without_expansion(verify_with, emulator, kind):
    emulator.faults.hostile_xml(kind, path="/api/items/4000000002011")
    results = by_id(verify_with(CLEAN_CALLS[:2]))
    item = results["item"]
    assert item.status == "error"
    assert "declares a DOCTYPE" in item.message and "nothing was expanded" in item.message
    assert "lollol" not in item.message and "root:" not in item.message
    assert len(item.message) < 300
    assert results["items"].status == "match"


def test_expired_token_is_refreshed_once_for_all_concurrent_calls(verify_with, emulator):
    creds = credentials_for(emulator, access_token=emulator.credentials.access_token)
    emulator.faults.expire_tokens()
    report = verify_with(CLEAN_CALLS, credentials=creds, http={"concurrency": 8})
    assert {r.status for r in report.results} == {"match"}
    assert len(emulator.log.refreshes()) == 1
    assert report.refreshes == 1
    assert emulator.log.find(style="v3", status=401), "the seeded token was tried first"


def test_a_refused_refresh_is_one_clear_masked_error(verify_with, emulator):
    from migrate.errors import ConfigError

    emulator.faults.expire_tokens()
    bad = "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"
    creds = credentials_for(emulator, access_token=emulator.credentials.access_token, refresh_token=bad)
    with pytest.raises(ConfigError) as caught:
        verify_with(CLEAN_CALLS[:1], credentials=creds)
    text = str(caught.value)
    assert "invalid_code" in text and "token refresh" in text
    assert bad not in text and emulator.credentials.client_secret not in text
    assert len(emulator.log.refreshes()) == 1


def test_write_calls_are_skipped_and_never_reach_the_server(verify_with, emulator):
    calls = [
        {"id": "create", "legacy": {"method": "POST", "url": f"{INVOICE}/api/items/create",
                                    "form": {"XMLString": "<Item><Name>New</Name></Item>"}}},
        {"id": "delete", "legacy": {"method": "POST", "url": f"{INVOICE}/api/items/delete/4000000002011"}},
        CLEAN_CALLS[1],
    ]
    results = by_id(verify_with(calls))
    assert results["create"].status == "skipped" and results["delete"].status == "skipped"
    assert "--allow-writes" in results["create"].message
    assert results["create"].legacy_status == 0 and results["create"].oauth_status == 0
    assert not emulator.log.writes()
    assert not emulator.log.find(path_prefix="/api/items/create")
    assert not emulator.log.find(method="DELETE") and not emulator.log.find(method="POST", style="invoice-xml")
    assert results["item"].status == "match"


def test_allow_writes_sends_both_sides(verify_with, emulator):
    calls = [{"id": "create", "legacy": {"method": "POST", "url": f"{INVOICE}/api/items/create",
                                         "form": {"XMLString": "<Item><Name>Pen</Name><Rate>2.50</Rate></Item>"}},
              "oauth": {"method": "POST", "url": "https://www.zohoapis.com/invoice/v3/items"}}]
    from migrate.verify.model import Call, Endpoint

    call = Call("create", Endpoint("POST", calls[0]["legacy"]["url"], form=tuple(calls[0]["legacy"]["form"].items())),
                Endpoint("POST", calls[0]["oauth"]["url"], form=(("JSONString", '{"name": "Pen B", "rate": 2.5}'),)))
    result = verify_with([call], allow_writes=True).results[0]
    assert len(emulator.log.writes()) == 2
    # both styles write to the same organization: two records (names must differ), the rate agrees
    assert result.status == "mismatch", result.message
    assert sorted(d.path for d in result.differences) == ["item.item_id", "item.name"]


def test_ignore_list_turns_a_difference_into_not_compared(verify_with, emulator):
    emulator.faults.set_field("items", "4000000002011", "rate", 99, side="oauth")
    report = verify_with(CLEAN_CALLS[:1], ignore=("rate",))
    assert report.results[0].status == "match"
    assert "rate (ignored)" in report.results[0].not_compared


def test_rate_limit_keeps_under_the_servers_limit(verify_with, emulator):
    emulator.faults.set_rate_limit(4, 0.5)
    calls = [dict(c, id=f"{c['id']}-{n}") for n in range(2) for c in CLEAN_CALLS[4:8]]
    started = time.monotonic()
    report = verify_with(calls, http={"rate_limit_per_minute": 4, "rate_limit_window_seconds": 0.5,
                                      "retries": 0})
    assert {r.status for r in report.results} == {"match"}, [r.message for r in report.results]
    assert not emulator.log.find(status=429)
    # 16 requests at 4 per half second (both styles share the organization's budget)
    assert time.monotonic() - started >= 1.5
    assert report.rate_limit_wait > 0


def test_unknown_url_and_manual_family(verify_with, emulator):
    calls = [{"id": "unknown", "legacy": {"url": "https://example.com/api/x"}},
             {"id": "manual", "legacy": {"url": "https://crm.zoho.com/crm/private/xml/Leads/convertLead"}}]
    results = by_id(verify_with(calls))
    assert results["unknown"].status == "error" and "endpoint map" in results["unknown"].message
    assert results["manual"].status == "skipped" and "no mechanical v2 equivalent" in results["manual"].message
    assert len(emulator.log) == 0


def test_token_store_is_used_and_refreshed_through_the_auth_stage(verify_with, emulator, tmp_path):
    from migrate.auth.store import open_store

    spec = f"sqlite:{tmp_path / 'tokens.db'}"
    creds = credentials_for(emulator, store=spec)
    first = verify_with(CLEAN_CALLS[:2], credentials=creds)
    assert {r.status for r in first.results} == {"match"}
    assert len(emulator.log.refreshes()) == 1
    (stored,) = open_store(spec).get_tokens()
    assert stored.access_token and stored.client_id == emulator.credentials.client_id
    # a second run reuses the stored access token: no refresh
    second = verify_with(CLEAN_CALLS[:2], credentials=creds)
    assert {r.status for r in second.results} == {"match"} and len(emulator.log.refreshes()) == 1
    # revoked/expired at Zoho: the 401 triggers one refresh, saved back to the store
    emulator.faults.expire_tokens()
    third = verify_with(CLEAN_CALLS[:3], credentials=creds)
    assert {r.status for r in third.results} == {"match"} and len(emulator.log.refreshes()) == 2
    assert open_store(spec).get_tokens()[0].access_token != stored.access_token


CRM = "https://crm.zoho.com/crm/private"


def test_crm_v1_xml_and_json_against_v2_with_index_paging(verify_with, emulator):
    calls = [{"id": "leads-xml", "legacy": {"url": f"{CRM}/xml/Leads/getRecords?fromIndex=1&toIndex=2"}},
             {"id": "leads-json", "legacy": {"url": f"{CRM}/json/Leads/getRecords"}},
             {"id": "lead-none", "legacy": {"url": f"{CRM}/xml/Leads/getRecordById?id=999"}}]
    results = by_id(verify_with(calls))
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(results, "match"), \
        [r.message for r in results.values()]
    # two rows a page on the legacy side until a short page; v2 serves everything in one page
    ranges = [(e.query["fromIndex"], e.query["toIndex"]) for e in emulator.log.find(path="/crm/private/xml/Leads/getRecords")]
    assert ranges[:2] == [("1", "2"), ("3", "4")] and len(ranges) >= 2
    assert "row/Lead Status" in results["leads-xml"].not_compared  # CRM v1 labels not in the field map
    assert results["lead-none"].oauth_status == 204


def test_crm_changed_field_found_in_both_legacy_formats(verify_with, emulator):
    emulator.faults.set_field("Leads", "2000000017001", "Last_Name", "Marier", side="oauth")
    calls = [{"id": "xml", "legacy": {"url": f"{CRM}/xml/Leads/getRecords"}},
             {"id": "json", "legacy": {"url": f"{CRM}/json/Leads/getRecords"}}]
    results = by_id(verify_with(calls))
    for call_id in ("xml", "json"):
        assert [(d.path, d.legacy, d.oauth) for d in results[call_id].differences] == [
            ("data[2000000017001].Last_Name", "Marrier", "Marier")], results[call_id].message


def test_secrets_in_differing_values_are_masked(verify_with, emulator):
    token = emulator.credentials.authtoken
    emulator.faults.set_field("items", "4000000002011", "description", f"key {token}", side="oauth")
    result = by_id(verify_with(CLEAN_CALLS[1:2]))["item"]
    assert [d.path for d in result.differences] == ["item.description"]
    shown = json.dumps(result.to_json())
    assert token not in shown and f"key {token[:4]}…{token[-4:]}" in result.differences[0].oauth


def test_without_an_organization_id_the_default_organization_is_used(verify_with, emulator):
    notes: list[str] = []
    report = verify_with(CLEAN_CALLS[:2], credentials=credentials_for(emulator, organization_id=None), notes=notes)
    assert {r.status for r in report.results} == {"match"}
    assert emulator.log.find(path="/invoice/v3/organizations")
    assert {e.query.get("organization_id") for e in emulator.log.find(path="/invoice/v3/items")} == {"10234695"}
    assert any("using the default organization 10234695 (Zylker Corp)" in n for n in notes)
