"""Scan's tree-wide config-key decision (`unmark_read_keys`) from the scan's own walk equals the one from a walk of
its own: the files the scan knows are not code are left out, the rest are ruled out on their bytes only when no key
can be in their text. Each tree below adds one reader the two ways could see differently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import migrate.scan.engine as engine
from migrate.requests.configreaders import _ascii_needles, _may_hold
from tests.conftest import FIXTURES

PROJECT = FIXTURES / "projects" / "rewrite" / "config-readers" / "before"
# a shell script reading the .env key: shell has no fix idioms, so its finding is never fixable and it keeps the key
READ = 'echo "token: $ZOHO_AUTHTOKEN"\n'

# name -> (file, bytes, does this reader keep the .env key from being fixable?)
VARIANTS = {
    "none": (None, b"", False),
    "shebang script": ("bin/sync", b"#!/bin/sh\n" + READ.encode(), True),
    "no shebang": ("bin/plain", READ.encode(), False),  # not code: the walk's "not code" must agree
    "long shebang line": ("bin/long", b"#!/bin/sh " + "\u00e9".encode() * 300 + b"\n" + READ.encode(), True),
    "too large to scan": ("big.sh", READ.encode() + b"#" * 5000 + b"\n", True),
    "binary": ("blob.sh", b"\0\0" + READ.encode(), True),
    "utf-16": ("wide.sh", "\ufeff".encode("utf-16-le") + READ.encode("utf-16-le"), False),
    "kelvin sign": ("kelvin.sh", READ.replace("TOKEN", "TO\u212aEN").encode(), False),
    # the key's words in its bytes only through a dotted capital I: the keyword hits cannot rule it out
    "dotted capital i": ("dotted.sh", READ.replace("$ZOHO", "$Z\u0130OHO").encode(), False),
    "upper case reader": ("upper.sh", READ.upper().encode(), True),
    "documentation": ("NOTES.md", READ.encode(), False),
}


def _fixable(root: Path, own_walk: bool) -> list[tuple[str, int, str]]:
    original = engine.unmark_read_keys
    if own_walk:
        engine.unmark_read_keys = lambda f, r, w, rs, **_: original(f, r, w, rs)  # type: ignore[assignment]
    try:
        from migrate.ruleset import load_ruleset

        result = engine.scan_paths([root], load_ruleset(), engine.ScanOptions(jobs=1, max_file_size=4096))
    finally:
        engine.unmark_read_keys = original
    return [(f.path, f.line, f.rule_id) for f in result.findings if f.fixable]


@pytest.mark.parametrize("plan", [True, False], ids=["keyword hits", "no literal plan"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_readers_from_the_scan_walk_decide_as_a_second_walk(
    tmp_path: Path, variant: str, plan: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the literal plan (and with it each file's keyword hits) is built from 64 files on; this tree is smaller
    monkeypatch.setattr(engine, "PLAN_THRESHOLD", 1 if plan else 10**6)
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    name, data, keeps = VARIANTS[variant]
    if name is not None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    ours = _fixable(root, own_walk=False)
    assert ours == _fixable(root, own_walk=True)
    env_key_fixable = any(path == ".env.example" for path, _, _ in ours)
    assert env_key_fixable is not keeps


def test_bytes_test_never_rules_out_a_text_holding_the_word(tmp_path: Path) -> None:
    needles = _ascii_needles({"zoho_authtoken", "authtoken"})
    assert needles is not None
    cases = {
        "plain": ("x = cfg.ZOHO_AUTHTOKEN\n", True),
        "crlf": ("x = 1\r\ny = cfg.authToken\r\n", True),
        "kelvin": ("x = cfg.AUTHTO\u212aEN\n", True),  # str.lower() gives "authtoken"
        "dotted capital i": ("\u0130\n", True),  # the bytes test cannot tell: maybe
        "absent": ("x = cfg.auth_token\n", False),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        assert _may_hold(str(path), needles) is expected, name
        if "authtoken" in path.read_text(encoding="utf-8", errors="replace").lower():
            assert _may_hold(str(path), needles), name
    assert _may_hold(str(tmp_path / "missing"), needles)  # unreadable: the caller's own read decides
    assert _ascii_needles({"clé"}) is None


def test_reading_lines_skip_texts_without_the_key_as_written(ruleset) -> None:
    """A text holding the key only in another letter case has no reading line (the spellings are case-sensitive);
    the shortcut gives the regex's own answer, and steps aside for a case-insensitive format or spelling."""
    from migrate.requests.configreaders import ConfigReaders, _pattern

    finder = ConfigReaders(ruleset)
    assert finder._literal_key  # the built-in spellings allow it
    texts = ["x = config.authtoken\n", "x = config.authToken\n", "x = cfg['AUTHTOKEN']\ny = ENV['authToken']\n", ""]
    for text in texts:
        for ignore_case in (False, True):
            pattern = _pattern(finder._spellings, "authToken", ignore_case)
            expected = sorted({text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)})
            assert finder.lines(text, "authToken", ignore_case) == expected, (text, ignore_case)
    finder._spellings = ("(?i:config\\.{key})",)
    finder._literal_key = all("{key}" in s and "(?i" not in s for s in finder._spellings)
    assert not finder._literal_key and finder.lines("x = CONFIG.AUTHTOKEN\n", "authToken") == [1]


def test_a_key_holding_no_keyword_walks_the_tree(tmp_path: Path) -> None:
    """The scan leaves out the files holding no rule keyword; a key with none of them in it cannot use that, and
    the check walks the tree as before (simulated: a vocabulary no key holds, every file left out)."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    (root / "bin").mkdir()
    (root / "bin" / "sync").write_bytes(b"#!/bin/sh\n" + READ.encode())
    original = engine.unmark_read_keys

    def unknown_words(f, r, w, rs, **_):  # noqa: ANN001, ANN202
        return original(f, r, w, rs, files=[], vocabulary=frozenset({"no-key-holds-this"}))

    engine.unmark_read_keys = unknown_words  # type: ignore[assignment]
    try:
        from migrate.ruleset import load_ruleset

        result = engine.scan_paths([root], load_ruleset(), engine.ScanOptions(jobs=1))
    finally:
        engine.unmark_read_keys = original
    fixable = [(f.path, f.line, f.rule_id) for f in result.findings if f.fixable]
    assert fixable == _fixable(root, own_walk=True)
    assert not any(path == ".env.example" for path, _, _ in fixable)  # the shell reader was found by the walk
