"""Big or repetitive files stay linear: each case once took minutes (quadratic lookups), now about a second.

The bounds are generous (shared CI machines) but far below what a quadratic path needs on these inputs.
"""

from __future__ import annotations

import time

import pytest

from tests.scan.helpers import match

BOUND_SECONDS = 20.0

CASES = {
    # tree-sitter counts bytes: comment lookups after non-ASCII text used to re-encode the whole prefix
    "non-ascii-python": (
        "python",
        'x = "é"; u = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + t  # café\n' * 8000,
        16000,
    ),
    # every host literal was paired with every path literal
    "host-path-pairs": (
        "python",
        "host = 'books.zoho.com'\n" * 300 + "".join(f"p{i} = '/api/v3/thing/{i}'\n" for i in range(5000)),
        5300,
    ),
    # a minified bundle: one 3 MB line full of Zoho words, api keys and tickets
    "minified-line": (
        "javascript",
        'var a$1="https://www.zohoapis.com/crm/v2/Leads";b.apiKey=c;d.zoho=1;e={"ticket":f,"x":"y"};' * 35000,
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_file_scans_in_linear_time(name):
    language, code, expected = CASES[name]
    started = time.perf_counter()
    findings = match(code, language)
    elapsed = time.perf_counter() - started
    assert len({(f.line, f.rule_id) for f in findings}) == expected
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f}s"
