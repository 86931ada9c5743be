"""Deciding, from one prefilter pass over a file's bytes, which rules can possibly match it (the scan's fast path).

Built once per process from the compiled rules. One multi-literal pass (scan/prefilter.py) looks for the rules'
keywords and for the literals every match of each rule regex must contain (scan/literals.py). From that alone:

- a rule whose keywords, language, context or git-ignored status rule it out is dropped, exactly as
  `FileMatcher.applicable` would drop it later (these are necessary conditions of that check, nothing more;
  the context is asked of the matcher's own `_context_ok`);
- a regex (rule regex, `file_regex`, `not_file_regex`) whose required literals are absent cannot match, so it
  is not run; a rule left with no regex that can match, or whose `file_regex`es all cannot, is dropped;
- a rule whose context only a package can give (`package: true`, scan/package.py) is dropped when no file that
  could be related to this one holds the context's keywords: asked last, for the rules still left, as it reads
  folders (cached per process);
- a file left with no rule is done: it is never decoded, and costs only the prefilter pass;
- the rules the literals leave are narrowed again by one Hyperscan pass over an ASCII file's bytes, compiled from
  the rule regexes themselves (scan/regexfilter.py: a superset of what Python's `re` matches there), so a regex
  whose required literals are common words does not run over a file where it cannot match.

Endpoint rules (`matcher.endpoints`) are only dropped by the rule-level checks: their second pass resolves
URLs assembled from pieces (constants, templated hosts), which no literal of the endpoint regex bounds.

Findings are identical with and without this plan (tests/perf compares them); `ScanOptions.fast_paths=False`
or `ZOHO_MIGRATE_NO_FAST_PATHS=1` turns it off.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language, Rule
from migrate.scan.literals import FOLD_SEQUENCES, requirement
from migrate.scan.matcher import CompiledRules, FileMatcher
from migrate.scan.prefilter import Prefilter
from migrate.scan.regexfilter import RegexFilter

Requirement = tuple[frozenset[str], ...]


def _possible(clauses: Requirement, found: set[str]) -> bool:
    """Can a regex with these requirement clauses match a file in which `found` literals occur?"""
    return all(not found.isdisjoint(clause) for clause in clauses)


@dataclass(frozen=True)
class _RuleNeeds:
    rule: Rule
    keywords: frozenset[str]
    regexes: tuple[Requirement, ...]
    file_regexes: tuple[Requirement, ...]
    not_file_regexes: tuple[Requirement, ...]
    # each regex's id in the plan's RegexFilter (parallel to the tuples above)
    regex_ids: tuple[int, ...] = ()
    file_ids: tuple[int, ...] = ()
    not_file_ids: tuple[int, ...] = ()


class ScanPlan:
    """Per-process rule selection from literals; `select(data, language, gitignored)` is the per-file entry."""

    def __init__(self, compiled: CompiledRules) -> None:
        self.compiled = compiled
        self.ruleset: RuleSet = compiled.ruleset
        self.keywords = frozenset(compiled.prefilter.keywords)
        self.needs: list[_RuleNeeds] = []
        literals: set[str] = set(self.keywords)
        for rule in self.ruleset.rules:
            m = rule.matcher
            needs = _RuleNeeds(
                rule=rule,
                keywords=frozenset(k.lower() for k in m.keywords),
                regexes=() if m.endpoints else tuple(requirement(r) for r in m.regexes),
                file_regexes=tuple(requirement(r) for r in m.file_regexes),
                not_file_regexes=tuple(requirement(r) for r in m.not_file_regexes),
            )
            for group in (needs.regexes, needs.file_regexes, needs.not_file_regexes):
                for clauses in group:
                    for clause in clauses:
                        literals.update(clause)
            self.needs.append(needs)
        self.needs = self._with_regex_ids(self.needs)
        self.prefilter = Prefilter(literals, sentinels=FOLD_SEQUENCES)
        self.fold_sentinels = frozenset(s.decode("latin-1") for s in FOLD_SEQUENCES)
        # keyword -> the rules that declare it, so a file only visits the rules one of its keywords names
        self.by_keyword: dict[str, list[int]] = {}
        for index, needs in enumerate(self.needs):
            for keyword in needs.keywords:
                self.by_keyword.setdefault(keyword, []).append(index)
        self._variants: dict[tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]], Rule] = {}
        self._views: dict[tuple[int, ...], RuleSet] = {}

    def _with_regex_ids(self, needs: list[_RuleNeeds]) -> list[_RuleNeeds]:
        """Build the RegexFilter over every regex the plan may rule out, and give each rule its regexes' ids."""
        ids: dict[tuple[str, int], int] = {}
        regexes: list[re.Pattern[str]] = []

        def id_of(regex: re.Pattern[str]) -> int:
            key = (regex.pattern, regex.flags)
            if key not in ids:
                ids[key] = len(regexes)
                regexes.append(regex)
            return ids[key]

        out = []
        for item in needs:
            m = item.rule.matcher
            out.append(
                dataclasses.replace(
                    item,
                    regex_ids=() if m.endpoints else tuple(id_of(r) for r in m.regexes),
                    file_ids=tuple(id_of(r) for r in m.file_regexes),
                    not_file_ids=tuple(id_of(r) for r in m.not_file_regexes),
                )
            )
        self.regex_filter = RegexFilter(regexes)
        return out

    def select(
        self,
        data: bytes,
        language: Language,
        path: str,
        gitignored: bool,
        source: Path | None = None,
        found: set[str] | None = None,
    ) -> tuple[set[str], RuleSet | None]:
        """(keywords found, the rules worth running) for one file; None when no rule can match it.

        `source` (the file on disk) lets a package context be ruled out before decoding: when no file that could
        be related to it holds the context's keywords (scan/package.py), no rule of that context can report here.
        `found`: this plan's prefilter result on `data`, when the caller has it already.
        """
        if found is None:
            found = self.prefilter.found(data)
        keywords = found & self.keywords
        if not keywords:
            return keywords, None
        probe = _ContextProbe(self.ruleset, language, keywords, path)
        # Python's IGNORECASE equates four non-ASCII letters with ASCII ones: then only rule-level checks apply
        literal_checks = found.isdisjoint(self.fold_sentinels)
        package_answers: dict[str, bool] = {}
        candidates: set[int] = set()
        for keyword in keywords:
            candidates.update(self.by_keyword.get(keyword, ()))
        chosen: list[tuple[int, Rule]] = []
        # the Hyperscan pass over the file (scan/regexfilter.py), asked at most once and only when some rule is left
        # by the literals: before a package look-up (which reads folders), else after the loop
        fired: set[int] | None = None
        asked = False
        for index in sorted(candidates):
            needs = self.needs[index]
            rule = needs.rule
            if gitignored and rule.category != "hardcoded-secret":
                continue
            if not rule.applies_to(language.name, language.kind):
                continue
            context = probe.ok(rule.matcher.context)
            if context is False:
                continue
            if literal_checks:
                rule = self._narrowed(index, needs, found, None)
                if rule is None:
                    continue
            # a package context the text cannot settle, asked last (it reads folders): endpoint rules excepted, as
            # their assembled-URL pass reports without asking the package (FileMatcher._concatenated_endpoints)
            if context is None and source is not None and not rule.matcher.endpoints:
                if literal_checks:
                    if not asked:
                        fired, asked = self.regex_filter.fired(data), True
                    if fired is not None:
                        rule = self._narrowed(index, needs, found, fired)
                        if rule is None:
                            continue
                if not self._package_possible(rule.matcher.context, source, package_answers):
                    continue
            chosen.append((index, rule))
        if chosen and literal_checks:
            if not asked:
                fired, asked = self.regex_filter.fired(data), True
            if fired is not None:
                narrowed = ((index, self._narrowed(index, self.needs[index], found, fired)) for index, _ in chosen)
                chosen = [(index, rule) for index, rule in narrowed if rule is not None]
        if not chosen:
            return keywords, None
        return keywords, self._view([rule for _, rule in chosen])

    def _package_possible(self, name: str, source: Path, answers: dict[str, bool]) -> bool:
        answer = answers.get(name)
        if answer is None:
            keywords = self.ruleset.contexts[name].keywords
            answer = answers[name] = self.compiled.package_index.any_in_context(source, keywords)
        return answer

    def _narrowed(self, index: int, needs: _RuleNeeds, found: set[str], fired: set[int] | None) -> Rule | None:
        """The rule without the regexes that cannot match here (by literals, then by the RegexFilter's `fired`
        answer on this file); None when nothing of it can."""
        m = needs.rule.matcher
        can = self.regex_filter.possible
        files = tuple(
            i for i, req in enumerate(needs.file_regexes) if _possible(req, found) and can(needs.file_ids[i], fired)
        )
        if m.file_regexes and not files:
            return None
        nots = tuple(
            i
            for i, req in enumerate(needs.not_file_regexes)
            if _possible(req, found) and can(needs.not_file_ids[i], fired)
        )
        if m.endpoints:
            regexes: tuple[int, ...] = tuple(range(len(m.regexes)))
        else:
            regexes = tuple(
                i for i, req in enumerate(needs.regexes) if _possible(req, found) and can(needs.regex_ids[i], fired)
            )
            if not regexes:
                return None
        if (
            len(regexes) == len(m.regexes)
            and len(files) == len(m.file_regexes)
            and len(nots) == len(m.not_file_regexes)
        ):
            return needs.rule
        key = (index, regexes, files, nots)
        variant = self._variants.get(key)
        if variant is None:
            pick = _pick
            matcher = dataclasses.replace(
                m,
                regexes=pick(m.regexes, regexes),
                file_regexes=pick(m.file_regexes, files),
                not_file_regexes=pick(m.not_file_regexes, nots),
            )
            variant = self._variants[key] = dataclasses.replace(needs.rule, matcher=matcher)
        return variant

    def _view(self, rules: list[Rule]) -> RuleSet:
        key = tuple(id(rule) for rule in rules)
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = dataclasses.replace(self.ruleset, rules=rules)
        return view


class _ContextProbe:
    """Asks FileMatcher's own context check, before the text exists: it reads only these attributes.

    Reusing the matcher's method (not a copy of it) keeps the plan exact when the context rules change; should
    the check ever need something else (the text), the probe answers "yes" and the matcher decides later.
    """

    def __init__(self, ruleset: RuleSet, language: Language, found: set[str], path: str) -> None:
        self.ruleset = ruleset
        self.language = language
        self.found = found
        self.path = path
        self._answers: dict[str, bool | None] = {}

    def ok(self, name: str) -> bool | None:
        """True or False when the keywords, language and path decide; None ("maybe") when only the package can."""
        if name in self._answers:
            return self._answers[name]
        answer: bool | None
        try:
            answer = bool(FileMatcher._context_ok(self, name))  # type: ignore[arg-type]
        except AttributeError:
            answer = None
        self._answers[name] = answer
        return answer


def _pick(items: tuple[re.Pattern[str], ...], indexes: tuple[int, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(items[i] for i in indexes)
