"""Every command's --help, walked: shared options exist under the same names with the same help, every option
has help text, environment variables are shown one way, and docs/CLI.md is what the commands say."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from migrate import cliopts
from migrate.cli import cli
from migrate.clidoc import render, walk
from migrate.ruleset.loader import builtin_rules_dir
from migrate.ruleset.yamlload import load_yaml
from tests.conftest import REPO

ROOT = click.Context(cli, info_name="zoho-migrate")
COMMANDS = {sub.command_path.removeprefix("zoho-migrate "): (command, sub) for command, sub in walk(cli, ROOT)}
LEAVES = {path: pair for path, pair in COMMANDS.items() if not isinstance(pair[0], click.Group)}

# the commands that scan a tree, and the shared options each must take (flag -> cliopts.HELP key)
SCANNING = ["scan", "rewrite", "report", "scopes"]
SCAN_OPTIONS = {"--output": "output", "--jobs": "jobs", "--config": "config", "--no-config": "no_config",
                "--progress": "progress", "--fail-on": "fail_on", "--rules": "rules", "--exclude": "exclude"}
SHORT = {"--output": "-o", "--jobs": "-j"}
# the commands that talk to an accounts server
ACCOUNTS = ["verify", "auth login", "auth exchange", "auth convert", "auth token", "auth orgs", "auth revoke"]


def _options(path: str) -> dict[str, click.Option]:
    command, sub = LEAVES[path]
    return {name: p for p in command.get_params(sub) if isinstance(p, click.Option)
            for name in (*p.opts, *p.secondary_opts)}


def test_the_walk_finds_every_command():
    assert {"scan", "scopes", "rewrite", "report", "init", "verify", "rules list", "rules show", "rules test",
            "auth login", "auth exchange", "auth convert", "auth token", "auth orgs", "auth list",
            "auth revoke"} <= set(LEAVES)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_runs_and_lists_every_option(path):
    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    command, sub = COMMANDS[path]
    for param in command.get_params(sub):
        if isinstance(param, click.Option) and not param.hidden:
            assert param.opts[0] in result.output, f"{path}: {param.opts[0]} missing from --help"
    assert "Env:" not in result.output, f"{path}: env vars are shown as [env var: X], not 'Env: X'"


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_every_option_has_help_and_envvars_are_shown(path):
    command, sub = LEAVES[path]
    assert (command.help or "").strip(), f"{path}: no help text"
    for param in command.get_params(sub):
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{path} {param.opts}: no help text"
            if param.envvar:
                assert param.show_envvar, f"{path} {param.opts}: reads {param.envvar} without saying so"
        elif isinstance(param, click.Argument):
            # click arguments take no help=; the command's own help must name them
            assert param.make_metavar(sub).strip(".[]") in (command.help or ""), f"{path}: {param.name} not explained"


@pytest.mark.parametrize("path", SCANNING)
def test_scanning_commands_share_their_options(path):
    options = _options(path)
    for flag, key in SCAN_OPTIONS.items():
        assert flag in options, f"{path} lacks {flag}"
        assert options[flag].help.startswith(cliopts.HELP[key]), f"{path} {flag}: help differs from the shared text"
        if flag in SHORT:
            assert SHORT[flag] in options[flag].opts, f"{path} {flag}: no {SHORT[flag]}"
    assert "--no-progress" in options and "--format" in options


@pytest.mark.parametrize("path", ACCOUNTS)
def test_accounts_commands_share_dc_and_accounts_url(path):
    options = _options(path)
    for flag, key in (("--dc", "dc"), ("--accounts-url", "accounts_url")):
        assert flag in options, f"{path} lacks {flag}"
        assert options[flag].help.startswith(cliopts.HELP[key])
        assert options[flag].callback in (cliopts.dc_callback, cliopts.url_callback)
    assert options["--accounts-url"].envvar == "ZOHO_ACCOUNTS_URL" and options["--accounts-url"].show_envvar


def test_url_options_are_all_validated_the_same_way():
    for path in LEAVES:
        for param in _options(path).values():
            if param.metavar == "URL" and not param.opts[0].startswith("--hook"):
                assert param.callback is cliopts.url_callback, f"{path} {param.opts[0]} is not validated"


def test_output_and_jobs_options_everywhere_have_one_spelling():
    for path in LEAVES:
        for name, param in _options(path).items():
            if name in ("--output", "--jobs"):
                assert SHORT[name] in param.opts, f"{path} {name} lacks {SHORT[name]}"


def test_env_names_agree_with_rules_oauth_yaml():
    env = load_yaml(builtin_rules_dir() / "oauth.yaml")["oauth"]["env"]
    for key, name in cliopts.ENV.items():
        assert env[key] == name


def test_docs_cli_md_is_generated_from_the_commands():
    page = (REPO / "docs" / "CLI.md").read_text(encoding="utf-8")
    assert page == render(cli), "docs/CLI.md is stale: run `.venv/bin/python -m migrate.clidoc > docs/CLI.md`"
    for path in COMMANDS:
        assert re.search(rf"^## zoho-migrate {re.escape(path)}$", page, re.M), path
