"""The fast comment-marker scanner finds exactly the spans of the plain character-by-character reference."""

from __future__ import annotations

import pytest

from migrate.ruleset import load_ruleset
from migrate.scan.comments import marker_spans
from tests.conftest import FIXTURES


def reference_spans(text: str, line_markers, block_markers) -> list[tuple[int, int]]:
    """The original one-character-at-a-time scanner, kept as the oracle."""
    spans: list[tuple[int, int]] = []
    i, n, quote, line_start = 0, len(text), None, True
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote or ch == "\n":
                quote = None
            i += 1
            continue
        matched = False
        for start, end in block_markers:
            if text.startswith(start, i):
                close = text.find(end, i + len(start))
                stop = n if close < 0 else close + len(end)
                spans.append((i, stop))
                i, matched = stop, True
                break
        if matched:
            continue
        for marker in line_markers:
            if text.startswith(marker, i) and (marker in ("//", "--") or line_start or text[i - 1] in " \t"):
                if marker == "//" and i > 0 and text[i - 1] == ":":
                    continue
                stop = text.find("\n", i)
                stop = n if stop < 0 else stop
                spans.append((i, stop))
                i, matched = stop, True
                break
        if matched:
            continue
        if ch in "\"'`":
            quote = ch
        line_start = ch == "\n" or (line_start and ch in " \t")
        i += 1
    return spans


FILES = sorted(p for p in (FIXTURES / "projects").rglob("*") if p.is_file() and p.stat().st_size < 200_000)
MARKER_SETS = sorted(
    {(lang.line_comments, lang.block_comments) for lang in load_ruleset().languages.values()}, key=repr
)
TRICKY = [
    'url = "https://x//y" // real comment\n# not at start\n  # at start\n',
    "a = 'it''s' -- sql comment\n/* block\n spans */ b\n",
    'x = "unterminated\n# comment after newline\n',
    "s = `tpl ${a}` ; semicolon\n;ini comment\n<!-- html -->\n",
    'esc = "a \\" # still string" # comment\n',
]


@pytest.mark.parametrize("markers", MARKER_SETS, ids=[repr(m)[:40] for m in MARKER_SETS])
def test_fast_scanner_matches_reference(markers):
    line, block = markers
    texts = TRICKY + [p.read_text(encoding="utf-8", errors="replace") for p in FILES]
    for text in texts:
        assert marker_spans(text, line, block) == reference_spans(text, line, block)
