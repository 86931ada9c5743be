"""Every fault switch, set from Python and over HTTP (POST /__emulator__/faults), and reset."""

from __future__ import annotations

import json
import time

import pytest
from lxml import etree

from tests.emulator.conftest import ok_xml, xml


def set_fault(http, **spec):
    r = http.post("/__emulator__/faults", json=spec)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("via", ["python", "http"])
def test_set_field_changes_one_side_only(http, emulator, legacy, oauth, via):
    if via == "python":
        emulator.faults.set_field("items", "4000000002011", "rate", 99.5, side="oauth")
        emulator.faults.set_field("customers", "4000000001001", "Name", "Renamed Co", side="legacy")
    else:
        set_fault(http, fault="set_field", kind="items", record_id="4000000002011", field="rate", value=99.5)
        set_fault(http, fault="set_field", kind="customers", record_id="4000000001001", field="Name",
                  value="Renamed Co", side="legacy")
    assert http.get("/invoice/v3/items/4000000002011", headers=oauth).json()["item"]["rate"] == 99.5
    assert ok_xml(http.get("/api/items/", params=legacy)).findtext("Items/Item/Rate") == "34.00"
    assert ok_xml(http.get("/api/customers/4000000001001", params=legacy)).findtext("Customer/Name") == "Renamed Co"
    contact = http.get("/invoice/v3/contacts/4000000001001", headers=oauth).json()["contact"]
    assert contact["contact_name"] == "Bowman & Co"


def test_set_field_nested_and_crm(http, emulator, oauth):
    emulator.faults.set_field("contacts", "4000000001001", "billing_address.city", "Dublin", side="both")
    assert http.get("/invoice/v3/contacts/4000000001001", headers=oauth).json()["contact"]["billing_address"][
        "city"] == "Dublin"
    emulator.faults.set_field("leads", "2000000017001", "Last Name", "Changed", side="legacy")
    crm1 = http.get("/crm/private/json/Leads/getRecordById", params={
        "authtoken": emulator.credentials.authtoken, "scope": "crmapi", "id": "2000000017001"}).json()
    fields = {f["val"]: f["content"] for f in crm1["response"]["result"]["Leads"]["row"]["FL"]}
    assert fields["Last Name"] == "Changed"
    crm2 = http.get("/crm/v2/Leads/2000000017001", headers={"Authorization": oauth["Authorization"]}).json()
    assert crm2["data"][0]["Last_Name"] == "Marrier"


@pytest.mark.parametrize("via", ["python", "http"])
def test_drop_record_from_one_side(http, emulator, legacy, oauth, via):
    if via == "python":
        emulator.faults.drop_record("invoices", "4000000003009", side="legacy")
    else:
        set_fault(http, fault="drop_record", kind="invoices", record_id="4000000003009", side="legacy")
    ids = [i.findtext("InvoiceID") for i in ok_xml(http.get("/api/invoices/", params=legacy)).iter("Invoice")]
    assert "4000000003009" not in ids and len(ids) == 2
    assert xml(http.get("/api/invoices/4000000003009", params=legacy)).findtext("Code") == "1002"
    v3 = http.get("/invoice/v3/invoices", headers=oauth).json()["invoices"]
    assert "4000000003009" in [i["invoice_id"] for i in v3]


@pytest.mark.parametrize("via", ["python", "http"])
def test_latency(http, emulator, oauth, via):
    if via == "python":
        emulator.faults.latency(150, path="/invoice/v3/items")
    else:
        set_fault(http, fault="latency", ms=150, path="/invoice/v3/items")
    start = time.monotonic()
    http.get("/invoice/v3/items", headers=oauth)
    assert time.monotonic() - start >= 0.15
    http.get("/invoice/v3/contacts", headers=oauth)  # another path: not delayed
    assert [e.fault for e in emulator.log] == ["latency", None]


