"""Literal requirements (migrate/scan/literals.py) are necessary conditions: every real match satisfies them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.scan.literals import FOLD_CHARACTERS, requirement
from migrate.scan.matcher import CompiledRules
from migrate.scan.prefilter import Prefilter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def _clauses(pattern: str, flags: int = re.IGNORECASE) -> list[set[str]]:
    return [set(c) for c in requirement(re.compile(pattern, flags))]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?<![A-Za-z0-9])authtoken(?![A-Za-z0-9])", [{"authtoken"}]),
        (r"(?:invoice|crm)api\b", [{"invoiceapi", "crmapi"}]),
        (r"api_?key", [{"apikey", "api_key"}]),
        (r"apiauthtoken(?:/nb)?(?:/create)?", [{"apiauthtoken", "apiauthtoken/nb", "apiauthtoken/create",
                                                "apiauthtoken/nb/create"}]),
        (r"zoho[\w.-]{0,30}?pass(?:word|wd)", [{"password", "passwd"}, {"zoho"}]),
        (r"[?&]ticket=", [{"?ticket=", "&ticket="}]),
        (r"\bfoo\w+bar\b", [{"bar"}, {"foo"}]),
        (r"(?:abc|de)", []),  # "de" is too short to be worth a literal pass
        (r"a.*b", []),
        (r"(?:xmlparser)?", []),  # optional: nothing is required
        (r"(\w+)\s*=\s*\1token", []),  # back reference: the tail is unknown, "token" comes after it
        (r"ünïcode", [{"code"}]),  # non-ASCII letters break the literal; the ASCII run after them counts
        (r"(?x) servicename \s* [:=]  # verbose", [{"servicename"}]),
    ],
)
def test_requirements_of_patterns(pattern, expected):
    got = _clauses(pattern)
    if pattern.startswith(r"(\w+)"):
        assert all("token" in c or c == {"token"} for c in got)
        return
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))


def test_fold_characters_are_all_the_non_ascii_matches_of_ascii_letters():
    letter = re.compile(r"(?i)[a-z]")
    found = [chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000 and letter.match(chr(c))]
    assert tuple(found) == FOLD_CHARACTERS


def _check(pattern: re.Pattern[str], text: str) -> int:
    clauses = requirement(pattern)
    checked = 0
    for match in pattern.finditer(text):
        matched = match.group(0).lower()
        for clause in clauses:
            assert any(literal in matched for literal in clause), (pattern.pattern, match.group(0), clause)
        checked += 1
    return checked


def test_every_rule_regex_match_in_examples_and_fixtures_holds_its_requirement(ruleset):
    compiled = CompiledRules(ruleset)
    texts = [e.code for rule in ruleset.rules for e in (*rule.flag_examples, *rule.ok_examples)]
    texts += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(FIXTURES.rglob("*"))
        if p.is_file() and p.stat().st_size < 1_000_000
    ]
    text = "\n".join(texts)
    checked = 0
    for rule in ruleset.rules:
        m = rule.matcher
        for pattern in (*m.regexes, *m.file_regexes, *m.not_file_regexes):
            checked += _check(pattern, text)
    checked += _check(compiled.endpoint_regex, text)
    assert checked > 100  # the corpus really exercises the rules


def test_prefilter_engines_agree_on_awkward_bytes():
    pytest.importorskip("hyperscan")
    keywords = ["zoho", "api_key", "k\u00e9y", "\u0163x", "authtoken"]
    sentinels = [c.encode("utf-8") for c in FOLD_CHARACTERS]
    engines = [Prefilter(keywords, engine, sentinels) for engine in ("hyperscan", "ahocorasick")]
    samples = [
        b"", b"ZOHO", b"Api_Key=1", "K\u00e9Y k\u00c9y".encode("latin-1"), "\u0163x".encode(),
        "PA\u017f\u017fWORD".encode(), b"\x00\xff" * 50 + b"AuThToKeN", "zoho".encode("utf-16"),
    ]  # fmt: skip
    for data in samples:
        assert engines[0].found(data) == engines[1].found(data), data
    assert engines[0].found("PA\u017fWORD".encode()) == {"\u017f".encode().decode("latin-1")}
