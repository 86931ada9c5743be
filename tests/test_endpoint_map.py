"""The endpoint map resolves legacy URLs to families, data centers, scopes and v3 URLs (rules/endpoints/*.yaml)."""

from __future__ import annotations

import pytest

CASES = [
    # (legacy url, method, family, scope, oauth url)
    ("https://invoice.zoho.com/api/items/", "GET", "invoice.items.list", "ZohoInvoice.settings.READ",
     "https://www.zohoapis.com/invoice/v3/items"),
    ("https://invoice.zoho.eu/api/items/create", "POST", "invoice.items.create", "ZohoInvoice.settings.CREATE",
     "https://www.zohoapis.eu/invoice/v3/items"),
    ("https://invoice.zoho.com/api/items/delete/4000000002011", "POST", "invoice.items.delete",
     "ZohoInvoice.settings.DELETE", "https://www.zohoapis.com/invoice/v3/items/4000000002011"),
    ("https://invoice.zoho.com/api/customers/77", "GET", "invoice.customers.get", "ZohoInvoice.contacts.READ",
     "https://www.zohoapis.com/invoice/v3/contacts/77"),
    ("https://invoice.zoho.com/api/invoices/converttoopen/9", "POST", "invoice.invoices.open",
     "ZohoInvoice.invoices.CREATE", "https://www.zohoapis.com/invoice/v3/invoices/9/status/sent"),
    ("https://invoice.zoho.com/api/v3/items", "GET", "invoice.v3", "ZohoInvoice.settings.READ",
     "https://www.zohoapis.com/invoice/v3/items"),
    ("https://books.zoho.eu/api/v3/invoices?authtoken=x", "GET", "books.v3", "ZohoBooks.invoices.READ",
     "https://www.zohoapis.eu/books/v3/invoices"),
    ("https://books.zoho.com/api/v3/contacts/5", "DELETE", "books.v3", "ZohoBooks.contacts.DELETE",
     "https://www.zohoapis.com/books/v3/contacts/5"),
    ("https://crm.zoho.in/crm/private/json/Leads/getRecords?scope=crmapi", "GET", "crm.v1.getRecords",
     "ZohoCRM.modules.leads.READ", "https://www.zohoapis.in/crm/v2/Leads"),
    ("https://crm.zoho.com.au/crm/private/xml/Accounts/insertRecords", "POST", "crm.v1.insertRecords",
     "ZohoCRM.modules.accounts.CREATE", "https://www.zohoapis.com.au/crm/v2/Accounts"),
    ("https://inventory.zoho.com/api/v1/items", "GET", "inventory.v1", "ZohoInventory.items.READ",
     "https://www.zohoapis.com/inventory/v1/items"),
    ("https://subscriptions.zohocloud.ca/api/v1/plans", "GET", "subscriptions.v1", "ZohoSubscriptions.plans.READ",
     "https://www.zohoapis.ca/billing/v1/plans"),
    ("https://reportsapi.zoho.com/api/me@x.com/Sales/Orders", "GET", "reports.api", "ZohoReports.data.READ",
     "https://analyticsapi.zoho.com/api/me@x.com/Sales/Orders"),
    ("https://desk.zoho.com/api/v1/tickets", "GET", "desk.v1", "Desk.tickets.READ",
     "https://desk.zoho.com/api/v1/tickets"),
    ("https://accounts.zoho.com/apiauthtoken/nb/create", "GET", "accounts.apiauthtoken", None, None),
]


@pytest.mark.parametrize(("url", "method", "family", "scope", "oauth"), CASES, ids=[c[0] for c in CASES])
def test_legacy_url_resolves(ruleset, url, method, family, scope, oauth):
    match = ruleset.endpoints.match(url, method)
    assert match is not None
    assert match.family.id == family
    assert match.scope == scope
    assert match.oauth_url() == oauth


@pytest.mark.parametrize("url", ["https://www.zohoapis.com/invoice/v3/items", "https://example.com/api/items/",
                                 "https://zoho.com.evil.example/api/items/"])
def test_non_legacy_urls_do_not_resolve(ruleset, url):
    assert ruleset.endpoints.match(url) is None


def test_data_center_from_host(ruleset):
    dcs = ruleset.endpoints.datacenters
    assert dcs.for_host("crm.zoho.eu").id == "eu"
    assert dcs.for_host("invoice.zoho.com.au").id == "au"
    assert dcs.for_host("www.zohoapis.ca").id == "ca"
    assert dcs.for_host("accounts.zoho.com.cn").id == "cn"
    assert dcs.for_host("example.com") is None