@pytest.mark.parametrize("via", ["python", "http"])
def test_fail_next_n_requests(http, emulator, oauth, legacy, via):
    if via == "python":
        emulator.faults.fail_next(2, status=503)
    else:
        set_fault(http, fault="fail_next", count=2, status=503)
    assert [http.get("/invoice/v3/items", headers=oauth).status_code for _ in range(3)] == [503, 503, 200]
    emulator.faults.fail_next(1, path="/api/")
    assert http.get("/invoice/v3/items", headers=oauth).status_code == 200  # path does not match
    failed = http.get("/api/items/", params=legacy)
    assert failed.status_code == 500 and "text/html" in failed.headers["content-type"]
    assert http.get("/api/items/", params=legacy).status_code == 200
    assert [e.fault for e in emulator.log.find(status=503)] == ["fail_next", "fail_next"]
    with pytest.raises(ValueError):
        emulator.faults.fail_next(1, status=404)


@pytest.mark.parametrize("via", ["python", "http"])
def test_rate_limit_storm(http, emulator, oauth, via):
    if via == "python":
        emulator.faults.rate_limit_storm(3, retry_after=7)
    else:
        set_fault(http, fault="rate_limit_storm", count=3, retry_after=7)
    replies = [http.get("/invoice/v3/items", headers=oauth) for _ in range(4)]
    assert [r.status_code for r in replies] == [429, 429, 429, 200]
    assert replies[0].headers["Retry-After"] == "7" and replies[0].json()["code"] != 0
    emulator.faults.rate_limit_storm(1, path="/crm/v2")
    storm = http.get("/crm/v2/Leads", headers={"Authorization": oauth["Authorization"]})
    assert storm.status_code == 429 and storm.json()["code"] == "TOO_MANY_REQUESTS"


@pytest.mark.parametrize("via", ["python", "http"])
def test_malformed_xml(http, emulator, legacy, via):
    if via == "python":
        emulator.faults.malformed_xml(1)
    else:
        set_fault(http, fault="malformed_xml")
    broken = http.get("/api/items/", params=legacy)
    assert broken.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        xml(broken)
    ok_xml(http.get("/api/items/", params=legacy))


def test_malformed_xml_skips_json_replies(http, emulator, oauth, legacy):
    emulator.faults.malformed_xml(1)
    assert http.get("/invoice/v3/items", headers=oauth).json()["code"] == 0  # JSON reply: not touched
    with pytest.raises(etree.XMLSyntaxError):
        xml(http.get("/crm/private/xml/Leads/getRecords", params={
            "authtoken": emulator.credentials.authtoken, "scope": "crmapi"}))


@pytest.mark.parametrize("via", ["python", "http"])
def test_malformed_json(http, emulator, oauth, via):
    if via == "python":
        emulator.faults.malformed_json(1, path="/invoice/v3/")
    else:
        set_fault(http, fault="malformed_json", path="/invoice/v3/")
    with pytest.raises(json.JSONDecodeError):
        json.loads(http.get("/invoice/v3/items", headers=oauth).text)
    assert http.get("/invoice/v3/items", headers=oauth).json()["code"] == 0


@pytest.mark.parametrize("via", ["python", "http"])
def test_hostile_xml_billion_laughs(http, emulator, legacy, via):
    if via == "python":
        emulator.faults.hostile_xml("billion_laughs")
    else:
        set_fault(http, fault="hostile_xml", kind="billion_laughs")
    body = http.get("/api/items/", params=legacy).content
    assert b"<!DOCTYPE Response [" in body and b"<!ENTITY lol9" in body and b"&lol9;" in body
    # a safe parser refuses it instead of expanding 10^9 "lol"s
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=False))
    # ... and the rest of the document is the real reply
    assert b'<Items uri="/api/items/"><Item uri="/api/items/4000000002011">' in body


