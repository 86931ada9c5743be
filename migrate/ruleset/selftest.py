"""Running each rule's own `examples`: every `flag` snippet must be flagged by that rule, every `ok` one must not.

Used by `zoho-migrate rules test` and by the test suite, like semgrep's rule tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrate.ruleset import RuleSet
from migrate.ruleset.model import Example, Rule
from migrate.scan.matcher import CompiledRules, FileMatcher


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str  # flag | ok
    example: Example
    passed: bool
    reason: str = ""


def _default_language(rule: Rule, ruleset: RuleSet) -> str:
    if rule.languages:
        for name in rule.languages:
            if name in ruleset.languages:
                return name
    return "python"


def run_example(compiled: CompiledRules, rule: Rule, example: Example) -> bool:
    """Does `rule` flag the example snippet (as a file in its language)?"""
    ruleset = compiled.ruleset
    language = ruleset.languages[example.language or _default_language(rule, ruleset)]
    data = example.code.encode("utf-8")
    found = compiled.prefilter.found(data)
    matcher = FileMatcher(compiled, example.code, language, example.filename or "example", found)
    if not matcher.applicable(rule):
        return False
    single = RuleSet([rule], ruleset.languages, ruleset.contexts, ruleset.endpoints, ruleset.scan)
    matcher.ruleset = single
    return bool(matcher.run().findings)


def run_rule_tests(ruleset: RuleSet, rule_ids: set[str] | None = None) -> list[ExampleResult]:
    """Check every example of every (selected) rule."""
    compiled = CompiledRules(ruleset)
    results = []
    for rule in ruleset.rules:
        if rule_ids and rule.id not in rule_ids:
            continue
        for kind, examples, want in (("flag", rule.flag_examples, True), ("ok", rule.ok_examples, False)):
            for example in examples:
                got = run_example(compiled, rule, example)
                reason = "" if got == want else ("not flagged" if want else "flagged but should not be")
                results.append(ExampleResult(rule.id, kind, example, got == want, reason))
    return results
