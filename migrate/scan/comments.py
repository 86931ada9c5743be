"""Where the comments are in a file, so rules can ignore commented-out or explanatory text.

Languages with a tree-sitter grammar get exact comment spans; the others (Deluge, config formats, ...)
use their comment markers from rules/languages.yaml with a small quote-aware scanner. So do files larger than
TREE_SITTER_MAX_BYTES (minified bundles): a tree for a 3 MB one-line file costs ~130 MB of memory for little gain;
and files whose parse runs over its time budget (migrate/parsing.py).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from migrate import parsing
from migrate.ruleset.model import Language

TREE_SITTER_MAX_BYTES = 1_000_000


class CommentMap:
    """Answers `is offset X inside a comment?` for one file; computed lazily, only when a rule asks."""

    def __init__(self, text: str, language: Language) -> None:
        self.text = text
        self.language = language
        self._starts: list[int] | None = None
        self._ends: list[int] = []
        self._byte_offsets = not text.isascii()
        self._line_starts: list[int] = []
        self._line_bytes: list[int] | None = None
        self.parse_error = False
        self._spans: list[tuple[int, int]] = []

    def _compute(self) -> None:
        spans: list[tuple[int, int]]
        if self.language.kind == "docs":
            spans = []
        elif self.language.tree_sitter and len(self.text) <= TREE_SITTER_MAX_BYTES and self._tree_spans():
            spans = self._spans
        else:
            self._byte_offsets = False
            spans = marker_spans(self.text, self.language.line_comments, self.language.block_comments)
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def _tree_spans(self) -> bool:
        """Comment spans from the grammar into `_spans`; False when the parse gave up (over its time budget)."""
        data = self.text.encode("utf-8", errors="surrogateescape")
        tree = parsing.parse(self.language.tree_sitter, data)
        if tree is None:
            self.parse_error = True
            return False
        self.parse_error = tree.root_node.has_error
        spans = parsing.capture_spans(self.language.tree_sitter, tree, self.language.comment_query)
        self._spans = self._agreed(spans, data) if self.parse_error else spans
        return True

    def _agreed(self, spans: list[tuple[int, int]], data: bytes) -> list[tuple[int, int]]:
        """On a tree with parse errors, keep only the comments the marker scanner also sees start there.

        Error recovery can turn code into a "comment" (`"https://crm.zoho.com/..."` whose string was broken
        becomes a `//crm.zoho.com/...` comment); a comment both methods agree on is one. Captured strings
        (Python docstrings) are kept: the marker scanner does not know them.
        """
        marker_starts = {
            self._byte_offset(start) if self._byte_offsets else start
            for start, _ in marker_spans(self.text, self.language.line_comments, self.language.block_comments)
        }
        kept = []
        for start, end in spans:
            head = data[start : start + 4].lstrip(b"rRbBuUfF")
            if start in marker_starts or head[:1] in (b'"', b"'"):
                kept.append((start, end))
        return kept

    def contains(self, offset: int) -> bool:
        """Is the character at `offset` inside a comment?"""
        if self._starts is None:
            self._compute()
        assert self._starts is not None
        position = self._byte_offset(offset) if self._byte_offsets else offset
        index = bisect.bisect_right(self._starts, position) - 1
        return index >= 0 and self._starts[index] <= position < self._ends[index]


    def _byte_offset(self, offset: int) -> int:
        """UTF-8 byte offset of a character offset (tree-sitter counts bytes), in time linear in one line."""
        if self._line_bytes is None:
            starts = [0]
            byte_starts = [0]
            for line in self.text.splitlines(keepends=True):
                starts.append(starts[-1] + len(line))
                byte_starts.append(byte_starts[-1] + len(line.encode("utf-8", errors="surrogateescape")))
            self._line_starts, self._line_bytes = starts, byte_starts
        index = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[index]
        head = self.text[start:offset].encode("utf-8", errors="surrogateescape")
        return self._line_bytes[index] + len(head)


_QUOTE_END = {q: re.compile("[\\\\\n" + re.escape(q) + "]") for q in "\"'`"}


@lru_cache(maxsize=64)
def _interesting(line_markers: tuple[str, ...], block_markers: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    firsts = {m[0] for m in line_markers if m} | {s[0] for s, _ in block_markers if s} | set("\"'`\n")
    return re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]")


def marker_spans(
    text: str, line_markers: tuple[str, ...], block_markers: tuple[tuple[str, str], ...]
) -> list[tuple[int, int]]:
    """Comment spans found by markers, skipping markers inside single/double/back-quoted strings on a line."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    interesting = _interesting(tuple(line_markers), tuple(tuple(b) for b in block_markers))
    i = 0
    quote: str | None = None
    line_start = True
    while i < n:
        if quote:
            # inside a string only a backslash, the closing quote or a newline matter; line_start is left alone
            found = _QUOTE_END[quote].search(text, i)
            if found is None:
                break
            j = found.start()
            if text[j] == "\\":
                i = j + 2
                continue
            quote = None
            i = j + 1
            continue
        found = interesting.search(text, i)
        if found is None:
            break
        if found.start() > i:
            # ordinary characters (no marker, quote or newline): a line start survives only spaces and tabs
            line_start = line_start and not text[i : found.start()].strip(" \t")
            i = found.start()
        ch = text[i]
        matched = False
        for start, end in block_markers:
            if text.startswith(start, i):
                close = text.find(end, i + len(start))
                stop = n if close < 0 else close + len(end)
                spans.append((i, stop))
                i = stop
                matched = True
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
                i = stop
                matched = True
                break
        if matched:
            continue
        if ch in "\"'`":
            quote = ch
        line_start = ch == "\n" or (line_start and ch in " \t")
        i += 1
    return spans
