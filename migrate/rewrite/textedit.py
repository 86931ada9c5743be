"""Applying edits to text: overlap detection (conflicts are reported, never merged) and position mapping.

A file is rewritten in passes (credentials, endpoints, headers, ...). Each pass computes its edits against the
text the previous pass produced; `History` maps any position back to the original text so findings, manual
steps and applied edits are reported on the user's original line numbers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from migrate.rewrite.model import Edit


@dataclass
class PassMap:
    """How one pass moved text: (old start, old end, new length) of each applied edit, in order.

    Lookups bisect precomputed offsets, so mapping stays O(log n) for files with thousands of edits.
    """

    edits: list[tuple[int, int, int]] = field(default_factory=list)

    def _index(self) -> tuple[list[int], list[int], list[int]]:
        cached = getattr(self, "_cached", None)
        if cached is None or cached[0] != len(self.edits):
            old_starts, new_starts, deltas = [], [], []
            delta = 0
            for start, end, length in self.edits:
                old_starts.append(start)
                new_starts.append(start + delta)
                deltas.append(delta)
                delta += length - (end - start)
            deltas.append(delta)
            cached = (len(self.edits), (old_starts, new_starts, deltas))
            self._cached = cached
        return cached[1]

    def back(self, offset: int) -> tuple[int, int]:
        """The old span a new offset comes from (an offset inside a replacement maps to the replaced span)."""
        _, new_starts, deltas = self._index()
        index = bisect.bisect_left(new_starts, offset)
        if index < len(new_starts) and new_starts[index] == offset:
            start, end, _ = self.edits[index]  # the first edit starting here (a deletion stands for its span)
            return start, end
        if index > 0:
            start, end, length = self.edits[index - 1]
            if offset < new_starts[index - 1] + length:
                return start, end
            return offset - deltas[index], offset - deltas[index]
        return offset, offset

    def forward(self, offset: int) -> int:
        """Where an old offset ended up (an offset inside a replaced span maps to the replacement's start)."""
        old_starts, new_starts, deltas = self._index()
        index = bisect.bisect_right(old_starts, offset) - 1
        if index < 0:
            return offset
        start, end, _ = self.edits[index]
        if offset < end:
            return new_starts[index]
        return offset + deltas[index + 1]


class SpanSet:
    """Spans a pass has already claimed; `contains` bisects (passes claim thousands in big files)."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []
        self._index: tuple[list[int], list[int]] | None = None

    def add(self, start: int, end: int) -> None:
        self._spans.append((start, end))
        self._index = None

    def contains(self, offset: int) -> bool:
        if self._index is None:
            spans = sorted(self._spans)
            reach, furthest = [], -1
            for _, end in spans:
                furthest = max(furthest, end)
                reach.append(furthest)
            self._index = ([start for start, _ in spans], reach)
        starts, reach = self._index
        index = bisect.bisect_right(starts, offset) - 1
        return index >= 0 and reach[index] > offset


def resolve(edits: list[Edit]) -> tuple[list[Edit], list[tuple[Edit, Edit]]]:
    """Sort edits and keep those that do not overlap an earlier kept one; identical duplicates collapse.

    Returns (kept, [(kept edit, rejected edit), ...]).
    """
    kept: list[Edit] = []
    rejected: list[tuple[Edit, Edit]] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        # kept edits are sorted and disjoint, so only the last few can reach this one
        clash = next((k for k in reversed(kept[-3:]) if k.overlaps(edit)), None)
        if clash is None:
            kept.append(edit)
        elif (clash.start, clash.end, clash.replacement) != (edit.start, edit.end, edit.replacement):
            rejected.append((clash, edit))
    return kept, rejected


def apply(text: str, edits: list[Edit]) -> tuple[str, PassMap]:
    """Apply non-overlapping, sorted edits; returns the new text and the map of the pass."""
    parts = []
    position = 0
    mapping = PassMap()
    for edit in edits:
        parts.append(text[position : edit.start])
        parts.append(edit.replacement)
        position = edit.end
        mapping.edits.append((edit.start, edit.end, len(edit.replacement)))
    parts.append(text[position:])
    return "".join(parts), mapping


class LineIndex:
    """Offset -> 1-based line number for one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset(self, line: int) -> int:
        return self.starts[min(max(line, 1), len(self.starts)) - 1]


@dataclass
class History:
    """The original text, and the map of every pass applied since."""

    original: str
    maps: list[PassMap] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.original)

    def original_span(self, start: int, end: int | None = None) -> tuple[int, int]:
        """The original span covering [start, end] of the current text."""
        low, high = start, start if end is None else end
        for mapping in reversed(self.maps):
            a, _ = mapping.back(low)
            _, b = mapping.back(high)
            low, high = a, max(b, a)
        return low, high

    def original_lines(self, start: int, end: int | None = None) -> tuple[int, int]:
        low, high = self.original_span(start, end)
        return self.lines.line(low), self.lines.line(max(high - 1, low))

    def forward(self, offset: int) -> int:
        """Where an original offset is now."""
        for mapping in self.maps:
            offset = mapping.forward(offset)
        return offset
