"""Rewriting one file's text: run the passes in order, resolve clashes, and account for every finding.

Pure text in, text out (no I/O), so `plan`, `fixable_fingerprints` and tests share it. Every finding of the
file ends up either changed by an edit (and gone on a re-scan of the result) or listed as a manual step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from migrate.errors import RuleError
from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.helpers import HelperLocation
from migrate.rewrite.model import AppliedEdit, Conflict, Edit, ManualStep
from migrate.rewrite.passes import (
    calls,
    cleanup,
    configkeys,
    credentials,
    definitions,
    endpoints,
    headers,
    imports,
    oauthheader,
    queryparams,
    xmlreply,
)
from migrate.rewrite.references import ReferenceIndex
from migrate.rewrite.textedit import History, LineIndex, apply, resolve
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.finding import Finding
from migrate.scan.matcher import CompiledRules, FileMatcher
from migrate.secrets import mask_text

Pass = Callable[[str, FileContext], list[Edit]]
# order matters: credentials first (records auth sites), headers while URLs are still legacy (product lookup),
# then URLs, then the variables that are now unused, then reply handling, calls, config, imports last
PASSES: tuple[Pass, ...] = (
    credentials.run,
    cleanup.run,
    oauthheader.run,
    headers.run,
    queryparams.run,
    endpoints.run,
    definitions.run,
    configkeys.run,
    xmlreply.run,
    calls.run,
    imports.run,
)

_COMPILED: dict[int, CompiledRules] = {}


def compiled_rules(ruleset: RuleSet) -> CompiledRules:
    """The scanner's compiled rules for this ruleset (built once per process)."""
    key = id(ruleset)
    if key not in _COMPILED:
        _COMPILED[key] = CompiledRules(ruleset)
    return _COMPILED[key]


def scan_text(
    ruleset: RuleSet, text: str, language: Language, path: str, context_from: str | None = None
) -> list[Finding]:
    """Findings of one text exactly as `zoho-migrate scan` reports them.

    With `context_from` (the original text), file-level contexts that held there still hold: XML parsing left in
    a file whose legacy URLs were rewritten still parses a Zoho reply, which is now JSON, so it is not "fixed".
    """
    compiled = compiled_rules(ruleset)
    found = compiled.prefilter.found(text.encode("utf-8", errors="surrogateescape"))
    if context_from is not None:
        found |= compiled.prefilter.found(context_from.encode("utf-8", errors="surrogateescape"))
    if not found:
        return []
    return FileMatcher(compiled, text, language, path, found).run().findings


@dataclass
class FileResult:
    """The outcome of rewriting one text."""

    text: str
    applied: list[AppliedEdit] = field(default_factory=list)
    manual: list[ManualStep] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    fixed: set[str] = field(default_factory=set)  # fingerprints of findings the rewrite changed
    uses_helper: bool = False
    datacenter: str | None = None
    package: str | None = None
    kept_for_references: bool = False  # a definition stayed because another file mentioned it


def rewrite_text(
    path: str,
    text: str,
    language: Language,
    findings: list[Finding],
    ruleset: RuleSet,
    data: FixData,
    project_products: set[str] | None = None,
    annotate: bool = False,
    references: ReferenceIndex | None = None,
    helper: HelperLocation | None = None,
) -> FileResult:
    """Rewrite one file's text; `findings` are the scanner's findings on this very text."""
    ctx = FileContext(
        path=path,
        language=language,
        fixes=data.language(language.name),
        data=data,
        ruleset=ruleset,
        findings=findings,
        history=History(text),
        project_products=set(project_products or ()),
        references=references,
        helper_rel=helper.rel if helper else "",
        helper_up=helper.up if helper else None,
        helper_dir=str(helper.directory) if helper else None,
    )
    ctx.products(text)
    current = text
    touched: set[int] = set()
    stages = [stage for run_pass in PASSES for stage in _stages(run_pass, ctx)]
    for run_pass in stages:
        try:
            edits = run_pass(current, ctx)
        except RuleError as error:  # a gap in (user) fix data: this pass leaves the file alone and says why
            ctx.add_manual(0, "zoho-migrate.fix-data", f"not rewritten by {_pass_name(run_pass)}: {error}")
            continue
        if not edits:
            continue
        kept, rejected = resolve(edits)
        lines = LineIndex(current)
        for winner, loser in rejected:
            first, _ = ctx.history.original_lines(loser.start)
            ctx.conflicts.append(
                Conflict(path, first, (winner.rule_id, loser.rule_id), f"{loser.description} overlaps {winner.description}")
            )
            ctx.add_manual(loser.start, loser.rule_id, f"not applied (overlaps another fix): {loser.description}")
        for edit in kept:
            first, last = ctx.history.original_lines(edit.start, max(edit.end, edit.start))
            touched.update(range(first, last + 1))
            ctx.applied.append(AppliedEdit(first, edit.rule_id, mask_text(edit.description)))
        del lines
        current, mapping = apply(current, kept)
        ctx.history.maps.append(mapping)
        ctx.auth_sites = [mapping.forward(site) for site in ctx.auth_sites]
    fixed = _fixed(ctx, current, touched)
    for finding in findings:
        if finding.fingerprint not in fixed and not any(
            step.line == finding.line and step.rule_id == finding.rule_id for step in ctx.manual
        ):
            ctx.manual.append(ManualStep(path, finding.line, finding.rule_id, _manual_text(ctx, finding, text)))
    manual = sorted(ctx.manual, key=lambda s: (s.line, s.rule_id, s.text))
    if annotate and manual:
        current = _annotate(ctx, current, manual)
    return FileResult(
        text=current,
        applied=sorted(ctx.applied, key=lambda e: e.line),
        manual=manual,
        conflicts=ctx.conflicts,
        fixed=fixed,
        uses_helper=ctx.uses_helper,
        datacenter=_datacenter(ctx, text),
        package=_package(ctx, text),
        kept_for_references=ctx.kept_for_references,
    )


