"""The "revoke what leaked" section: every hardcoded legacy credential found, where it is, and how to revoke it.

Which rules find credential values, and how each kind is revoked or rotated, is data (rules/report.yaml,
`report.leaked`). A credential found in git history (`--history`) is listed with its commit: deleting a line does
not un-leak the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migrate.ruleset import RuleSet
from migrate.scan.finding import Finding

MASK_MARKS = ("…", "****")


@dataclass(frozen=True)
class Leak:
    """One place a credential value was found (the value itself only ever appears masked, in `snippet`)."""

    kind: str
    title: str
    path: str
    line: int
    snippet: str
    revoke: str
    rotate: str
    rule_id: str
    gitignored: bool = False
    commit: str = ""
    date: str = ""


def _kinds(ruleset: RuleSet) -> list[dict[str, Any]]:
    return list(ruleset.data.get("report", {}).get("leaked", []) or [])


def history_note(ruleset: RuleSet) -> str:
    return str(ruleset.data.get("report", {}).get("history_note", "")).strip()


def find_leaks(findings: list[Finding], ruleset: RuleSet, accounts: str) -> list[Leak]:
    """Leaks among `findings`; `accounts` is the accounts server to revoke at (the code's data center)."""
    by_rule: dict[str, dict[str, Any]] = {}
    for kind in _kinds(ruleset):
        for rule_id in kind.get("rules") or []:
            by_rule[rule_id] = kind
    leaks = []
    for f in findings:
        kind = by_rule.get(f.rule_id)
        if kind is None and f.category == "hardcoded-secret":
            kind = {"kind": "secret", "title": "Credential", "revoke": "", "rotate": ""}
        if kind is None:
            continue
        if kind.get("literal_only") and not any(mark in f.snippet for mark in MASK_MARKS):
            continue  # a variable or an environment lookup, not a value
        leaks.append(
            Leak(
                kind=str(kind.get("kind", "secret")),
                title=str(kind.get("title", "Credential")),
                path=f.path,
                line=f.line,
                snippet=f.snippet,
                revoke=" ".join(str(kind.get("revoke", "")).format(accounts=accounts).split()),
                rotate=" ".join(str(kind.get("rotate", "")).split()),
                rule_id=f.rule_id,
                gitignored=f.gitignored,
                commit=str(getattr(f, "commit", "")),
                date=str(getattr(f, "date", "")),
            )
        )
    return leaks


@dataclass
class LeakGroup:
    """Leaks of one kind: how to revoke it is said once, then every place it was found."""

    title: str
    revoke: str
    rotate: str
    leaks: list[Leak]


def group_leaks(leaks: list[Leak]) -> list[LeakGroup]:
    groups: dict[tuple[str, str, str], LeakGroup] = {}
    for leak in leaks:
        key = (leak.title, leak.revoke, leak.rotate)
        if key not in groups:
            groups[key] = LeakGroup(leak.title, leak.revoke, leak.rotate, [])
        groups[key].leaks.append(leak)
    return list(groups.values())
