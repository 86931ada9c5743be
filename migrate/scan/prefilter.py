"""The keyword prefilter: one pass of a compiled multi-literal matcher over the raw bytes, before any regex.

Like ripgrep's literal extraction: every rule declares literal keywords; a file that holds none of them
costs only this pass. The result (which keywords occur) also answers the file-level context conditions.

Two interchangeable engines give the same answer (ASCII case-insensitive, on bytes):
- Hyperscan (the `hyperscan` wheel, x86-64): SIMD literal matching at gigabytes per second, each keyword
  reported once per file, so Python sees a handful of callbacks per file at most;
- Aho-Corasick (`pyahocorasick`, everywhere): a C automaton over the lower-cased bytes, about ten times slower
  here, because every occurrence of every keyword comes back through the Python loop.
`ZOHO_MIGRATE_PREFILTER=ahocorasick` (or `hyperscan`) picks one; by default Hyperscan when it imports.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import ahocorasick

try:  # optional: wheels exist for x86-64 only
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

ENGINE_ENV = "ZOHO_MIGRATE_PREFILTER"


def default_engine() -> str:
    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted == "ahocorasick" or hyperscan is None:
        return "ahocorasick"
    return "hyperscan"


class Prefilter:
    """Finds which of a fixed set of lowercase keywords occur in a file."""

    def __init__(
        self, keywords: Iterable[str], engine: str | None = None, sentinels: Iterable[bytes] = ()
    ) -> None:
        self.keywords = sorted({k.lower() for k in keywords if k})
        # byte sequences matched as they are (case-sensitive), reported by their Latin-1 reading; they must hold
        # no ASCII letter, so lower-casing the haystack leaves them alone in either engine
        self.sentinels = sorted({s.decode("latin-1") for s in sentinels if s})
        if any(c.isascii() and c.isalpha() for s in self.sentinels for c in s):
            raise ValueError("prefilter sentinels must not contain ASCII letters")
        self.engine = engine or default_engine()
        if self.engine == "hyperscan" and hyperscan is None:
            self.engine = "ahocorasick"
        if self.engine == "hyperscan":
            self._init_hyperscan()
        else:
            self._init_ahocorasick()

    # Aho-Corasick ---------------------------------------------------------------------------------------------
    def _init_ahocorasick(self) -> None:
        self.automaton = ahocorasick.Automaton()
        words = sorted({*self.keywords, *self.sentinels})
        for word in words:
            self.automaton.add_word(word, word)
        if words:
            self.automaton.make_automaton()
        self._total = len(words)

    def _found_ahocorasick(self, data: bytes) -> set[str]:
        found: set[str] = set()
        if not self._total:
            return found
        # latin-1 maps bytes 1:1 to code points, so this never fails and keeps ASCII keywords intact
        haystack = data.lower().decode("latin-1")
        total = self._total
        for _, keyword in self.automaton.iter(haystack):
            if keyword not in found:
                found.add(keyword)
                if len(found) == total:
                    break
        return found

    # Hyperscan ------------------------------------------------------------------------------------------------
    def _init_hyperscan(self) -> None:
        # a keyword is matched as the bytes the Aho-Corasick engine compares: its Latin-1 code units, with ASCII
        # letters folded either way (exactly what bytes.lower() does on the haystack); unencodable keywords can
        # never occur in a Latin-1 view of bytes, so they are left out, as they never match there either
        self._patterns: list[str] = []
        expressions: list[bytes] = []
        flags: list[int] = []
        for words, caseless in ((self.keywords, hyperscan.HS_FLAG_CASELESS), (self.sentinels, 0)):
            for word in words:
                try:
                    encoded = word.encode("latin-1")
                except UnicodeEncodeError:
                    continue
                self._patterns.append(word)
                expressions.append(encoded)
                flags.append(caseless | hyperscan.HS_FLAG_SINGLEMATCH)
        self._database = None
        if expressions:
            self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._database.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=flags,
                literal=True,
            )

    def _found_hyperscan(self, data: bytes) -> set[str]:
        found: set[str] = set()
        if self._database is None or not data:
            return found
        patterns = self._patterns

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(patterns[pattern_id])

        self._database.scan(data, match_event_handler=on_match)
        return found

    # ----------------------------------------------------------------------------------------------------------
    def found(self, data: bytes) -> set[str]:
        """Keywords present in `data` (ASCII case-insensitive), plus the sentinels present (Latin-1 reading)."""
        if self.engine == "hyperscan":
            return self._found_hyperscan(data)
        return self._found_ahocorasick(data)
