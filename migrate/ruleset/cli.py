"""`zoho-migrate rules list|show|test`: inspect the rules and run their own examples."""

from __future__ import annotations

from pathlib import Path

import click

from migrate import cliopts
from migrate.errors import EXIT_FINDINGS, EXIT_OK
from migrate.ruleset import load_ruleset
from migrate.ruleset.selftest import run_rule_tests


@click.group()
def rules() -> None:
    """List, explain and test the detection rules and the endpoint map."""


@rules.command("list")
@cliopts.rules_option()
def list_rules(rules_dirs: tuple[Path, ...]) -> int:
    """One line per rule: id, severity, category, languages (built-in rules plus each --rules folder's)."""
    ruleset = load_ruleset(rules_dirs)
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        languages = ",".join(rule.languages) if rule.languages else "any"
        click.echo(f"{rule.id:<40} {rule.severity:<9} {rule.category:<17} {languages}")
    click.echo(
        f"zoho-migrate: {len(ruleset.rules)} rules, {len(ruleset.endpoints.products)} products in the endpoint map",
        err=True,
    )
    return EXIT_OK


@rules.command("show")
@click.argument("rule_id")
@cliopts.rules_option()
def show_rule(rule_id: str, rules_dirs: tuple[Path, ...]) -> int:
    """Explain the rule RULE_ID: message, where it is defined, what it matches, its examples."""
    ruleset = load_ruleset(rules_dirs)
    rule = ruleset.rule(rule_id)
    click.echo(f"{rule.id}  ({rule.severity}, {rule.category})")
    click.echo(f"defined in {rule.source}:{rule.line}")
    click.echo(f"languages: {', '.join(rule.languages) if rule.languages else 'any'}")
    click.echo(f"\n{rule.message}\n")
    if rule.manual:
        click.echo(f"manual step: {rule.manual}\n")
    matcher = rule.matcher
    click.echo(f"keywords: {', '.join(matcher.keywords)}   context: {matcher.context}")
    for regex in matcher.regexes:
        click.echo(f"regex: {regex.pattern}")
    if matcher.endpoints:
        click.echo("endpoint map (legacy -> OAuth):")
        for product in ruleset.endpoints.products:
            if not product.detect:
                continue
            note = " (credential only; URL unchanged)" if product.credential_only else ""
            click.echo(f"  {product.name}: {', '.join(product.legacy_hosts)} -> {product.oauth_host}{note}")
            for family in product.families:
                target = family.oauth_path.template if family.oauth_path else "(manual)"
                method = family.legacy_method or "*"
                click.echo(
                    f"    {method:<6} {family.legacy_path.template:<52} -> {target}  [{family.scope or '-'}]"
                )
    for label, examples in (("flags", rule.flag_examples), ("leaves alone", rule.ok_examples)):
        for example in examples:
            click.echo(f"{label} ({example.language or 'default'}): {example.code}")
    return EXIT_OK


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@cliopts.rules_option()
def test_rules(directory: Path | None, rules_dirs: tuple[Path, ...]) -> int:
    """Run every rule's `examples`: the built-in rules plus DIRECTORY's and each --rules folder's.

    DIRECTORY is the same as one --rules DIR (kept for scripts that pass it). Exit 1 when an example fails."""
    ruleset = load_ruleset([*([directory] if directory else []), *rules_dirs])
    results = run_rule_tests(ruleset)
    failed = [r for r in results if not r.passed]
    for result in failed:
        click.echo(f"FAIL {result.rule_id} [{result.kind}] {result.reason}: {result.example.code}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return EXIT_FINDINGS if failed else EXIT_OK
