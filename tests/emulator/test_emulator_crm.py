"""CRM v1 (/crm/private/{json,xml}/...) and CRM v2 (/crm/v2/...) over real HTTP."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import xml


@pytest.fixture
def crm1(emulator):
    return {"authtoken": emulator.credentials.authtoken, "scope": "crmapi"}


@pytest.fixture
def crm2(emulator):
    return {"Authorization": f"Zoho-oauthtoken {emulator.credentials.access_token}"}


def fl(row) -> dict:
    fields = row["FL"] if isinstance(row["FL"], list) else [row["FL"]]
    return {f["val"]: f["content"] for f in fields}


def test_v1_json_get_records_shape_and_paging(http, crm1):
    r = http.get("/crm/private/json/Leads/getRecords", params={**crm1, "fromIndex": 1, "toIndex": 2})
    body = r.json()["response"]
    assert body["uri"] == "/crm/private/json/Leads/getRecords"
    rows = body["result"]["Leads"]["row"]
    assert [row["no"] for row in rows] == ["1", "2"]
    first = fl(rows[0])
    assert first["LEADID"] == "2000000017001" and first["Last Name"] == "Marrier"
    assert first["Annual Revenue"] == "850000" and first["Created Time"] == "2018-11-05 10:15:00"
    # a single row comes as an object, as CRM v1 did
    one = http.get("/crm/private/json/Leads/getRecords", params={**crm1, "fromIndex": 3, "toIndex": 3}).json()
    assert isinstance(one["response"]["result"]["Leads"]["row"], dict)
    nodata = http.get("/crm/private/json/Leads/getRecords", params={**crm1, "fromIndex": 10, "toIndex": 20}).json()
    assert nodata["response"]["nodata"]["code"] == "4422"
    too_many = http.get("/crm/private/json/Leads/getRecords", params={**crm1, "fromIndex": 1, "toIndex": 201})
    assert too_many.json()["response"]["error"]["code"] == "4600"


def test_v1_select_columns_sort_and_null_handling(http, crm1):
    body = http.get("/crm/private/json/Leads/getRecords", params={
        **crm1, "selectColumns": "Leads(Last Name,Email)", "sortColumnString": "Last Name",
        "sortOrderString": "desc"}).json()
    rows = body["response"]["result"]["Leads"]["row"]
    assert [fl(r)["Last Name"] for r in rows] == ["Rüdiger & Partner", "Marrier", "Kidman"]
    assert set(fl(rows[0])) == {"LEADID", "Last Name", "Email"} and fl(rows[0])["Email"] == "null"
    body = http.get("/crm/private/json/Leads/getRecordById", params={**crm1, "id": "2000000017017",
                                                                     "newFormat": "1"}).json()
    assert "Email" not in fl(body["response"]["result"]["Leads"]["row"])


def test_v1_xml_equivalent(http, crm1):
    r = http.get("/crm/private/xml/Accounts/getRecords", params=crm1)
    root = xml(r)
    assert root.tag == "response" and root.get("uri") == "/crm/private/xml/Accounts/getRecords"
    rows = root.findall("result/Accounts/row")
    assert [row.get("no") for row in rows] == ["1", "2"]
    assert {f.get("val"): f.text for f in rows[0].findall("FL")}["Account Name"] == "King (Sample)"
    assert b"<![CDATA[" in r.content


def test_v1_auth_and_method_errors(http, crm1):
    bad = http.get("/crm/private/json/Leads/getRecords", params={**crm1, "authtoken": "0" * 32})
    assert bad.status_code == 200 and bad.json()["response"]["error"]["code"] == "4834"
    assert http.get("/crm/private/json/Leads/getRecords", params={**crm1, "scope": "invoiceapi"}).json()[
        "response"]["error"]["code"] == "4600"
    assert http.get("/crm/private/json/Leads/frobnicate", params=crm1).json()["response"]["error"]["code"] == "4600"
    err = xml(http.get("/crm/private/xml/Deals/getRecords", params=crm1))
    assert err.findtext("error/code") == "4600"


def test_v1_insert_update_delete(http, crm1, emulator):
    data = ('<Leads><row no="1"><FL val="Last Name">Nguyen</FL><FL val="Company">Nguyen LLC</FL>'
            '<FL val="Annual Revenue">1000</FL></row></Leads>')
    body = http.post("/crm/private/json/Leads/insertRecords", data={**crm1, "xmlData": data}).json()
    result = body["response"]["result"]
    assert result["message"] == "Record(s) added successfully"
    new_id = fl(result["recorddetail"])["Id"]
    assert emulator.store.get("Leads", new_id, "oauth")["Annual_Revenue"] == 1000.0
    data = '<Leads><row no="1"><FL val="Email">n@x.example</FL></row></Leads>'
    root = xml(http.post("/crm/private/xml/Leads/updateRecords", data={**crm1, "id": new_id, "xmlData": data}))
    assert root.findtext("result/message") == "Record(s) updated successfully"
    got = http.get("/crm/private/json/Leads/getRecordById", params={**crm1, "id": new_id}).json()
    assert fl(got["response"]["result"]["Leads"]["row"])["Email"] == "n@x.example"
    deleted = http.post("/crm/private/json/Leads/deleteRecords", data={**crm1, "id": new_id}).json()
    assert deleted["response"]["result"]["code"] == "5000"
    gone = http.get("/crm/private/json/Leads/getRecordById", params={**crm1, "id": new_id}).json()
    assert "nodata" in gone["response"]
    missing = http.post("/crm/private/json/Leads/insertRecords", data={
        **crm1, "xmlData": '<Leads><row no="1"><FL val="Company">x</FL></row></Leads>'}).json()
    assert missing["response"]["error"]["code"] == "4401"
    assert emulator.log.writes()[0].style == "crm-v1"


def test_v2_list_get_paging(http, crm2):
    body = http.get("/crm/v2/Leads", headers=crm2, params={"per_page": 2}).json()
    assert [r["id"] for r in body["data"]] == ["2000000017001", "2000000017009"]
    assert body["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    assert body["data"][0]["Owner"]["name"] == "Ada Admin"
    last = http.get("/crm/v2/Leads", headers=crm2, params={"per_page": 2, "page": 2}).json()
    assert last["info"]["more_records"] is False
    empty = http.get("/crm/v2/Leads", headers=crm2, params={"page": 9})
    assert empty.status_code == 204 and empty.content == b""
    one = http.get("/crm/v2/Accounts/2000000018009", headers=crm2).json()
    assert one["data"][0]["Account_Name"] == "Chemel"
    assert http.get("/crm/v2/Accounts/1", headers=crm2).status_code == 204
    picked = http.get("/crm/v2/Leads", headers=crm2, params={"fields": "Last_Name"}).json()
    assert set(picked["data"][0]) == {"id", "Last_Name"}


def test_v2_writes(http, crm2):
    made = http.post("/crm/v2/Leads", headers=crm2, json={"data": [{"Last_Name": "Ito", "Company": "Ito KK"}]})
    assert made.status_code == 201
    result = made.json()["data"][0]
    assert (result["code"], result["status"], result["message"]) == ("SUCCESS", "success", "record added")
    rid = result["details"]["id"]
    upd = http.put(f"/crm/v2/Leads/{rid}", headers=crm2, json={"data": [{"Phone": "123"}]}).json()["data"][0]
    assert upd["message"] == "record updated"
    bulk = http.put("/crm/v2/Leads", headers=crm2, json={"data": [{"id": rid, "Email": "i@x.example"},
                                                                 {"id": "1", "Email": "z"}]})
    assert bulk.status_code == 207 and bulk.json()["data"][1]["code"] == "INVALID_DATA"
    assert http.get(f"/crm/v2/Leads/{rid}", headers=crm2).json()["data"][0]["Email"] == "i@x.example"
    bad = http.post("/crm/v2/Leads", headers=crm2, json={"data": [{"Company": "x"}]})
    assert bad.status_code == 400 and bad.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    deleted = http.delete("/crm/v2/Leads", headers=crm2, params={"ids": rid}).json()["data"][0]
    assert deleted["message"] == "record deleted"
    assert http.delete(f"/crm/v2/Leads/{rid}", headers=crm2).status_code == 400
    assert http.post("/crm/v2/Leads", headers={**crm2, "Content-Type": "application/json"},
                     content=b"{x").status_code == 400


def test_v2_auth_errors(http, crm2, emulator):
    r = http.get("/crm/v2/Leads", headers={"Authorization": "Zoho-oauthtoken 1000.x.y"})
    assert r.status_code == 401 and r.json()["code"] == "INVALID_TOKEN" and r.json()["status"] == "error"
    assert http.get("/crm/v2/Leads").json()["code"] == "AUTHENTICATION_FAILURE"
    assert http.get("/crm/v2/Deals", headers=crm2).json()["code"] == "INVALID_MODULE"
    emulator.faults.expire_tokens()
    assert http.get("/crm/v2/Leads", headers=crm2).json()["code"] == "INVALID_TOKEN"
