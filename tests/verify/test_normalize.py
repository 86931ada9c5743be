"""Normalization: safe XML, declared types, zero values, enums, lines, CRM-style rows; and the comparison rules."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from migrate.verify.compare import compare_json, compare_records
from migrate.verify.config import load_verify_config
from migrate.verify.legacy import legacy_error, legacy_next_page, legacy_records
from migrate.verify.model import ReplyError
from migrate.verify.recordspec import FieldSpec, record_spec
from migrate.verify.safexml import XMLRefused, parse_xml
from migrate.verify.v3 import OAuthRecords, oauth_records
from migrate.verify.values import Canon, equal


@pytest.fixture(scope="module")
def config(ruleset):
    return load_verify_config(ruleset)


@pytest.fixture(scope="module")
def canon(config):
    return Canon(config)


def item_spec(ruleset):
    return record_spec(ruleset.endpoints.product("invoice").records["item"], "item")


def xml(text: str, config):
    return parse_xml(text.encode(), max_bytes=100_000, max_depth=int(config.xml["max_depth"]))


@pytest.mark.parametrize(("ftype", "legacy", "v3"), [
    ("number", "34.00", 34.0),
    ("number", "34.00", 34),
    ("number", "0.00", 0),
    ("number", "", 0),
    ("number", "", None),
    ("integer", "15", 15),
    ("string", "", ""),
    ("string", "", None),
    ("string", " Hard drive ", "Hard drive"),
    ("string", "15", 15),
    ("boolean", "", False),
    ("boolean", "true", True),
    ("boolean", "1", True),
    ("date", "2013-04-01", "2013-04-01"),
    ("date", "2013-04-01 10:15:00", "2013-04-01T10:15:00+0000"),
])
def test_equal_values(canon, ftype, legacy, v3):
    spec = FieldSpec("X", "x", ftype)
    assert canon.value(legacy, spec, legacy=True) == canon.value(v3, spec, legacy=False)


@pytest.mark.parametrize(("ftype", "legacy", "v3"), [
    ("number", "34.00", 34.01),
    ("number", "34.00", "34.00x"),
    ("string", "12.50", 12.5),  # untyped: spelling matters, which is why the map declares types
    ("string", "", "VAT"),
    ("boolean", "false", True),
    ("date", "2013-04-01", "2013-04-02"),
])
def test_different_values(canon, ftype, legacy, v3):
    spec = FieldSpec("X", "x", ftype)
    assert not equal(canon.value(legacy, spec, legacy=True), canon.value(v3, spec, legacy=False))


def test_enum_values_translate_legacy_codes(canon):
    spec = FieldSpec("Status", "status", "string", (("1", "active"), ("0", "inactive")))
    assert canon.value("1", spec, legacy=True) == "active"
    assert canon.value("active", spec, legacy=False) == "active"
    assert canon.value("9", spec, legacy=True) == "9"  # unknown codes stay visible


def test_legacy_records_map_fields_and_list_unmapped(ruleset, config, canon):
    root = xml('<Response status="1"><Items uri="/api/items/"><Item><ItemID>1</ItemID><Name>A</Name>'
               '<Rate>34.00</Rate><Tax1Name/><Tax2Name/><Status>1</Status></Item></Items>'
               '<PageContext Page="1" Per_Page="1" Total="2" Total_Pages="2"/></Response>', config)
    spec = item_spec(ruleset)
    page = legacy_records(root, spec, canon, config)
    assert page.records == [{"item_id": "1", "name": "A", "rate": Decimal("34.00"), "tax_name": "",
                             "status": "active"}]
    assert page.not_compared == {"Item/Tax2Name"} and not page.single
    assert legacy_next_page(root, spec, config) == {"Page": "2"}


def test_legacy_single_record_and_empty_collection(ruleset, config, canon):
    spec = item_spec(ruleset)
    single = legacy_records(xml('<Response status="1"><Item><ItemID>7</ItemID></Item></Response>', config),
                            spec, canon, config)
    assert single.single and single.records == [{"item_id": "7"}]
    empty = legacy_records(xml('<Response status="1"><Items/></Response>', config), spec, canon, config)
    assert empty.records == [] and not empty.single
    with pytest.raises(ReplyError, match="neither Items/Item nor Item"):
        legacy_records(xml('<Response status="1"><Other/></Response>', config), spec, canon, config)


def test_legacy_error_reply_with_http_200(config):
    root = xml('<Response status="0"><Code>14</Code><Message>Invalid Ticket Passed</Message></Response>', config)
    assert legacy_error(root, config) == "legacy API error 14: Invalid Ticket Passed"


def test_crm_style_rows_use_the_fl_val_label(ruleset, config, canon):
    crm = ruleset.endpoints.product("crm").records["record"]
    spec = record_spec(crm, "crm", {"module": "Leads"})
    root = xml('<response uri="/crm/private/xml/Leads/getRecords"><result><Leads><row no="1">'
               '<FL val="LEADID">55</FL><FL val="Last Name">Smith</FL><FL val="Lead Status">New</FL>'
               '</row></Leads></result></response>', config)
    page = legacy_records(root, spec, canon, config)
    assert page.records == [{"id": "55", "Last_Name": "Smith"}]
    assert page.not_compared == {"row/Lead Status"}


def test_records_are_matched_by_key_not_position(ruleset, config, canon):
    spec = item_spec(ruleset)
    root = xml('<Response status="1"><Items><Item><ItemID>1</ItemID><Rate>1.00</Rate></Item>'
               '<Item><ItemID>2</ItemID><Rate>2.00</Rate></Item></Items></Response>', config)
    legacy = legacy_records(root, spec, canon, config)
    oauth = oauth_records({"code": 0, "items": [{"item_id": "2", "rate": 2.0, "sku": "S"},
                                                {"item_id": "1", "rate": 1.0}]}, spec)
    result = compare_records(legacy, oauth, spec, canon, {})
    assert result.differences == [] and result.additions == {"sku"}
    assert result.not_compared == set()
    oauth.records[0]["name"] = "B"  # mapped, but the legacy reply above has no <Name>
    assert compare_records(legacy, oauth, spec, canon, {}).not_compared == {"name (not in the legacy reply)"}
    oauth.records.pop()
    result = compare_records(legacy, oauth, spec, canon, {})
    assert [(d.path, d.oauth) for d in result.differences] == [("items[1]", None)]


def test_lines_compare_by_position_and_report_extra_lines(ruleset, config, canon):
    spec = record_spec(ruleset.endpoints.product("invoice").records["invoice"], "invoice")
    root = xml('<Response status="1"><Invoice><InvoiceID>9</InvoiceID><InvoiceItems>'
               '<InvoiceItem><ProductID>1</ProductID><Price>2.00</Price><Quantity>1.00</Quantity></InvoiceItem>'
               '</InvoiceItems></Invoice></Response>', config)
    legacy = legacy_records(root, spec, canon, config)
    oauth = OAuthRecords([{"invoice_id": "9", "line_items": [
        {"item_id": "1", "rate": 2.5, "quantity": 1, "line_item_id": "x"}, {"item_id": "3", "rate": 1}]}], True)
    result = compare_records(legacy, oauth, spec, canon, {})
    assert [(d.path, d.legacy, d.oauth) for d in result.differences] == [
        ("invoice.line_items[0].rate", 2, 2.5), ("invoice.line_items[1]", None, {"item_id": "3", "rate": 1})]
    assert "line_items.line_item_id" in result.additions


def test_generic_json_compare_matches_lists_by_id_and_lists_additions():
    legacy = {"code": 0, "items": [{"item_id": "1", "rate": 34.0}, {"item_id": "2", "rate": 1}]}
    oauth = {"code": 0, "items": [{"item_id": "2", "rate": 1.0, "new": 1}, {"item_id": "1", "rate": 35}],
             "page_context": {"page": 1}}
    result = compare_json(legacy, oauth, {"code", "page_context"}, {})
    assert [(d.path, d.legacy, d.oauth) for d in result.differences] == [("items[1].rate", 34.0, 35)]
    assert result.additions == {"items.new"}
    ignored = compare_json(legacy, oauth, {"code", "page_context"}, {"rate": "ignored"})
    assert ignored.differences == [] and ignored.not_compared == {"rate (ignored)"}


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE Response [\n<!ENTITY lol0 "lol">\n'
                  + "\n".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
                  + '\n]>\n<Response status="1">&lol9;</Response>')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<Response status="1"><Items>&xxe;</Items></Response>')


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused_fast(doc, config):
    started = time.perf_counter()
    with pytest.raises(XMLRefused, match="declares a DOCTYPE") as caught:
        xml(doc, config)
    assert time.perf_counter() - started < 0.5
    assert "lol" not in str(caught.value) and "root" not in str(caught.value)


def test_the_parser_itself_never_expands_or_fetches():
    """Defence in depth: even past the DTD check, lxml is configured not to expand or load anything."""
    from lxml import etree

    from migrate.verify.safexml import _parser

    root = etree.fromstring(XXE.encode(), _parser())
    assert "root:" not in etree.tostring(root).decode()
    try:
        big = etree.fromstring(BILLION_LAUGHS.encode(), _parser())
    except etree.XMLSyntaxError as error:  # libxml2's amplification guard refuses it outright
        assert "amplification" in str(error)
    else:
        assert len(etree.tostring(big)) < 2000


def test_size_depth_and_syntax_limits(config):
    with pytest.raises(XMLRefused, match="exceeds the limit"):
        parse_xml(b"<a>" + b"x" * 200 + b"</a>", max_bytes=100, max_depth=10)
    with pytest.raises(XMLRefused, match="nests deeper than 5"):
        parse_xml(b"<a>" * 8 + b"</a>" * 8, max_bytes=1000, max_depth=5)
    with pytest.raises(XMLRefused, match="not well-formed XML"):
        parse_xml(b'<Response status="1"><Items>', max_bytes=1000, max_depth=5)


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_in_utf16_is_refused_by_the_parser_itself(doc, config):
    body = doc.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    with pytest.raises(XMLRefused) as caught:
        parse_xml(body, max_bytes=1_000_000, max_depth=64)
    assert "lollol" not in str(caught.value) and "root:" not in str(caught.value)
