"""Invoice and Books v3 JSON (/invoice/v3, /books/v3 with OAuth; /api/v3 with an authtoken) over real HTTP."""

from __future__ import annotations

import json

import pytest

from tests.emulator.conftest import ok_xml

PRODUCTS = ["/invoice/v3", "/books/v3"]


def ok(response, status=200):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == 0
    return body


@pytest.mark.parametrize("base", PRODUCTS)
def test_items_list_and_get(http, oauth, base):
    body = ok(http.get(f"{base}/items", headers=oauth))
    assert [i["item_id"] for i in body["items"]][:2] == ["4000000002011", "4000000002019"]
    assert body["page_context"]["page"] == 1 and body["page_context"]["per_page"] == 200
    assert body["page_context"]["has_more_page"] is False
    item = ok(http.get(f"{base}/items/4000000002011", headers=oauth))["item"]
    assert item["rate"] == 34.0 and item["tax_percentage"] == 12.5 and item["status"] == "active"


def test_paging_and_filters(http, oauth):
    body = ok(http.get("/invoice/v3/items", headers=oauth, params={"page": 1, "per_page": 3}))
    assert len(body["items"]) == 3 and body["page_context"]["has_more_page"] is True
    body = ok(http.get("/invoice/v3/items", headers=oauth, params={"page": 2, "per_page": 3}))
    assert len(body["items"]) == 1 and body["page_context"]["has_more_page"] is False
    body = ok(http.get("/invoice/v3/invoices", headers=oauth, params={"customer_id": "4000000001001"}))
    assert [i["invoice_id"] for i in body["invoices"]] == ["4000000003001", "4000000003017"]
    assert "line_items" not in body["invoices"][0]  # list views are summaries
    body = ok(http.get("/invoice/v3/contacts", headers=oauth, params={"search_text": "acme"}))
    assert [c["contact_id"] for c in body["contacts"]] == ["4000000001027"]
    body = ok(http.get("/invoice/v3/items", headers=oauth, params={"sort_column": "rate", "sort_order": "D"}))
    assert body["items"][0]["name"] == "Legacy support plan"
    assert http.get("/invoice/v3/items", headers=oauth, params={"per_page": 500}).json()["code"] == 2


def test_same_business_data_in_both_styles(http, oauth, legacy):
    """Every legacy item and customer field maps to the v3 record's value."""
    v3_items = {i["item_id"]: i for i in ok(http.get("/invoice/v3/items", headers=oauth))["items"]}
    for el in ok_xml(http.get("/api/items/", params=legacy)).iter("Item"):
        v3 = v3_items[el.findtext("ItemID")]
        assert el.findtext("Name") == v3["name"]
        assert float(el.findtext("Rate")) == v3["rate"]
        assert {"1": "active", "0": "inactive"}[el.findtext("Status")] == v3["status"]
    for el in ok_xml(http.get("/api/customers/", params=legacy)).iter("Customer"):
        contact = ok(http.get(f"/invoice/v3/contacts/{el.findtext('CustomerID')}", headers=oauth))["contact"]
        assert el.findtext("Name") == contact["contact_name"]
        assert int(el.findtext("PaymentsDue")) == contact["payment_terms"]


def test_org_by_query_or_either_header(http, emulator):
    c = emulator.credentials
    auth = {"Authorization": f"Zoho-oauthtoken {c.access_token}"}
    ok(http.get("/books/v3/items", headers=auth, params={"organization_id": c.organization_id}))
    ok(http.get("/books/v3/items", headers={**auth, "X-com-zoho-books-organizationid": c.organization_id}))
    eu = ok(http.get("/books/v3/items", headers=auth, params={"organization_id": c.organization_id_2}))
    assert [i["name"] for i in eu["items"]] == ["Service package EU"]
    missing = http.get("/books/v3/items", headers=auth)
    assert missing.status_code == 400 and missing.json()["code"] != 0
    unknown = http.get("/books/v3/items", headers=auth, params={"organization_id": "1"})
    assert unknown.status_code == 400 and unknown.json()["code"] == 6041


def test_organizations_for_both_products(http, emulator):
    auth = {"Authorization": f"Zoho-oauthtoken {emulator.credentials.access_token}"}
    for base in PRODUCTS:
        orgs = ok(http.get(f"{base}/organizations", headers=auth))["organizations"]
        assert [(o["organization_id"], o["name"]) for o in orgs] == [("10234695", "Zylker Corp"),
                                                                      ("10234696", "Zylker Europe")]
        assert ok(http.get(f"{base}/organizations/10234696", headers=auth))["organization"]["currency_code"] == "EUR"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Zoho-oauthtoken 1000.bad.bad"},
                                     {"Authorization": "Zoho-authtoken a8b6de25b5bf481824c9c4173c56231a"}])
