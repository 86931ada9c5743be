"""Every rule's own `flag`/`ok` examples, one test each (semgrep-style rule tests)."""

from __future__ import annotations

import pytest

from migrate.ruleset import load_ruleset
from migrate.ruleset.selftest import run_rule_tests

RESULTS = run_rule_tests(load_ruleset())


@pytest.mark.parametrize(
    "result", RESULTS, ids=[f"{r.rule_id}-{r.kind}-{i}" for i, r in enumerate(RESULTS)]
)
def test_rule_example(result):
    assert result.passed, f"{result.rule_id} [{result.kind}] {result.reason}: {result.example.code}"


def test_every_rule_has_flag_and_ok_examples():
    ruleset = load_ruleset()
    for rule in ruleset.rules:
        assert rule.flag_examples, f"{rule.id} has no `flag` example"
        assert rule.ok_examples, f"{rule.id} has no `ok` example"
