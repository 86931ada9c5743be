"""Searches rewritten for speed find exactly what their plain forms find.

`URL_CONSTANT` starts only where no identifier letter precedes: a name runs to the end of its identifier, so a
match starting mid-identifier implies one at the identifier's first letter, which finditer finds first.
`RegionSearch` (requests/regions.py) says "no match" for a run of whole lines only when the slice has none.
"""

from __future__ import annotations

import functools
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


# regions: "no match of it touches these lines" from one pass over the whole text ----------------------------------
LINE_TOKENS = ["post(", "requests.", "requests.post (", "\n", " ", "-d", " -d ", "'POST'", "XMLString", "xmlData",
               "method: 'post'", "authtoken", "x", "_", "é", "\t", "(", ")"]  # fmt: skip


def _line_slices(text: str) -> list[tuple[int, int]]:
    """Every run of whole lines: (start of line i, end of line j) for i <= j."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    ends = [i for i, c in enumerate(text) if c == "\n"] + [len(text)]
    return [(starts[i], ends[j]) for i in range(len(starts)) for j in range(i, len(starts))]


@functools.cache
def _region_patterns() -> list[re.Pattern[str]]:
    from migrate.requests.build import XML_BODY
    from migrate.requests.idioms import idioms
    from migrate.ruleset import load_ruleset

    return [XML_BODY, *idioms(load_ruleset(), "python").methods.values()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINE_TOKENS), max_size=30))
def test_region_search_never_says_no_when_a_slice_matches(tokens):
    from migrate.requests.regions import RegionSearch, line_local

    text = "".join(tokens)
    patterns = _region_patterns()
    assert all(line_local(p) for p in patterns), "the request model's region regexes should get the fast answer"
    search = RegionSearch(text, defer=False)  # every answer from the whole-file pass
    for start, end in _line_slices(text):
        for pattern in patterns:
            if not search.may_match(pattern, start, end):
                assert pattern.search(text[start:end]) is None, (pattern.pattern[:40], text[start:end])


def test_edge_sensitive_patterns_are_not_answered():
    from migrate.requests.regions import RegionSearch, line_local

    for pattern in (r"(?<!x)post", r"post(?!x)", r"\Apost", r"^post", r"post$", r"(?=p)post"):
        assert not line_local(re.compile(pattern))
        assert RegionSearch("a\npost\n").may_match(re.compile(pattern), 0, 1)
    assert line_local(re.compile(r"^post$", re.MULTILINE)) and line_local(re.compile(r"[$^]post\$"))
    assert not RegionSearch("post\nget\n", defer=False).may_match(re.compile(r"post"), 5, 8)


def test_region_search_defers_the_whole_file_pass_until_the_slices_add_up_to_the_file():
    from migrate.requests.regions import RegionSearch

    post = re.compile(r"post")
    search = RegionSearch("post\nget\nget\n")  # 13 characters
    assert search.may_match(post, 5, 9) and search.may_match(post, 9, 13)  # 8 so far: "maybe", search the slice
    assert post not in search._hits
    assert search.may_match(post, 0, 4)  # 12: still cheaper than a pass, and a match is there anyway
    assert not search.may_match(post, 5, 13)  # 20: past the file's length, the pass runs and answers
    assert post in search._hits


# the rewriter's "is this constant a base other code appends to?" ------------------------------------------------
APPEND_TOKENS = ["BASE", "URL", "BASE2", "$", "{", "}", "#", " ", "+", ".", '"', "'", "items/", "?x", "\n", "x", "_"]


def _appended_plain(text: str, name: str) -> bool:
    from migrate.rewrite.passes.endpoints import _tail, _usage_regex

    return any(_tail(m) for m in _usage_regex([name]).finditer(text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(APPEND_TOKENS), max_size=30))
def test_appended_to_same_answer_as_the_whole_file_search(tokens):
    from migrate.rewrite.passes.endpoints import _Appended

    text = "".join(tokens)
    appended = _Appended(text)
    for name in ("BASE", "URL", "BASE2", "x", "a$b"):
        assert appended(name) == _appended_plain(text, name), (name, text)


# the rewriter's "is this parsed text an XML document built here?" -----------------------------------------------
BUILT_TOKENS = ["xml", "x", "$", " ", "\t", "\n", "=", ".=", "+=", '"<a>"', "'", "<", "ET.Element(", "tostring(",
                "xmlx", "_", "r", "f"]  # fmt: skip


def _built_locally_plain(text: str, name: str, before: int) -> bool:
    assigned = re.compile(
        rf"^[ \t]*\$?{re.escape(name)}\s*(?:\.|\+)?=\s*"
        r"""(?:[fbrFBRU]{0,2}(?:'{3}|"{3}|"|')\s*<|[\w.]*\b(?:Element|SubElement|tostring)\()""",
        re.MULTILINE,
    )
    return assigned.search(text, 0, before) is not None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BUILT_TOKENS), max_size=30), st.integers(min_value=0, max_value=200))
def test_built_locally_same_answer_as_the_bounded_search(tokens, before):
    from migrate.rewrite.passes.xmlreply import built_locally

    text = "".join(tokens)
    before = min(before, len(text))
    for name in ("xml", "x", "r"):
        assert built_locally(text, name, before) == _built_locally_plain(text, name, before), (name, before, text)


# a finding's snippet and identity on huge lines, without copying the line into words ------------------------------
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\u00a0\u2003ab.x", max_size=600))
def test_snippet_head_and_normalized_line_are_the_plain_forms(line):
    from migrate.scan.matcher import SNIPPET_LIMIT, _head, _normalized

    assert _head(line) == line.strip()[:SNIPPET_LIMIT]
    assert _normalized(line) == " ".join(line.split())