def test_oauth_paths_want_an_oauth_token(http, emulator, headers):
    r = http.get("/invoice/v3/items", headers=headers, params={"organization_id": emulator.credentials.organization_id,
                                                               "authtoken": emulator.credentials.authtoken})
    assert r.status_code == 401
    assert r.json() == {"code": 57, "message": "You are not authorized to perform this operation"}


def test_authtoken_era_api_v3(http, emulator):
    c = emulator.credentials
    params = {"authtoken": c.authtoken, "organization_id": c.organization_id}
    body = ok(http.get("/api/v3/invoices/4000000003001", params=params, headers={"X-Zoho-Host": "books.zoho.com"}))
    assert body["invoice"]["invoice_number"] == "INV-000001"
    entry = emulator.log[-1]
    assert (entry.style, entry.side, entry.product, entry.meant_host) == ("v3-authtoken", "legacy", "books",
                                                                          "books.zoho.com")
    ok(http.get("/api/v3/items", params={"organization_id": c.organization_id},
                headers={"Authorization": f"Zoho-authtoken {c.authtoken}"}))
    created = ok(http.post("/api/v3/items", data={**params, "JSONString": json.dumps({"name": "Pen", "rate": 2})}),
                 201)
    assert created["item"]["rate"] == 2.0
    bad = http.get("/api/v3/items", params={**params, "authtoken": "f" * 32})
    assert bad.status_code == 401 and bad.json()["code"] == 14


def test_item_writes_with_jsonstring_form_multipart_and_json_body(http, oauth):
    made = ok(http.post("/invoice/v3/items", headers=oauth, data={"JSONString": json.dumps(
        {"name": "Cable", "rate": "4.5"})}), 201)
    assert made["message"] == "The item has been added." and made["item"]["rate"] == 4.5
    iid = made["item"]["item_id"]
    made2 = ok(http.post("/invoice/v3/items", headers=oauth, files={"JSONString": (None, json.dumps(
        {"name": "Plug", "rate": 1}))}), 201)
    assert made2["item"]["name"] == "Plug"
    upd = ok(http.put(f"/invoice/v3/items/{iid}", headers=oauth, json={"rate": 5}))
    assert upd["item"]["rate"] == 5 and upd["item"]["name"] == "Cable"
    assert ok(http.post(f"/invoice/v3/items/{iid}/inactive", headers=oauth))["code"] == 0
    assert ok(http.get(f"/invoice/v3/items/{iid}", headers=oauth))["item"]["status"] == "inactive"
    assert ok(http.delete(f"/invoice/v3/items/{iid}", headers=oauth))["message"] == "The item has been deleted."
    gone = http.get(f"/invoice/v3/items/{iid}", headers=oauth)
    assert gone.status_code == 404 and gone.json()["code"] == 1002
    assert http.post("/invoice/v3/items", headers=oauth, data={"JSONString": "{nope"}).json()["code"] == 4
    assert http.post("/invoice/v3/items", headers=oauth, json={"rate": 1}).status_code == 400
    assert http.get("/invoice/v3/widgets", headers=oauth).status_code == 404
    assert http.patch("/invoice/v3/items", headers=oauth).status_code == 405


def test_contacts_crud(http, oauth):
    c = ok(http.get("/invoice/v3/contacts/4000000001001", headers=oauth))["contact"]
    assert c["billing_address"]["city"] == "Pleasanton" and c["contact_persons"][0]["first_name"] == "Will"
    made = ok(http.post("/invoice/v3/contacts", headers=oauth, json={"contact_name": "Zed",
                                                                      "billing_address": {"city": "Oslo"}}), 201)
    cid = made["contact"]["contact_id"]
    upd = ok(http.put(f"/invoice/v3/contacts/{cid}", headers=oauth, json={"billing_address": {"zip": "0150"}}))
    assert upd["contact"]["billing_address"] == {**upd["contact"]["billing_address"], "city": "Oslo", "zip": "0150"}
    ok(http.delete(f"/invoice/v3/contacts/{cid}", headers=oauth))


