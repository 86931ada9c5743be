"""Rewriting one file's text: run the passes in order, resolve clashes, and account for every finding.

Pure text in, text out (no I/O), so `plan`, `fixable_fingerprints` and tests share it. Every finding of the
file ends up either changed by an edit (and gone on a re-scan of the result) or listed as a manual step.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from migrate.errors import RuleError
from migrate.requests import LegacyRequest, RequestPlan, plan_requests
from migrate.requests.build import REQUEST_CATEGORIES
from migrate.requests.structure import Scope
from migrate.rewrite.annotate import REQUEST_NOTE
from migrate.rewrite.annotate import annotate as annotate_text
from migrate.rewrite.audit import Violation, audit
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
from migrate.rewrite.validate import parses
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
    """Rewrite one file's text; `findings` are the scanner's findings on this very text.

    Whole requests or nothing: the request model groups the findings into requests; an infeasible request's
    findings are withheld from the passes (every byte of it stays), and after the passes the audit checks every
    request of the result; a request that fails it is withheld too and the file rewritten again from the original
    (at most `AUDIT_ROUNDS` times, then the file is left unchanged). Annotations are the last text edits.
    """
    plan = _request_plan(text, language, findings, ruleset)
    withheld: dict[str, str] = {}  # fingerprint -> why its request is left as it was
    anchors: dict[int, list[str]] = {}  # line of a withheld request -> why (one TODO per request)
    for request in plan.blocked:
        _withhold(plan, request, request.blocked or "", withheld, anchors)

    def run_passes() -> tuple[FileContext, str, set[int]]:
        """The passes over the original text, with the requests blocked so far withheld."""
        frozen = _frozen(plan)
        return _run_passes(path, text, language, findings, withheld, ruleset, data, project_products, references, helper, frozen)

    ctx, current, touched = run_passes()
    for _ in range(AUDIT_ROUNDS):
        violations = audit(text, current, language, ruleset, data)
        if not violations:
            break
        mapped = _violated_requests(ctx, plan, current, violations)
        if mapped is None:
            current = text  # the whole file: left as it was
            break
        for request, reason in mapped:
            plan.block(request, f"the rewrite would break it: {reason}")
        for request in plan.blocked:
            _withhold(plan, request, request.blocked or "", withheld, anchors)
        ctx, current, touched = run_passes()
    else:
        if audit(text, current, language, ruleset, data):
            current = text
    if current == text and touched:  # the audit gave up on this file: nothing is changed, everything is manual
        ctx, touched = _untouched(path, text, language, findings, ruleset, data, project_products), set()
        reason = "the rewrite of this file did not pass the whole-request audit"
        for finding in findings:
            withheld.setdefault(finding.fingerprint, reason)
        for request in plan.requests:  # the requests not blocked on their own: each keeps its own TODO
            if not request.blocked and request.findings:
                _anchor_at(anchors, _anchor(plan, request), reason)
        if not anchors:
            _anchor_at(anchors, min((f.line for f in findings), default=1), reason)
    fixed = _fixed(ctx, current, touched) - set(withheld)
    blocked_text = str((ctx.data.common.get("requests") or {}).get("blocked") or "{reason}")
    # a token-generation call does not "keep working until you migrate it": its own step replaces the request's
    own_text = set((ctx.data.common.get("requests") or {}).get("own_text") or ())
    own = {f.fingerprint for f in findings if f.fingerprint in withheld and f.category in own_text}
    for finding in findings:
        if finding.fingerprint in fixed:
            continue
        if finding.fingerprint in own:
            ctx.manual.append(ManualStep(path, finding.line, finding.rule_id, _manual_text(ctx, finding, text)))
        elif finding.fingerprint in withheld:
            text_ = blocked_text.format(reason=withheld[finding.fingerprint])
            ctx.manual.append(ManualStep(path, finding.line, finding.rule_id, text_))
        elif not any(step.line == finding.line and step.rule_id == finding.rule_id for step in ctx.manual):
            ctx.manual.append(ManualStep(path, finding.line, finding.rule_id, _manual_text(ctx, finding, text)))
    manual = sorted(set(ctx.manual), key=lambda s: (s.line, s.rule_id, s.text))
    uncommented = set(ctx.data.common.get("annotate_never") or ())  # JSON: a comment would make it invalid
    if annotate and manual and language.name not in uncommented:
        # the lines of a request left as it was carry its one TODO, except a token-generation step (`own_text`)
        withheld_lines = {f.line for f in findings if f.fingerprint in withheld}
        generation = {(f.line, f.rule_id) for f in findings if f.category in own_text and f.fingerprint not in fixed}
        generation_lines = {line for line, _ in generation}  # a request on such a line generates a token: no "keeps working"
        own_requests = {r.anchor for r in plan.requests if r.blocked and any(f.line in generation_lines for f in r.findings)}
        echoes = set(ctx.echoes)
        notes = [s for s in manual if (s.line not in withheld_lines or (s.line, s.rule_id) in generation) and s not in echoes]
        notes += [
            ManualStep(path, line, REQUEST_NOTE, blocked_text.format(reason=why))
            for line, whys in anchors.items()
            if line not in own_requests
            for why in whys
        ]
        annotated = annotate_text(ctx, current, sorted(notes, key=lambda s: (s.line, s.rule_id, s.text)))
        if parses(language, annotated, path.rsplit("/", 1)[-1]) is not False or parses(language, current, path.rsplit("/", 1)[-1]) is False:
            current = annotated  # a format without comments (JSON) is not annotated
    return FileResult(
        text=current,
        applied=sorted(ctx.applied, key=lambda e: e.line) if current != text else [],
        manual=manual,
        conflicts=ctx.conflicts,
        fixed=fixed if current != text else set(),
        uses_helper=ctx.uses_helper and current != text,
        datacenter=_datacenter(ctx, text),
        package=_package(ctx, text),
        kept_for_references=ctx.kept_for_references,
    )


AUDIT_ROUNDS = 3


def _request_plan(text: str, language: Language, findings: list[Finding], ruleset: RuleSet) -> RequestPlan:
    """The request model of this text; an internal failure withholds every request-shaped finding."""
    try:
        return plan_requests(text, language, findings, ruleset)
    except Exception as error:  # noqa: BLE001 - never rewrite what could not be understood
        plan = RequestPlan()
        request = LegacyRequest(0, Scope(1, text.count("\n") + 1, None, False, True), None, 1, text.count("\n") + 1)
        request.findings = [f for f in findings if f.category in REQUEST_CATEGORIES]
        request.blocked = f"the request model could not read this file ({type(error).__name__})"
        plan.requests.append(request)
        plan.member_of = {f.fingerprint: [0] for f in request.findings}
        return plan


def _frozen(plan: RequestPlan) -> set[int]:
    """Original lines of the requests left as they were: their own lines and the rest of the function they are made
    in (a request's lines end at its last finding; the parameters after it, `&selectColumns=...`, are still its own),
    less the lines of the requests that are migrated."""
    frozen: set[int] = set()
    for request in plan.blocked:
        frozen |= request.lines
        if not request.scope.module:
            frozen |= set(range(request.scope.start_line, request.scope.end_line + 1))
    migrated = {line for request in plan.requests if not request.blocked and request.findings for line in request.lines}
    return frozen - migrated


def _withhold(
    plan: RequestPlan, request: LegacyRequest, reason: str, withheld: dict[str, str], anchors: dict[int, list[str]]
) -> None:
    for finding in request.findings:
        withheld.setdefault(finding.fingerprint, reason)
    if request.findings:
        _anchor_at(anchors, _anchor(plan, request), reason)


def _anchor(plan: RequestPlan, request: LegacyRequest) -> int:
    """The line of a request's TODO: its first finding that no other request shares (two requests built on one
    `base` or one scope each get their own), else its send call, else its first finding."""
    own = [f.line for f in request.findings if len(plan.member_of.get(f.fingerprint, ())) <= 1]
    if own:
        return min(own)
    return request.send.line if request.send is not None else request.anchor


def _anchor_at(anchors: dict[int, list[str]], line: int, reason: str) -> None:
    whys = anchors.setdefault(line, [])
    if reason not in whys:
        whys.append(reason)


def _violated_requests(
    ctx: FileContext, plan: RequestPlan, current: str, violations: list[Violation]
) -> list[tuple[LegacyRequest, str]] | None:
    """The original requests each violation falls in; None when one cannot be placed (the file is left)."""
    index = LineIndex(current)
    result = []
    for violation in violations:
        if violation.line <= 0:
            return None
        first, last = ctx.history.original_lines(index.offset(violation.line))
        hits = [r for r in plan.requests if not r.blocked and r.findings and any(first <= line <= last for line in r.lines)]
        if not hits:
            return None
        result.extend((request, violation.reason) for request in hits)
    return result


def _untouched(
    path: str, text: str, language: Language, findings: list[Finding], ruleset: RuleSet, data: FixData,
    project_products: set[str] | None,
) -> FileContext:
    return FileContext(
        path=path, language=language, fixes=data.language(language.name), data=data, ruleset=ruleset,
        findings=[], history=History(text), project_products=set(project_products or ()),
    )


def _run_passes(
    path: str,
    text: str,
    language: Language,
    findings: list[Finding],
    withheld: dict[str, str],
    ruleset: RuleSet,
    data: FixData,
    project_products: set[str] | None,
    references: ReferenceIndex | None = None,
    helper: HelperLocation | None = None,
    frozen: set[int] | frozenset[int] = frozenset(),
) -> tuple[FileContext, str, set[int]]:
    """Run every pass on the findings not withheld (`frozen`: the lines of the requests left as they were);
    (context, new text, original lines an edit touched)."""
    ctx = FileContext(
        path=path,
        language=language,
        fixes=data.language(language.name),
        data=data,
        ruleset=ruleset,
        findings=[f for f in findings if f.fingerprint not in withheld],
        frozen_lines=frozenset(frozen),
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
        current, mapping = apply(current, kept)
        ctx.history.maps.append(mapping)
        ctx.auth_sites = [mapping.forward(site) for site in ctx.auth_sites]
    ctx.findings = findings  # accounting and manual texts see every finding of the file
    return ctx, current, touched


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
    """Findings on lines an edit changed whose rule no longer fires there in the result.

    A finding the result has that the original did not (a hardcoded token turned into an environment lookup
    that code left as it was still reads) becomes a manual step too: everything a re-scan shows is listed.
    """
    if not touched:
        return set()  # nothing changed: nothing fixed
    remaining = scan_text(ctx.ruleset, new_text, ctx.language, ctx.path, context_from=ctx.history.original)
    index = LineIndex(new_text)
    still: set[tuple[str, int]] = set()
    known = {(f.rule_id, f.line) for f in ctx.findings}
    for finding in remaining:
        # map the finding's own position (not its line start, which may sit where a line above was deleted)
        at = index.offset(finding.line) + max(finding.column - 1, 0)
        first, last = ctx.history.original_lines(at)
        for line in range(first, last + 1):
            still.add((finding.rule_id, line))
        if not any((finding.rule_id, line) in known for line in range(first, last + 1)):
            step = ManualStep(ctx.path, first, finding.rule_id, finding.message)
            if any(other.line == first for other in ctx.manual):
                ctx.echoes.append(step)
            ctx.manual.append(step)
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
    if finding.category == "legacy-reply":
        described = _reply_of_product(ctx, text)
        if described:
            return described
    if finding.category == "xml-parsing":
        described = xmlreply.field_map_text(ctx, text, payload="payload" in finding.rule_id)
        if described:
            return described
        promise = str(ctx.data.common.get("field_map_promise") or "")
        if rule is not None and rule.manual and promise and re.search(promise, rule.manual):
            return ctx.data.manual_text("no_field_map", text=re.sub(promise, "", rule.manual).rstrip(". "))  # none printed
    if rule is not None and rule.manual:
        return rule.manual
    return finding.message


def _reply_of_product(ctx: FileContext, text: str) -> str | None:
    """The reply step of the one product every legacy URL of the file belongs to (of the project, when the file
    names none), when that product has its own text (`fixes.common.reply_by_product`: a Creator, Support or Reports
    reply is not a CRM v2 / Books v3 one)."""
    texts = ctx.data.common.get("reply_by_product") or {}
    products = set()
    for m in zoho_urls(text):
        url = m.group(0) if "://" in m.group(0) else "https://" + m.group(0).lstrip("/")
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            continue
        entry = ctx.ruleset.endpoints.host_index.get(host)  # by host: a base URL alone names its product too
        if entry is not None:
            products.add(entry[0].name)
    if not products:
        # a module that reads the reply another module fetched (`main.py` reading what `zoho.py` sent): the
        # project's one product says whose reply it is
        products = set(ctx.project_products)
    if len(products) != 1:
        return None
    described = texts.get(next(iter(products)))
    return str(described) if described else None


def _datacenter(ctx: FileContext, text: str) -> str | None:
    counts: Counter[str] = Counter()
    for m in zoho_urls(text):
        resolved = ctx.match_url(m.group(0))
        if resolved is not None:
            counts[resolved.datacenter.id] += 1
    return counts.most_common(1)[0][0] if counts else None


def _package(ctx: FileContext, text: str) -> str | None:
    pattern = ctx.fixes.get("package") if ctx.fixes else None
    if not pattern:
        return None
    m = re.search(pattern, text, re.MULTILINE)
    return m.group("name") if m else None