@pytest.mark.parametrize("via", ["python", "http"])
def test_hostile_xml_external_entity(http, emulator, legacy, via):
    if via == "python":
        emulator.faults.hostile_xml("external_entity", path="/api/")
    else:
        set_fault(http, fault="hostile_xml", kind="external_entity", path="/api/")
    body = http.get("/api/items/", params=legacy).content
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in body and b"&xxe;" in body
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    assert b"root:" not in etree.tostring(root)  # not expanded by a safe parser
    assert root.get("status") == "1"


@pytest.mark.parametrize("via", ["python", "http"])
def test_expire_tokens(http, emulator, oauth, via):
    fresh = http.post("/oauth/v2/token", data={
        "grant_type": "refresh_token", "client_id": emulator.credentials.client_id,
        "client_secret": emulator.credentials.client_secret,
        "refresh_token": emulator.credentials.refresh_token}).json()["access_token"]
    if via == "python":
        emulator.faults.expire_tokens(token=emulator.credentials.access_token)
    else:
        set_fault(http, fault="expire_tokens", token=emulator.credentials.access_token)
    assert http.get("/invoice/v3/items", headers=oauth).status_code == 401
    other = {**oauth, "Authorization": f"Zoho-oauthtoken {fresh}"}
    assert http.get("/invoice/v3/items", headers=other).status_code == 200
    emulator.faults.expire_tokens()  # every token issued so far
    assert http.get("/invoice/v3/items", headers=other).status_code == 401
    newer = http.post("/oauth/v2/token", data={
        "grant_type": "refresh_token", "client_id": emulator.credentials.client_id,
        "client_secret": emulator.credentials.client_secret,
        "refresh_token": emulator.credentials.refresh_token}).json()["access_token"]
    assert http.get("/invoice/v3/items", headers={**oauth, "Authorization": f"Zoho-oauthtoken {newer}"}
                    ).status_code == 200


def test_set_rate_limit_over_http(http, oauth):
    set_fault(http, fault="set_rate_limit", limit=1, window_seconds=30)
    assert http.get("/invoice/v3/items", headers=oauth).status_code == 200
    r = http.get("/invoice/v3/items", headers=oauth)
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 30


def test_faults_listed_cleared_and_validated(http, emulator):
    set_fault(http, fault="fail_next", count=5, path="/api/")
    emulator.faults.drop_record("items", "4000000002011")
    names = {f["name"] for f in http.get("/__emulator__/faults").json()["faults"]}
    assert names == {"fail_next", "drop_record"}
    assert http.delete("/__emulator__/faults").json()["faults"] == []
    assert emulator.faults.active() == []
    for bad in ({"fault": "explode"}, {"fault": "fail_next", "bogus": 1}, {"fault": "fail_next", "status": 200},
                {"fault": "set_field", "kind": "widgets", "record_id": "1", "field": "x", "value": 1}):
        r = http.post("/__emulator__/faults", json=bad)
        assert r.status_code == 400 and r.json()["status"] == "error"
    assert http.post("/__emulator__/faults", content=b"nope").status_code == 400
    set_fault(http, fault="fail_next")  # a list also works
    assert http.post("/__emulator__/faults", json=[{"fault": "latency", "ms": 1},
                                                   {"fault": "malformed_xml"}]).status_code == 200
    assert len(emulator.faults.active()) == 3


def test_reset_restores_everything(http, emulator, oauth):
    emulator.faults.fail_next(None)
    emulator.faults.set_rate_limit(1)
    http.get("/invoice/v3/items", headers=oauth)
    emulator.reset()
    assert emulator.faults.active() == [] and len(emulator.log) == 0
    created = http.post("/invoice/v3/items", headers=oauth, json={"name": "Temp"})
    assert created.status_code == 201
    assert http.post("/__emulator__/reset").json() == {"status": "ok"}
    names = [i["name"] for i in http.get("/invoice/v3/items", headers=oauth).json()["items"]]
    assert "Temp" not in names and len(names) == 4
