"""The keyword prefilter: one pass of a compiled Aho-Corasick automaton over the raw bytes, before any regex.

Like ripgrep's literal extraction: every rule declares literal keywords; a file that holds none of them
costs only this pass. The result (which keywords occur) also answers the file-level context conditions.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class Prefilter:
    """Finds which of a fixed set of lowercase keywords occur in a file."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = sorted({k.lower() for k in keywords if k})
        self.automaton = ahocorasick.Automaton()
        for keyword in self.keywords:
            self.automaton.add_word(keyword, keyword)
        self.automaton.make_automaton()

    def found(self, data: bytes) -> set[str]:
        """Keywords present in `data` (ASCII case-insensitive)."""
        # latin-1 maps bytes 1:1 to code points, so this never fails and keeps ASCII keywords intact
        haystack = data.lower().decode("latin-1")
        found: set[str] = set()
        total = len(self.keywords)
        for _, keyword in self.automaton.iter(haystack):
            if keyword not in found:
                found.add(keyword)
                if len(found) == total:
                    break
        return found