def _pass_name(run_pass: Pass) -> str:
    module = getattr(run_pass, "__module__", "") or ""
    return module.rsplit(".", 1)[-1] or "a pass"


def _stages(run_pass: Pass, ctx: FileContext) -> list[Pass]:
    """A pass module may split itself into stages applied one after another (`stages(ctx)`)."""
    import sys

    module = sys.modules[run_pass.__module__]
    splitter = getattr(module, "stages", None)
    return list(splitter(ctx)) if splitter is not None else [run_pass]


def _fixed(ctx: FileContext, new_text: str, touched: set[int]) -> set[str]:
    """Findings on lines an edit changed whose rule no longer fires there in the result."""
    if not touched:
        return set()  # nothing changed: nothing fixed
    remaining = scan_text(ctx.ruleset, new_text, ctx.language, ctx.path, context_from=ctx.history.original)
    index = LineIndex(new_text)
    still: set[tuple[str, int]] = set()
    for finding in remaining:
        # map the finding's own position (not its line start, which may sit where a line above was deleted)
        at = index.offset(finding.line) + max(finding.column - 1, 0)
        first, last = ctx.history.original_lines(at)
        for line in range(first, last + 1):
            still.add((finding.rule_id, line))
    # a legacy URL built from a base constant is fixed where the base is rewritten (its own line is untouched);
    # anything else must have been edited on its own line: a finding that merely vanishes with its file's
    # context (XML handling in a file that no longer names a legacy host) is not fixed
    endpoint_rules = {r.id for r in ctx.ruleset.rules if (r.fix or {}).get("action") == "endpoint"}
    return {
        f.fingerprint
        for f in ctx.findings
        if (f.rule_id, f.line) not in still and (f.line in touched or f.rule_id in endpoint_rules)
    }


def _manual_text(ctx: FileContext, finding: Finding, text: str) -> str:
    rule = next((r for r in ctx.ruleset.rules if r.id == finding.rule_id), None)
    if finding.category == "xml-parsing":
        described = xmlreply.field_map_text(ctx, text, payload="payload" in finding.rule_id)
        if described:
            return described
    if rule is not None and rule.manual:
        return rule.manual
    return finding.message


def _annotate(ctx: FileContext, text: str, manual: list[ManualStep]) -> str:
    """Leave `TODO(zoho-migrate): <step>` comments above each manual step's line (once)."""
    markers = ctx.language.line_comments
    blocks = ctx.language.block_comments
    if not markers and not blocks:
        return text
    edits = []
    index = LineIndex(text)
    original = LineIndex(ctx.history.original)
    for step in manual:
        offset = ctx.history.forward(original.offset(step.line))
        line_no = index.line(offset)
        start = index.offset(line_no)
        previous = text[index.offset(line_no - 1) : start] if line_no > 1 else ""
        note = mask_text(ctx.data.manual_text("annotate", text=step.text), ctx.ruleset.scan.secret_patterns)
        note = " ".join(note.split())
        if "TODO(zoho-migrate)" in previous or note in "".join(e.replacement for e in edits if e.start == start):
            continue
        indent = text[start : len(text[start:]) - len(text[start:].lstrip(" \t")) + start]
        comment = f"{markers[0]} {note}" if markers else f"{blocks[0][0]} {note} {blocks[0][1]}"
        edits.append(Edit(start, start, f"{indent}{comment}\n", step.rule_id, "annotation"))
    kept, _ = resolve(_merge_same_point(edits))
    new_text, _ = apply(text, kept)
    return new_text


def _merge_same_point(edits: list[Edit]) -> list[Edit]:
    merged: dict[int, Edit] = {}
    for edit in edits:
        if edit.start in merged:
            prior = merged[edit.start]
            merged[edit.start] = Edit(edit.start, edit.end, prior.replacement + edit.replacement, prior.rule_id, prior.description)
        else:
            merged[edit.start] = edit
    return list(merged.values())


def _datacenter(ctx: FileContext, text: str) -> str | None:
    counts: Counter[str] = Counter()
    for m in zoho_urls(text):
        resolved = ctx.match_url(m.group(0))
        if resolved is not None:
            counts[resolved.datacenter.id] += 1
    return counts.most_common(1)[0][0] if counts else None


def _package(ctx: FileContext, text: str) -> str | None:
    import re

    pattern = ctx.fixes.get("package") if ctx.fixes else None
    if not pattern:
        return None
    m = re.search(pattern, text, re.MULTILINE)
    return m.group("name") if m else None
