"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.

What GitHub needs and this gives: every rule's metadata with help text (shown in the alert), `ruleId`s that never
change between runs (the rule ids themselves; `ruleIndex` points into the id-sorted rule list), repository-relative
URIs, start and end positions, and `partialFingerprints` from the content fingerprint so an alert follows its code
when lines move instead of closing and reopening. `security-severity` puts findings on GitHub's severity scale.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from migrate import __version__
from migrate.faults import is_internal
from migrate.formats import RenderOptions
from migrate.formats.paths import repo_relative
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Rule
from migrate.scan.engine import ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "error": "error", "warning": "warning", "info": "note"}
# GitHub's scale: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {"critical": "9.5", "error": "7.5", "warning": "5.0", "info": "2.0"}
FINGERPRINT_KEY = "zohoMigrate/v1"


def _first_sentence(text: str) -> str:
    head, _, _ = text.partition(". ")
    return head.rstrip(".") + "."


def _rule_name(rule_id: str) -> str:
    words = rule_id.replace(".", "-").split("-")
    return "".join(w[:1].upper() + w[1:] for w in words if w and w != "zoho")


def _help(rule: Rule) -> dict[str, str]:
    parts = [rule.message]
    if rule.help:
        parts.append(rule.help.strip())
    if rule.fix is not None:
        parts.append("`zoho-migrate rewrite` changes this automatically where it can; review the diff.")
    if rule.manual:
        parts.append(f"Manual step: {rule.manual.strip()}")
    parts.append(f"Category: {rule.category}. Default severity: {rule.severity}.")
    markdown = "\n\n".join(parts)
    return {"text": markdown.replace("`", ""), "markdown": markdown}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """reportingDescriptor for one rule: ids, descriptions, help, default level and GitHub's properties."""
    tags = ["security", rule.category, "zoho-migrate"]
    return {
        "id": rule.id,
        "name": _rule_name(rule.id),
        "shortDescription": {"text": _first_sentence(rule.message)},
        "fullDescription": {"text": rule.message},
        "help": _help(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": LEVELS[rule.severity] if rule.severity != "info" else "recommendation",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def build(result: ScanResult, ruleset: RuleSet) -> dict[str, Any]:
    """The SARIF log as a dict (tests validate it against the 2.1.0 schema)."""
    rules = sorted(ruleset.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [rule_descriptor(rule) for rule in rules]
    suppressed = {id(f) for f in result.suppressed_findings}
    listed = [*result.findings, *result.suppressed_findings]
    for finding in listed:  # a finding from a rule not in this ruleset still gets a descriptor
        if finding.rule_id not in index:
            index[finding.rule_id] = len(descriptors)
            descriptors.append(
                {
                    "id": finding.rule_id,
                    "shortDescription": {"text": _first_sentence(finding.message)},
                    "help": {"text": finding.message},
                }
            )
    relative = repo_relative(result)
    results = []
    for f in listed:
        properties: dict[str, Any] = {"category": f.category, "severity": f.severity, "fixable": f.fixable}
        if f.product:
            properties["product"] = f.product
        if f.scopes:
            properties["scopes"] = list(f.scopes)
        if f.gitignored:
            properties["gitignored"] = True
        commit = getattr(f, "commit", "")
        if commit:
            properties["commit"] = commit
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": index[f.rule_id],
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(relative(f.path)), "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": max(f.end_line, f.line),
                                "endColumn": max(f.end_column, f.column + 1)
                                if f.end_line <= f.line
                                else f.end_column,
                                "snippet": {"text": f.snippet},
                            },
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
                "properties": properties,
            }
        )
        if id(f) in suppressed:  # GitHub shows these as dismissed in code, not as open alerts
            results[-1]["suppressions"] = [{"kind": "inSource", "justification": "zoho-migrate: ignore comment"}]
    # skip notes are warnings; an internal error on a file is an error and makes the invocation unsuccessful
    # (SARIF's toolExecutionNotifications: the run's results lack that file's findings)
    notifications = [
        {
            "level": "error" if is_internal(error) else "warning",
            "message": {"text": error["message"]},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": quote(error["path"]), "uriBaseId": "%SRCROOT%"}}}
            ],
        }
        for error in result.errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "zoho-migrate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not any(is_internal(error) for error in result.errors),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"stats": result.stats()},
            }
        ],
    }


def render(result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str:
    return json.dumps(build(result, ruleset), indent=2, ensure_ascii=False) + "\n"
