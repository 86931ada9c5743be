"""The legacy Invoice XML API (/api/...) over real HTTP."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import ok_xml, xml


def err(response):
    assert response.status_code == 200  # Zoho's legacy API failed with HTTP 200
    root = xml(response)
    assert root.get("status") == "0"
    return root.findtext("Code"), root.findtext("Message")


def test_items_list_renders_legacy_fields_and_page_context(http, legacy):
    root = ok_xml(http.get("/api/items/", params=legacy))
    items = root.find("Items")
    assert items.get("uri") == "/api/items/"
    first = items.find("Item")
    assert first.get("uri") == "/api/items/4000000002011"
    assert first.findtext("ItemID") == "4000000002011"
    assert first.findtext("Rate") == "34.00"
    assert first.findtext("Tax1Percentage") == "12.50"
    assert first.findtext("Status") == "1"
    assert first.find("Tax2Name") is not None and first.find("Tax2Name").text is None  # empty: no value
    assert len(items.findall("Item")) == 4
    pc = root.find("PageContext")
    assert (pc.get("Page"), pc.get("Per_Page"), pc.get("Total"), pc.get("Total_Pages")) == ("1", "200", "4", "1")


@pytest.mark.parametrize("names", [("Page", "Per_Page"), ("page", "per_page")])
def test_paging_parameters_in_either_spelling(http, legacy, names):
    root = ok_xml(http.get("/api/items/", params={**legacy, names[0]: "2", names[1]: "3"}))
    assert [i.findtext("ItemID") for i in root.iter("Item")] == ["4000000002035"]
    pc = root.find("PageContext")
    assert (pc.get("Page"), pc.get("Per_Page"), pc.get("Total"), pc.get("Total_Pages")) == ("2", "3", "4", "2")


def test_credentials_may_come_as_form_fields(http, legacy):
    ok_xml(http.post("/api/items/", data=legacy))


@pytest.mark.parametrize("change, code", [
    ({"authtoken": "0" * 32}, "14"), ({"authtoken": None}, "14"), ({"apikey": "nope"}, "15"),
    ({"scope": "crmapi"}, "16")])
def test_auth_errors(http, legacy, change, code):
    params = {k: v for k, v in {**legacy, **change}.items() if v is not None}
    got_code, message = err(http.get("/api/items/", params=params))
    assert got_code == code
    if code == "14":
        assert message == "Invalid Ticket Passed"


def test_item_create_update_delete(http, legacy, emulator):
    doc = "<Item><Name>Mouse</Name><Description>Wireless</Description><Rate>19.5</Rate></Item>"
    item = ok_xml(http.post("/api/items/create", data={**legacy, "XMLString": doc})).find("Item")
    new_id = item.findtext("ItemID")
    assert item.findtext("Rate") == "19.50" and item.findtext("Status") == "1"
    doc = f"<Item><ItemID>{new_id}</ItemID><Rate>21</Rate></Item>"
    item = ok_xml(http.post("/api/items/update", data={**legacy, "XMLString": doc})).find("Item")
    assert (item.findtext("Name"), item.findtext("Rate")) == ("Mouse", "21.00")
    # the same record, in v3 shape
    assert emulator.store.get("items", new_id, "oauth", emulator.credentials.organization_id)["rate"] == 21.0
    root = ok_xml(http.post(f"/api/items/delete/{new_id}", data=legacy))
    assert "deleted" in root.findtext("Message")
    assert err(http.get(f"/api/items/{new_id}", params=legacy))[0] == "1002"


def test_bad_xmlstring_and_dtd_are_refused(http, legacy):
    assert err(http.post("/api/items/create", data=legacy))[0] == "4"
    assert err(http.post("/api/items/create", data={**legacy, "XMLString": "<Item><Name>x</Item>"}))[0] == "4"
    hostile = '<!DOCTYPE Item [<!ENTITY x SYSTEM "file:///etc/passwd">]><Item><Name>&x;</Name></Item>'
    assert err(http.post("/api/items/create", data={**legacy, "XMLString": hostile}))[0] == "4"
    assert err(http.post("/api/items/create", data={**legacy, "XMLString": "<Customer/>"}))[0] == "4"
    dup = "<Item><Name>Keyboard</Name></Item>"
    assert err(http.post("/api/items/create", data={**legacy, "XMLString": dup}))[0] == "1001"


def test_unknown_route(http, legacy):
    assert err(http.get("/api/widgets/", params=legacy))[0] == "5"


def test_customers_get_with_addresses_and_contacts(http, legacy):
    customer = ok_xml(http.get("/api/customers/4000000001019", params=legacy)).find("Customer")
    assert customer.findtext("Name") == "Bäckerei Müller <Söhne>"
    assert customer.findtext("BillingCity") == "München"
    assert customer.findtext("PaymentsDue") == "30"
    assert [c.findtext("FirstName") for c in customer.find("Contacts")] == ["Anna", "Jonas"]
    listed = ok_xml(http.get("/api/customers/", params=legacy)).find("Customers")
    assert len(listed) == 3 and listed[0].find("Contacts") is None  # list views leave nested parts out


def test_customer_search(http, legacy):
    root = ok_xml(http.get("/api/view/search/customers/", params={**legacy, "searchtext": "bowman"}))
    assert [c.findtext("CustomerID") for c in root.iter("Customer")] == ["4000000001001"]
    root = ok_xml(http.get("/api/view/search/customers/", params={**legacy, "searchtext": "zzz"}))
    assert root.find("PageContext").get("Total") == "0"


def test_customer_create_update_delete(http, legacy):
    doc = ("<Customer><Name>New Co</Name><Email>a@new.example</Email><PaymentsDue>7</PaymentsDue>"
           "<BillingCity>Austin</BillingCity><Contacts><Contact><FirstName>Jo</FirstName></Contact></Contacts>"
           "</Customer>")
    cust = ok_xml(http.post("/api/customers/create", data={**legacy, "XMLString": doc})).find("Customer")
    cid = cust.findtext("CustomerID")
    assert cust.findtext("BillingCity") == "Austin" and cust.find("Contacts/Contact/ContactID").text
    doc = f"<Customer><CustomerID>{cid}</CustomerID><BillingCity>Dallas</BillingCity></Customer>"
    cust = ok_xml(http.post("/api/customers/update", data={**legacy, "XMLString": doc})).find("Customer")
    assert (cust.findtext("Name"), cust.findtext("BillingCity")) == ("New Co", "Dallas")
    ok_xml(http.post(f"/api/customers/delete/{cid}", data=legacy))
    assert err(http.get(f"/api/customers/{cid}", params=legacy))[0] == "1002"


def test_invoice_get_and_by_customer(http, legacy):
    inv = ok_xml(http.get("/api/invoices/4000000003001", params=legacy)).find("Invoice")
    assert inv.findtext("InvoiceNumber") == "INV-000001" and inv.findtext("Status") == "Closed"
    assert inv.findtext("PONumber") == "PO-7781" and inv.findtext("Total") == "230.00"
    lines = inv.find("InvoiceItems").findall("InvoiceItem")
    assert [(x.findtext("ProductID"), x.findtext("Price"), x.findtext("Quantity")) for x in lines] == [
        ("4000000002011", "34.00", "2.00"), ("4000000002019", "120.00", "1.50")]
    root = ok_xml(http.get("/api/invoices/customer/4000000001001", params=legacy))
    assert [i.findtext("InvoiceID") for i in root.iter("Invoice")] == ["4000000003001", "4000000003017"]
    assert len(ok_xml(http.get("/api/invoices/", params=legacy)).find("Invoices")) == 3


def test_invoice_create_send_convert_pdf_update_delete(http, legacy):
    doc = ("<Invoice><CustomerID>4000000001027</CustomerID><InvoiceDate>2014-01-02</InvoiceDate>"
           "<InvoiceItems><InvoiceItem><ProductID>4000000002011</ProductID><Quantity>3</Quantity></InvoiceItem>"
           "</InvoiceItems></Invoice>")
    inv = ok_xml(http.post("/api/invoices/create", data={**legacy, "XMLString": doc})).find("Invoice")
    iid = inv.findtext("InvoiceID")
    assert inv.findtext("Status") == "Draft" and inv.findtext("Total") == "102.00"
    assert inv.findtext("InvoiceItems/InvoiceItem/ItemName") == "Hard drive"  # filled from the item
    inv = ok_xml(http.post(f"/api/invoices/converttoopen/{iid}", data=legacy)).find("Invoice")
    assert inv.findtext("Status") == "Open"
    ok_xml(http.post("/api/invoices/send", data={**legacy, "InvoiceID": "4000000003017"}))
    assert ok_xml(http.get("/api/invoices/4000000003017", params=legacy)).findtext("Invoice/Status") == "Open"
    assert "reminder" in ok_xml(http.post("/api/invoices/sendreminder",
                                          data={**legacy, "InvoiceID": iid})).findtext("Message")
    pdf = http.get("/api/invoices/pdf", params={**legacy, "InvoiceID": iid})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    doc = f"<Invoice><InvoiceID>{iid}</InvoiceID><PONumber>PO-1</PONumber></Invoice>"
    assert ok_xml(http.post("/api/invoices/update", data={**legacy, "XMLString": doc})).findtext(
        "Invoice/PONumber") == "PO-1"
    ok_xml(http.post(f"/api/invoices/delete/{iid}", data=legacy))
    assert err(http.get("/api/invoices/pdf", params={**legacy, "InvoiceID": iid}))[0] == "1002"
    bad = "<Invoice><CustomerID>999</CustomerID></Invoice>"
    assert err(http.post("/api/invoices/create", data={**legacy, "XMLString": bad}))[0] == "4"


def test_estimates(http, legacy):
    root = ok_xml(http.get("/api/estimates/", params=legacy))
    assert [e.findtext("EstimateNumber") for e in root.iter("Estimate")] == ["EST-000001", "EST-000002"]
    est = ok_xml(http.get("/api/estimates/4000000004009", params=legacy)).find("Estimate")
    assert est.findtext("Status") == "Draft" and est.findtext("EstimateItems/EstimateItem/Discount") == "5.00"
    est = ok_xml(http.post("/api/estimates/markassent/4000000004009", data=legacy)).find("Estimate")
    assert est.findtext("Status") == "Sent"
    doc = ("<Estimate><CustomerID>4000000001001</CustomerID><EstimateItems><EstimateItem><ItemName>Setup</ItemName>"
           "<Price>50</Price><Quantity>2</Quantity></EstimateItem></EstimateItems></Estimate>")
    est = ok_xml(http.post("/api/estimates/create", data={**legacy, "XMLString": doc})).find("Estimate")
    assert est.findtext("Total") == "100.00" and est.findtext("EstimateNumber") == "EST-000003"
    assert http.get("/api/estimates/pdf", params={**legacy, "EstimateID": "4000000004001"}).content[:5] == b"%PDF-"


def test_payments_create_settles_the_invoice(http, legacy):
    doc = "<Payment><InvoiceID>4000000003009</InvoiceID><Amount>100</Amount><Date>2013-05-10</Date></Payment>"
    pay = ok_xml(http.post("/api/payments/create", data={**legacy, "XMLString": doc})).find("Payment")
    assert pay.findtext("CustomerID") == "4000000001019" and pay.findtext("Amount") == "100.00"
    inv = ok_xml(http.get("/api/invoices/4000000003009", params=legacy)).find("Invoice")
    assert inv.findtext("Balance") == "139.97" and inv.findtext("Status") == "Partially Paid"
    doc = "<Payment><InvoiceID>4000000003009</InvoiceID><Amount>139.97</Amount></Payment>"
    ok_xml(http.post("/api/payments/create", data={**legacy, "XMLString": doc}))
    assert ok_xml(http.get("/api/invoices/4000000003009", params=legacy)).findtext("Invoice/Status") == "Closed"
    assert len(ok_xml(http.get("/api/payments/", params=legacy)).find("Payments")) == 3


def test_company_name_picks_the_organization(http, legacy):
    root = ok_xml(http.get("/api/items/", params={**legacy, "CompanyName": "Zylker Europe"}))
    assert [i.findtext("Name") for i in root.iter("Item")] == ["Service package EU"]
    assert err(http.get("/api/items/", params={**legacy, "CompanyName": "Nobody"}))[0] == "6041"
