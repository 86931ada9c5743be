"""The Hyperscan regex filter (migrate/scan/regexfilter.py) never rules out a regex that Python's `re` matches.

It may say "maybe" too often (that only costs time), never "no" wrongly: each case here is a text Python matches,
and the filter must keep the regex; a few texts it must rule out show the filter is not simply "always maybe".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.scan import regexfilter
from migrate.scan.regexfilter import RegexFilter

pytestmark = pytest.mark.skipif(regexfilter.hyperscan is None, reason="Hyperscan wheel not available here")

REPO = Path(__file__).resolve().parents[2]

# (pattern, flags, ASCII text Python matches): each a place where Hyperscan's own reading could differ from Python's
MATCHING = [
    (r"key\s*=\s*x", 0, "key\x1c=\x1fx"),  # Python's \s includes \x1c-\x1f, PCRE's does not
    (r"authtoken", re.IGNORECASE, "AuthToken"),
    (r"(?-i:Token)\s+(?i:abc)", re.IGNORECASE, "Token  ABC"),
    (r"a{,3}b", 0, "aab"),  # Python's {,n}; PCRE reads `{,3}` as text
    (r"(?P<q>['\"])secret(?P=q)", 0, "'secret'"),  # back reference
    (r"(?P<q>\()?x(?(q)\)|y)", 0, "xy"),  # conditional group
    (r"\bzoho\b$", re.MULTILINE, "a zoho\nb"),
    (r"(?<![\w.])crm\.zoho\.com(?!/crm/v2)", 0, "https://crm.zoho.com/crm/private"),
    (r"New\s*\(\s*(?=\n?\s*['\"]your_token['\"])", 0, "New(\n  'your_token')"),
    (r"[0-9a-f]{32}", re.IGNORECASE, "ABCDEF0123456789abcdef0123456789"),
    (r"x{100}", 0, "x" * 100),  # a large repeat (widened)
    (r"(?>ab|a)c", 0, "abc"),  # atomic group
    (r"a++b", 0, "aab"),  # possessive repeat
    (r"""
        auth \s* token   # verbose: spaces and comments are not text
    """, re.VERBOSE | re.IGNORECASE, "AUTH TOKEN"),
    (r"a.c", re.DOTALL, "a\nc"),
    (r"[^\W\d]+token", 0, "my_token"),
    (r"", 0, "anything"),  # matches the empty string everywhere
]

# (pattern, flags, ASCII text Python does not match, that the filter must rule out)
RULED_OUT = [
    (r"Zoho-authtoken\s+[0-9a-f]{32}", re.IGNORECASE, "Zoho-authtoken abc"),
    (r"(?-i:Token)", re.IGNORECASE, "token"),
    (r"key\s*=\s*\d+", 0, "key = value"),
]


def _filter(patterns: list[tuple[str, int]], tmp_path: Path, **kwargs) -> RegexFilter:
    return RegexFilter([re.compile(p, f) for p, f in patterns], cache=kwargs.get("cache", tmp_path / "cache"))


@pytest.mark.parametrize(("pattern", "flags", "text"), MATCHING)
def test_filter_keeps_every_regex_python_matches(pattern, flags, text, tmp_path):
    regex = re.compile(pattern, flags)
    assert regex.search(text), "the case itself must be a match"
    rf = _filter([(pattern, flags)], tmp_path)
    assert 0 in rf.covered, "the pattern should be translated, or this case tests nothing"
    assert rf.possible(0, rf.fired(text.encode("ascii")))


@pytest.mark.parametrize(("pattern", "flags", "text"), RULED_OUT)
def test_filter_rules_out_what_cannot_match(pattern, flags, text, tmp_path):
    assert not re.search(pattern, text, flags)
    rf = _filter([(pattern, flags)], tmp_path)
    assert not rf.possible(0, rf.fired(text.encode("ascii")))


def test_non_ascii_files_run_every_regex(tmp_path):
    """IGNORECASE on str matches KELVIN SIGN to `k`: a non-ASCII file is never judged (fired is None)."""
    regex = re.compile(r"key\s*=", re.IGNORECASE)
    text = "\u212aey = 1"
    assert regex.search(text)
    rf = RegexFilter([regex], cache=tmp_path)
    assert 0 in rf.covered
    fired = rf.fired(text.encode("utf-8"))
    assert fired is None
    assert rf.possible(0, fired)


def test_non_ascii_pattern_always_runs(tmp_path):
    """`ſ` (LONG S) folds to `s` under IGNORECASE: such a pattern matches ASCII text yet is never translated."""
    regex = re.compile("\u017fecret", re.IGNORECASE)
    assert regex.search("secret")
    rf = RegexFilter([regex, re.compile("token")], cache=tmp_path)
    assert rf.covered == frozenset({1})
    assert rf.possible(0, rf.fired(b"secret"))
    assert not rf.possible(1, rf.fired(b"secret"))


def test_builtin_rule_regexes_on_fixture_files(ruleset, tmp_path):
    """Every rule regex the filter covers, on every ASCII fixture file: a Python match is never ruled out."""
    from migrate.scan.matcher import CompiledRules
    from migrate.scan.plan import ScanPlan

    rf = ScanPlan(CompiledRules(ruleset)).regex_filter
    assert len(rf.covered) > len(rf.regexes) // 2, "most rule regexes should be covered"
    checked = ruled_out = 0
    for path in sorted((REPO / "fixtures").rglob("*")):
        if not path.is_file() or path.stat().st_size > 200_000:
            continue
        data = path.read_bytes()
        if not data.isascii() or b"\0" in data:
            continue
        fired = rf.fired(data)
        assert fired is not None
        text = data.decode("ascii")
        for index in rf.covered - fired:
            assert not rf.regexes[index].search(text), (path, rf.regexes[index].pattern)
            ruled_out += 1
        checked += 1
    assert checked > 100 and ruled_out > checked, (checked, ruled_out)


def test_cache_is_reused_and_invalidated_when_rules_change(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = RegexFilter([re.compile("authtoken"), re.compile("ticket")], cache=cache)
    files = list(cache.glob("regexfilter-*.bin"))
    assert len(files) == 1 and first.covered == frozenset({0, 1})

    def no_compile(expressions):
        raise AssertionError("compiled although the cache holds this rule set")

    monkeypatch.setattr(regexfilter, "_compile", no_compile)
    again = RegexFilter([re.compile("authtoken"), re.compile("ticket")], cache=cache)
    assert again.covered == first.covered
    assert again.possible(1, again.fired(b"a ticket")) and not again.possible(0, again.fired(b"a ticket"))
    monkeypatch.undo()

    changed = RegexFilter([re.compile("authtoken"), re.compile("ticket", re.IGNORECASE)], cache=cache)
    assert changed.key() != first.key()
    assert len(list(cache.glob("regexfilter-*.bin"))) == 2
    assert changed.possible(1, changed.fired(b"TICKET"))
    assert not first.possible(1, first.fired(b"TICKET"))


def test_cache_keeps_only_the_most_recently_used_databases(tmp_path):
    """Every rules edit writes a new database of about 500 KB; old ones go, the one a run still loads stays."""
    import os

    cache = tmp_path / "cache"
    RegexFilter([re.compile("authtoken")], cache=cache)
    (first_path,) = cache.glob("regexfilter-*.bin")
    os.utime(first_path, (1, 1))  # long unused ...
    RegexFilter([re.compile("authtoken")], cache=cache)  # ... until this run loads it
    assert first_path.stat().st_mtime > 1
    leftover = cache / ".regexfilter-killed"
    leftover.write_bytes(b"x")
    os.utime(leftover, (1, 1))
    for n in range(regexfilter.KEEP + 2):
        RegexFilter([re.compile(f"ticket{n}")], cache=cache)
    kept = list(cache.glob("regexfilter-*.bin"))
    assert len(kept) == regexfilter.KEEP
    assert first_path not in kept  # the newer rule sets pushed it out
    assert not leftover.exists()
    assert RegexFilter([re.compile(f"ticket{regexfilter.KEEP + 1}")], cache=cache).covered == frozenset({0})


def test_corrupt_cache_is_compiled_again(tmp_path):
    cache = tmp_path / "cache"
    first = RegexFilter([re.compile("authtoken")], cache=cache)
    (path,) = cache.glob("regexfilter-*.bin")
    path.write_bytes(b"[0]\nnot a database")
    again = RegexFilter([re.compile("authtoken")], cache=cache)
    assert again.covered == first.covered
    assert not again.possible(0, again.fired(b"nothing here"))


def test_unwritable_cache_dir_means_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")  # mkdir fails even for root
    rf = RegexFilter([re.compile("authtoken")], cache=blocker / "zoho-migrate")
    assert rf.covered == frozenset({0})
    assert rf.possible(0, rf.fired(b"authtoken=1")) and not rf.possible(0, rf.fired(b"nothing"))
    assert blocker.read_text().startswith("a file")


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert regexfilter.cache_dir() == tmp_path / "zoho-migrate"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert regexfilter.cache_dir() == Path.home() / ".cache" / "zoho-migrate"


def test_disabled_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(regexfilter.DISABLE_ENV, "1")
    rf = RegexFilter([re.compile("authtoken")], cache=tmp_path)
    assert rf.covered == frozenset() and rf.fired(b"x") is None and rf.possible(0, None)
