"""Per-file state shared by the rewrite passes: findings by line, position history, manual steps, taint.

A pass reads the current text and this context and returns edits; the engine applies them and records the
position map, so every pass can ask "is this spot on a line the scanner flagged for rule X?" in original terms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from migrate.rewrite.fixdata import FixData, LanguageFixes
from migrate.rewrite.model import AppliedEdit, Conflict, ManualStep
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.textedit import History
from migrate.ruleset import RuleSet
from migrate.ruleset.endpoints import EndpointMatch
from migrate.ruleset.model import Language, Rule
from migrate.scan.finding import Finding

ZOHO_URL = re.compile(
    r"(?:https?://)?(?<![\w.-])[a-z0-9-]+\.zoho(?:cloud)?\.[a-z.]+(?:/[^\s\"'`<>()\\,;{}$#%?]*)?", re.IGNORECASE
)
_ZOHO_DOT = re.compile(r"\.zoho", re.IGNORECASE)
URL_MEMO_LIMIT = 10_000  # distinct URLs remembered per file (a bound on memory, not on correctness)
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def zoho_urls(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """The matches of `ZOHO_URL.finditer(text, pos, endpos)`, found from the literal `.zoho` outward.

    A regex that starts with a character class is tried at every position (about 14 MB/s); a literal search is ten
    times faster, and each hit pins the only place a match containing it can start: the host label's first character,
    or the scheme just before it.
    """
    end = len(text) if endpos is None else endpos
    last = pos
    for hit in _ZOHO_DOT.finditer(text, pos, end):
        if hit.start() < last:
            continue  # inside the URL matched before (".zoho" in its path)
        start = hit.start()
        while start > last and text[start - 1] in _LABEL_CHARS:
            start -= 1
        for scheme in ("https://", "http://"):
            if start - len(scheme) >= last and text[start - len(scheme) : start].lower() == scheme:
                start -= len(scheme)
                break
        match = ZOHO_URL.match(text, start, end)
        if match is not None and match.end() > hit.start():
            last = match.end()
            yield match


@dataclass
class FileContext:
    """What the passes know about the file being rewritten."""

    path: str
    language: Language
    fixes: LanguageFixes | None
    data: FixData
    ruleset: RuleSet
    findings: list[Finding]
    history: History
    project_products: set[str] = field(default_factory=set)
    manual: list[ManualStep] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    applied: list[AppliedEdit] = field(default_factory=list)
    auth_sites: list[int] = field(default_factory=list)  # current offsets where a credential was removed
    site_receivers: dict[int, str] = field(default_factory=dict)  # auth_sites index -> object a statement set it on
    uses_helper: bool = False
    helper_module: str = "zoho_auth"
    package: str | None = None
    # per-file analyses of the original text that several passes or findings ask for (worked out once)
    memo: dict[str, Any] = field(default_factory=dict)
    references: ReferenceIndex | None = None  # identifiers of the whole scanned tree (definitions used elsewhere)
    helper_rel: str = ""  # from the file's folder to the token helper's (one helper per package root)
    helper_up: int | None = None  # Python inside a package: relative import levels; None: `import zoho_auth`
    helper_dir: str | None = None  # the helper's folder on disk (None: rewriting a text alone)
    kept_for_references: bool = False  # a definition stayed because another file mentions it (plan re-checks)
    # original lines of the requests left as they were: a pass that edits text no finding marks (a query parameter)
    # must not touch them, or a request promised "every part left as it was" is half migrated
    frozen_lines: frozenset[int] = frozenset()
    # re-scan findings on what the rewrite itself wrote, on a line that already has a manual step (the environment
    # lookup that replaced a token): listed as manual steps, but not given a second TODO on that line
    echoes: list[ManualStep] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_line: dict[int, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            for line in range(finding.line, max(finding.line, finding.end_line) + 1):
                self.by_line[line].append(finding)
        self._products: dict[str, int] | None = None
        self._urls: dict[str, EndpointMatch | None] = {}

    # where the scanner flagged -----------------------------------------------------------------------------------
    def rules_with_action(self, action: str) -> list[Rule]:
        ids = {f.rule_id for f in self.findings}
        return [
            r for r in self.ruleset.rules if r.id in ids and r.fix and r.fix.get("action") == action
        ]

    def original_line(self, offset: int) -> int:
        return self.history.original_lines(offset)[0]

    def flagged(self, offset: int, rule_ids: set[str] | str, end: int | None = None) -> bool:
        """Is the original line of `offset` (or any line up to `end`) flagged by one of these rules?"""
        ids = {rule_ids} if isinstance(rule_ids, str) else rule_ids
        first, last = self.history.original_lines(offset, end if end is not None else offset)
        return any(f.rule_id in ids for line in range(first, last + 1) for f in self.by_line.get(line, ()))

    def frozen(self, offset: int) -> bool:
        """Is the original line of `offset` part of a request that is left as it was?"""
        return self.original_line(offset) in self.frozen_lines

    def flagged_category(self, offset: int, categories: set[str], end: int | None = None) -> bool:
        first, last = self.history.original_lines(offset, end if end is not None else offset)
        return any(
            f.category in categories for line in range(first, last + 1) for f in self.by_line.get(line, ())
        )

    # reporting ---------------------------------------------------------------------------------------------------
    def add_manual(self, offset: int, rule_id: str, text: str) -> None:
        step = ManualStep(self.path, self.original_line(offset), rule_id, text)
        if step not in self.manual:
            self.manual.append(step)

    # the file's Zoho products ------------------------------------------------------------------------------------
    def match_url(self, url: str) -> EndpointMatch | None:
        """The endpoint map's match; `.../api/v3/invoices` also tries `.../invoices/` (families end in `/{rest*}`).

        Remembered per URL: a file repeats the same few URLs, and the map's lookup parses each one.
        """
        if url in self._urls:
            return self._urls[url]
        resolved = self.ruleset.endpoints.match(url)
        if resolved is None and not url.endswith("/") and "?" not in url:
            resolved = self.ruleset.endpoints.match(url + "/")
        if len(self._urls) < URL_MEMO_LIMIT:
            self._urls[url] = resolved
        return resolved

    def products(self, text: str) -> dict[str, int]:
        """Products whose legacy URLs the original text mentions, with their counts (computed once)."""
        if self._products is None:
            counts: dict[str, int] = defaultdict(int)
            for m in zoho_urls(text):
                resolved = self.match_url(m.group(0))
                if resolved is not None:
                    counts[resolved.product.name] += 1
            for finding in self.findings:
                if finding.product:
                    counts[finding.product] += 1
            self._products = dict(counts)
        return self._products

    def product_near(self, text: str, snippet: str) -> str | None:
        """The product of the first Zoho URL in `snippet`, else the file's most mentioned product."""
        for m in zoho_urls(snippet):
            resolved = self.match_url(m.group(0))
            if resolved is not None:
                return resolved.product.name
        counts = self.products(text)
        if counts:
            return max(sorted(counts), key=lambda name: counts[name])
        if self.project_products:
            return sorted(self.project_products)[0]
        return None

    def render(self, macro: str, *args: Any, **kwargs: Any) -> str:
        """Call one of the language's snippet macros."""
        assert self.fixes is not None
        module = self.data.snippets(self.fixes)
        function = getattr(module, macro, None)
        if function is None:
            from migrate.errors import RuleError

            raise RuleError(f"fixes: {self.fixes.name}: snippets.j2 has no macro `{macro}`")
        return str(function(*args, **kwargs))
