"""Regexes rewritten for speed match exactly what their plain forms match (same spans, same groups).

`URL_CONSTANT` starts only where no identifier letter precedes: a name runs to the end of its identifier, so a
match starting mid-identifier implies one at the identifier's first letter, which finditer finds first.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.scan.matcher import URL_CONSTANT
from tests.conftest import FIXTURES

PLAIN_URL_CONSTANT = re.compile(URL_CONSTANT.pattern.replace("(?<![A-Za-z_$])", "", 1), URL_CONSTANT.flags)
TOKENS = ["a", "Z", "_", "$", "9", " ", "\n", "=", ":=", "=>", ":", ",", '"', "'", "`", ".", "/", "-", "é", "ſ",
          "\u212a", "x.zoho.com", "https://crm.zoho.com/crm/private/json/", "www.zohoapis.com", "BASE_URL", "$url"]  # fmt: skip


def _all(regex: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in regex.finditer(text)]


def test_the_rewrite_is_only_the_lookbehind():
    assert PLAIN_URL_CONSTANT.pattern != URL_CONSTANT.pattern
    assert PLAIN_URL_CONSTANT.pattern.startswith("(?P<name>[A-Za-z_$]")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_url_constant_same_matches_as_the_plain_form(tokens):
    text = "".join(tokens)
    assert _all(URL_CONSTANT, text) == _all(PLAIN_URL_CONSTANT, text)


def test_url_constant_on_every_fixture_file():
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 300_000]
    found = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        matches = _all(URL_CONSTANT, text)
        assert matches == _all(PLAIN_URL_CONSTANT, text), path
        found += len(matches)
    assert found > 10, "the fixtures must hold URL constants, or this comparison proves nothing"
