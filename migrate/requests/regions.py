"""Can a regex match inside one slice of a file? Answered from one pass over the whole file, not per slice.

The request model searches each request's region (a run of whole lines) for POST markers, XML bodies and product
parameters. A region can be most of the file (a module-level constant and the call that uses it far below), so
searching every region again cost time quadratic in the file (issue 12's growth shapes: 2,000 requests in one
file). Instead, each regex runs once over the whole text; its matches, sorted, answer "no match of it touches
these lines", and only a region that some match touches is searched as before.

Why that is exact: a region starts at a line start and ends at a line end, so at its edges the whole text has a
newline (or its own start or end), which `\\b`, `\\B` and multi-line `^`/`$` treat as the slice's own edges.
For a pattern with no other edge-sensitive construct (lookarounds, `\\A`, `\\Z`, single-line `^`/`$`), every
match in the slice is a match at the same place in the whole text; finditer on the whole text reports it or an
earlier match overlapping it. So when no reported match overlaps the region, the region has no match. Patterns
with those constructs are not answered (`may_match` says "maybe").

The whole-file pass is itself deferred: while the slices asked about for a regex add up to less than the file,
`may_match` says "maybe" and the caller searches its slice, which costs no more than the pass would (most files
have a few short requests; a whole-file pass of the POST/PUT/DELETE regexes was a third of `fixable`'s time on the
legacy benchmark tree). Past that, the pass runs once and answers the rest, so the total stays linear.
"""

from __future__ import annotations

import bisect
import re

_EDGE_SENSITIVE = re.compile(r"\(\?<?[=!]|\\[AZ]")


def line_local(regex: re.Pattern[str]) -> bool:
    """Is `regex` free of constructs that read past a line-aligned slice's edges? (Conservative: a pattern that
    merely looks like one, `\\(?=`, counts as edge-sensitive.)"""
    if _EDGE_SENSITIVE.search(regex.pattern):
        return False
    anchors = re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", regex.pattern)  # escapes and classes hold no anchors
    return bool(regex.flags & re.MULTILINE) or ("^" not in anchors and "$" not in anchors)


class RegionSearch:
    """Per-file cache of each regex's matches over the whole text."""

    def __init__(self, text: str, defer: bool = True) -> None:
        self.text = text
        # slices up to this many characters in all (per regex) are left to the caller before the whole-file pass
        self.budget = len(text) if defer else 0
        self._hits: dict[re.Pattern[str], tuple[list[int], list[int]] | None] = {}
        self._direct: dict[re.Pattern[str], int] = {}  # characters of slices left to the caller so far, per regex

    def _spans(self, regex: re.Pattern[str]) -> tuple[list[int], list[int]] | None:
        if regex not in self._hits:
            if not line_local(regex):
                self._hits[regex] = None
            else:
                starts, ends = [], []
                for m in regex.finditer(self.text):
                    starts.append(m.start())
                    ends.append(max(m.end(), m.start() + 1))  # an empty match still occupies its position
                self._hits[regex] = (starts, ends)
        return self._hits[regex]

    def may_match(self, regex: re.Pattern[str], start: int, end: int) -> bool:
        """False only when `regex` cannot match `text[start:end]`, a run of whole lines (see the module docstring);
        True when it may (then search the slice itself)."""
        if start >= end:
            return True  # an empty slice: cheap to search, and an empty match is possible there
        if regex not in self._hits:
            spent = self._direct.get(regex, 0) + end - start
            if spent <= self.budget:  # searching the slices so far costs less than a pass over the file
                self._direct[regex] = spent
                return True
        spans = self._spans(regex)
        if spans is None:
            return True
        starts, ends = spans
        index = bisect.bisect_right(ends, start)  # the first match ending after the slice starts
        return index < len(starts) and starts[index] < end
