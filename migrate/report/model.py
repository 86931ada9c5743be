"""The report as plain data: everything a template shows, computed once from the scan and the other stages.

Templates only lay this out; no Zoho knowledge and no masking decisions live in them.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from migrate import __version__
from migrate.report.inputs import ManualItem, Proposal, Verification
from migrate.report.leaks import Leak, LeakGroup, find_leaks, group_leaks, history_note
from migrate.report.oauth import OAuthPlan, oauth_plan
from migrate.report.sources import Context, SourceReader
from migrate.ruleset import RuleSet
from migrate.ruleset.model import SEVERITIES
from migrate.scan.engine import ScanResult
from migrate.scan.finding import Finding
from migrate.scan.languages import LanguageIndex


@dataclass
class FindingView:
    finding: Finding
    context: Context | None
    manual: str | None
    anchor: str


@dataclass
class FileView:
    path: str
    language: str
    anchor: str
    findings: list[FindingView]
    counts: dict[str, int]



@dataclass
class Report:
    title: str
    generated: str
    version: str
    roots: list[str]
    result: ScanResult
    by_severity: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_product: list[tuple[str, int]]
    files: list[FileView]
    leaks: list[Leak]
    history_leaks: list[Leak]
    history_note: str
    history_scanned: bool
    oauth: OAuthPlan
    proposal: Proposal
    manual: list[ManualItem]
    verification: Verification | None
    languages: dict[str, str] = field(default_factory=dict)  # path -> language name (for highlighting)
    secrets: set[str] = field(default_factory=set)  # raw values seen while reading context: masked at the end

    @property
    def total(self) -> int:
        return len(self.result.findings)

    @property
    def leak_groups(self) -> list[LeakGroup]:
        return group_leaks(self.leaks)

    @property
    def history_leak_groups(self) -> list[LeakGroup]:
        return group_leaks(self.history_leaks)

    @property
    def fixable(self) -> int:
        return sum(1 for f in self.result.findings if f.fixable)


def anchor(prefix: str, text: str) -> str:
    return prefix + "-" + "".join(c if c.isalnum() else "-" for c in text).strip("-").lower()


def _counts(values: list[str], order: list[str] | None = None) -> list[tuple[str, int]]:
    counts = Counter(values)
    keys = order if order is not None else sorted(counts, key=lambda k: (-counts[k], k))
    return [(k, counts[k]) for k in keys if counts[k]]


def _products(findings: list[Finding]) -> list[str]:
    """The product each finding belongs to, for "By product".

    Why not just `finding.product`: the scanner sets it only on a line that names a Zoho URL, so the authtoken
    constant, the `params={"authtoken": ...}` line and the XML parsing of a file that talks only to Zoho Invoice
    all came out as "(no product)". A finding without its own product takes its file's product when every
    product-bearing finding in that file agrees on one; otherwise it stays unattributed."""
    per_file: dict[str, set[str]] = {}
    for f in findings:
        if f.product:
            per_file.setdefault(f.path, set()).add(f.product)
    out = []
    for f in findings:
        known = per_file.get(f.path, set())
        if f.product:
            out.append(f.product)
        elif len(known) == 1:
            out.append(next(iter(known)))
        else:
            out.append("(several products)" if known else "(no product)")
    return out


def _manual_from_rules(result: ScanResult, ruleset: RuleSet) -> list[ManualItem]:
    """Without the rewrite stage: each finding whose rule has a manual step, in file order."""
    texts = {r.id: r.manual for r in ruleset.rules if r.manual}
    return [
        ManualItem(f.path, f.line, f.rule_id, " ".join(str(texts[f.rule_id]).split()))
        for f in result.findings
        if f.rule_id in texts and not f.fixable
    ]


def _only_in_history(past: list[Leak], current: list[Leak]) -> list[Leak]:
    """Leaks from history that today's code no longer shows (the same rule and masked line is the same value)."""
    seen = {(leak.rule_id, " ".join(leak.snippet.split())) for leak in current}
    return [leak for leak in past if (leak.rule_id, " ".join(leak.snippet.split())) not in seen]


def build_report(
    result: ScanResult,
    ruleset: RuleSet,
    *,
    proposal: Proposal,
    verification: Verification | None = None,
    history: ScanResult | None = None,
    context_lines: int = 3,
    title: str | None = None,
) -> Report:
    reader = SourceReader(result, ruleset, ruleset.scan.max_file_size)
    index = LanguageIndex(ruleset.languages, ruleset.scan.template_suffixes)
    manual_texts = {r.id: r.manual for r in ruleset.rules if r.manual}
    files: list[FileView] = []
    languages: dict[str, str] = {}
    grouped: dict[str, list[Finding]] = {}
    for f in result.findings:
        grouped.setdefault(f.path, []).append(f)
    for path, findings in grouped.items():
        lang = index.detect(PurePosixPath(path))
        languages[path] = lang.name if lang else "other"
        views = [
            FindingView(
                f,
                reader.context(f.path, f.line, f.end_line, context_lines, f.column),
                manual_texts.get(f.rule_id),
                anchor("f", f"{f.path}-{f.line}-{f.column}-{f.rule_id}"),
            )
            for f in findings
        ]
        files.append(
            FileView(path, languages[path], anchor("file", path), views, dict(Counter(f.severity for f in findings)))
        )
    for path, _ in proposal.diffs:
        lang = index.detect(PurePosixPath(path))
        languages.setdefault(path, lang.name if lang else "other")
    plan = oauth_plan(result.findings, ruleset)
    accounts = plan.primary.accounts
    leaks = find_leaks(result.findings, ruleset, accounts)
    names = [Path(r).resolve().name or r for r in result.roots]
    return Report(
        title=title or f"Zoho OAuth migration review: {', '.join(names) or 'project'}",
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        roots=result.roots,
        result=result,
        by_severity=_counts([f.severity for f in result.findings], list(reversed(SEVERITIES))),
        by_category=_counts([f.category for f in result.findings]),
        by_product=_counts(_products(result.findings)),
        files=files,
        leaks=leaks,
        history_leaks=_only_in_history(find_leaks(history.findings, ruleset, accounts), leaks)
        if history is not None
        else [],
        history_note=history_note(ruleset),
        history_scanned=history is not None,
        oauth=plan,
        proposal=proposal,
        manual=proposal.manual if proposal.available else _manual_from_rules(result, ruleset),
        verification=verification,
        languages=languages,
        secrets=reader.secrets,
    )
