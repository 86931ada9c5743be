"""In-process matching of a snippet as a file of a given language (fast: no subprocess, no walk)."""

from __future__ import annotations

from functools import lru_cache

from migrate.ruleset import load_ruleset
from migrate.scan.finding import Finding
from migrate.scan.matcher import CompiledRules, FileMatcher


@lru_cache(maxsize=1)
def compiled() -> CompiledRules:
    return CompiledRules(load_ruleset())


def match(code: str, language: str, path: str = "snippet") -> list[Finding]:
    """Findings for `code` read as a file in `language` (a name from rules/languages.yaml)."""
    rules = compiled()
    found = rules.prefilter.found(code.encode("utf-8"))
    return FileMatcher(rules, code, rules.ruleset.languages[language], path, found).run().findings


def lines(code: str, language: str, path: str = "snippet") -> set[int]:
    return {f.line for f in match(code, language, path)}
