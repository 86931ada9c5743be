"""The remaining endpoints: payments and estimates in both styles, and a few smaller routes."""

from __future__ import annotations

from tests.emulator.conftest import ok_xml, xml


def test_legacy_payments_get_update_delete(http, legacy):
    pay = ok_xml(http.get("/api/payments/4000000005001", params=legacy)).find("Payment")
    assert (pay.findtext("InvoiceID"), pay.findtext("Amount"), pay.findtext("Mode")) == (
        "4000000003001", "230.00", "Check")
    doc = "<Payment><PaymentID>4000000005001</PaymentID><Reference>CHK-2</Reference></Payment>"
    assert ok_xml(http.post("/api/payments/update", data={**legacy, "XMLString": doc})).findtext(
        "Payment/Reference") == "CHK-2"
    ok_xml(http.post("/api/payments/delete/4000000005001", data=legacy))
    inv = ok_xml(http.get("/api/invoices/4000000003001", params=legacy)).find("Invoice")
    assert (inv.findtext("Status"), inv.findtext("Balance")) == ("Open", "230.00")
    bad = "<Payment><Amount>1</Amount></Payment>"
    assert xml(http.post("/api/payments/create", data={**legacy, "XMLString": bad})).findtext("Code") == "4"


def test_legacy_estimates_by_customer_send_update_delete(http, legacy):
    root = ok_xml(http.get("/api/estimates/customer/4000000001027", params=legacy))
    assert [e.findtext("EstimateID") for e in root.iter("Estimate")] == ["4000000004009"]
    ok_xml(http.post("/api/estimates/send", data={**legacy, "EstimateID": "4000000004009"}))
    assert ok_xml(http.get("/api/estimates/4000000004009", params=legacy)).findtext("Estimate/Status") == "Sent"
    doc = "<Estimate><EstimateID>4000000004009</EstimateID><Notes>Updated</Notes></Estimate>"
    assert ok_xml(http.post("/api/estimates/update", data={**legacy, "XMLString": doc})).findtext(
        "Estimate/Notes") == "Updated"
    ok_xml(http.post("/api/estimates/delete/4000000004009", data=legacy))
    assert xml(http.get("/api/estimates/4000000004009", params=legacy)).findtext("Code") == "1002"
    missing_id = "<Estimate><Notes>x</Notes></Estimate>"
    assert xml(http.post("/api/estimates/update", data={**legacy, "XMLString": missing_id})).findtext(
        "Code") == "4"


def test_legacy_send_by_xmlstring(http, legacy):
    doc = "<Invoice><InvoiceID>4000000003017</InvoiceID></Invoice>"
    ok_xml(http.post("/api/invoices/send", data={**legacy, "XMLString": doc}))
    assert xml(http.post("/api/invoices/send", data=legacy)).findtext("Code") == "1002"


def test_v3_estimates_email_update_delete(http, oauth):
    assert "sent" in http.post("/books/v3/estimates/4000000004009/email", headers=oauth).json()["message"]
    est = http.put("/books/v3/estimates/4000000004009", headers=oauth,
                   json={"line_items": [{"name": "Only", "rate": 10, "quantity": 3}]}).json()["estimate"]
    assert est["total"] == 30.0 and est["status"] == "sent"
    assert http.delete("/books/v3/estimates/4000000004009", headers=oauth).json()["code"] == 0
    assert http.get("/books/v3/estimates/4000000004009", headers=oauth).status_code == 404
    assert http.post("/books/v3/estimates/4000000004001/status/bogus", headers=oauth).status_code == 404


def test_v3_customerpayment_get_update(http, oauth):
    pay = http.get("/invoice/v3/customerpayments/4000000005001", headers=oauth).json()["payment"]
    assert pay["amount"] == 230.0 and pay["payment_mode"] == "Check"
    upd = http.put("/invoice/v3/customerpayments/4000000005001", headers=oauth, json={
        "amount": 100, "invoices": [{"invoice_id": "4000000003001", "amount_applied": 100}]}).json()
    assert upd["payment"]["amount"] == 100.0
    inv = http.get("/invoice/v3/invoices/4000000003001", headers=oauth).json()["invoice"]
    assert (inv["status"], inv["balance"]) == ("partially_paid", 130.0)


def test_v3_failed_update_leaves_the_record_alone(http, oauth):
    r = http.put("/invoice/v3/invoices/4000000003017", headers=oauth, json={"customer_id": "1", "notes": "x"})
    assert r.status_code == 400 and r.json()["code"] == 4
    inv = http.get("/invoice/v3/invoices/4000000003017", headers=oauth).json()["invoice"]
    assert (inv["customer_id"], inv["notes"]) == ("4000000001001", "")


def test_v3_item_active_and_unknown_action(http, oauth):
    assert http.post("/invoice/v3/items/4000000002035/active", headers=oauth).json()["code"] == 0
    assert http.get("/invoice/v3/items/4000000002035", headers=oauth).json()["item"]["status"] == "active"
    assert http.post("/invoice/v3/items/4000000002035/explode", headers=oauth).status_code == 404
    assert http.get("/invoice/v3/items/4000000002035/active", headers=oauth).status_code == 405


def test_crm_v1_get_my_records(http, emulator):
    body = http.get("/crm/private/json/Accounts/getMyRecords", params={
        "authtoken": emulator.credentials.authtoken, "scope": "crmapi"}).json()
    assert len(body["response"]["result"]["Accounts"]["row"]) == 2


def test_browser_mode_authtoken_path(http, emulator):
    c = emulator.credentials
    text = http.get("/apiauthtoken/create", params={"SCOPE": "ZohoInvoice/invoiceapi", "EMAIL_ID": c.email,
                                                    "PASSWORD": c.password}).text
    assert "RESULT=TRUE" in text