def test_invoices_actions_and_pdf(http, oauth, legacy):
    made = ok(http.post("/invoice/v3/invoices", headers=oauth, json={
        "customer_id": "4000000001001", "reference_number": "R-9",
        "line_items": [{"item_id": "4000000002027", "quantity": 2, "discount": 50}]}), 201)
    inv = made["invoice"]
    assert inv["status"] == "draft" and inv["total"] == 79.99 and inv["invoice_number"] == "INV-000004"
    iid = inv["invoice_id"]
    assert ok(http.post(f"/invoice/v3/invoices/{iid}/status/sent", headers=oauth))["code"] == 0
    assert ok_xml(http.get(f"/api/invoices/{iid}", params=legacy)).findtext("Invoice/Status") == "Open"
    assert "sent" in ok(http.post("/invoice/v3/invoices/4000000003017/email", headers=oauth))["message"]
    assert ok(http.post(f"/invoice/v3/invoices/{iid}/paymentreminder", headers=oauth))["code"] == 0
    pdf = http.get(f"/invoice/v3/invoices/{iid}", headers=oauth, params={"accept": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    legacy_pdf = http.get("/api/invoices/pdf", params={**legacy, "InvoiceID": iid})
    assert legacy_pdf.content == pdf.content
    ok(http.post(f"/invoice/v3/invoices/{iid}/status/void", headers=oauth))
    assert ok(http.put(f"/invoice/v3/invoices/{iid}", headers=oauth, json={"notes": "n"}))["invoice"]["notes"] == "n"
    ok(http.delete(f"/invoice/v3/invoices/{iid}", headers=oauth))
    assert http.post(f"/invoice/v3/invoices/{iid}/email", headers=oauth).status_code == 404


def test_estimates(http, oauth):
    body = ok(http.get("/books/v3/estimates", headers=oauth))
    assert [e["estimate_number"] for e in body["estimates"]] == ["EST-000001", "EST-000002"]
    ok(http.post("/books/v3/estimates/4000000004009/status/sent", headers=oauth))
    assert ok(http.get("/books/v3/estimates/4000000004009", headers=oauth))["estimate"]["status"] == "sent"
    made = ok(http.post("/books/v3/estimates", headers=oauth, json={"customer_id": "4000000001027",
                                                                     "line_items": [{"name": "X", "rate": 3}]}), 201)
    assert made["estimate"]["total"] == 3.0
    ok(http.post("/books/v3/estimates/4000000004009/status/accepted", headers=oauth))


def test_customerpayments(http, oauth):
    body = ok(http.get("/invoice/v3/customerpayments", headers=oauth))
    assert body["customerpayments"][0]["invoices"] == [{"invoice_id": "4000000003001", "amount_applied": 230.0}]
    made = ok(http.post("/invoice/v3/customerpayments", headers=oauth, json={
        "customer_id": "4000000001019", "amount": 239.97, "date": "2013-05-20",
        "invoices": [{"invoice_id": "4000000003009", "amount_applied": 239.97}]}), 201)
    pid = made["payment"]["payment_id"]
    inv = ok(http.get("/invoice/v3/invoices/4000000003009", headers=oauth))["invoice"]
    assert inv["status"] == "paid" and inv["balance"] == 0
    ok(http.delete(f"/invoice/v3/customerpayments/{pid}", headers=oauth))
    inv = ok(http.get("/invoice/v3/invoices/4000000003009", headers=oauth))["invoice"]
    assert inv["status"] == "sent" and inv["balance"] == 239.97


def test_per_org_rate_limit_answers_429_with_retry_after(http, oauth, emulator):
    emulator.faults.set_rate_limit(3, 60)
    for _ in range(3):
        r = http.get("/invoice/v3/items", headers=oauth)
        assert r.status_code == 200
    assert r.headers["X-RATELIMIT-REMAINING"] == "0"
    r = http.get("/invoice/v3/items", headers=oauth)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and r.json()["code"] != 0
    # another organization has its own budget
    other = {**oauth, "X-com-zoho-invoice-organizationid": emulator.credentials.organization_id_2}
    assert http.get("/invoice/v3/items", headers=other).status_code == 200
    emulator.clock.advance(61)
    assert http.get("/invoice/v3/items", headers=oauth).status_code == 200


def test_default_rate_limit_is_100_per_minute(http, oauth):
    codes = [http.get("/invoice/v3/organizations/10234695", headers=oauth).status_code for _ in range(3)]
    assert codes == [200] * 3  # organizations are not org-scoped calls
    r = http.get("/invoice/v3/items", headers=oauth)
    assert r.headers["X-RATELIMIT-LIMIT"] == "100"
