"""The option vocabulary every command shares, declared once so the same idea has the same name, help and checks.

Why one module: `scan`, `rewrite`, `report` and `scopes` all scan, `verify` and `auth` all talk to an accounts
server. Declaring `-o/--output`, `-j/--jobs`, `--config/--no-config`, `--progress/--no-progress`, `--fail-on`,
`--rules`, `--dc` and `--accounts-url` here keeps their names, help texts, environment variables and validation
identical (tests/cli walks every command's `--help` to hold that). Commands may add a sentence to a shared help
text (`extra=`), never replace it.

Validation happens in click callbacks, so a bad value is a click usage error: `migrate.cli.main` prints it as one
line `zoho-migrate: error: ...` and exits 2 before any work (or network retry) starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from migrate.ruleset.model import SEVERITIES

F = TypeVar("F", bound=Callable[..., Any])

# Shared help texts (the --help walk in tests/cli checks every command uses these, word for word, as a prefix).
HELP = {
    "output": "Write the output to FILE instead of stdout.",
    "jobs": "Worker processes for the scan (0: one per CPU).",
    "config": "Read options from this file instead of the discovered pyproject.toml / .zoho-migrate.yaml.",
    "no_config": "Ignore pyproject.toml [tool.zoho-migrate] and .zoho-migrate.yaml.",
    "progress": "Progress line on stderr (default: on a terminal, never when CI is set).",
    "fail_on": "Exit 1 when a finding is at or above this severity.",
    "rules": "Extra rules folder (repeatable); its rules add to or replace built-in ones by id.",
    "exclude": "Glob of paths to leave out (repeatable).",
    "color": "Colour the text output (default: on a terminal unless NO_COLOR is set).",
    "dc": "Zoho data center (us, eu, in, au, jp, ca, sa, cn): picks its accounts server.",
    "accounts_url": "Accounts server URL (overrides --dc; e.g. an emulator).",
    "store": "Token store: sqlite:PATH, file:PATH or python:module:Class.",
}

# Environment variables (names as rules/oauth.yaml `oauth.env` lists them; tests/cli checks they agree).
ENV = {
    "client_id": "ZOHO_CLIENT_ID",
    "client_secret": "ZOHO_CLIENT_SECRET",
    "refresh_token": "ZOHO_REFRESH_TOKEN",
    "access_token": "ZOHO_ACCESS_TOKEN",
    "authtoken": "ZOHO_AUTHTOKEN",
    "accounts_url": "ZOHO_ACCOUNTS_URL",
    "api_domain": "ZOHO_API_DOMAIN",
    "organization_id": "ZOHO_ORGANIZATION_ID",
    "store": "ZOHO_MIGRATE_STORE",
}


def _help(key: str, extra: str) -> str:
    return f"{HELP[key]} {extra}".strip()


# ---- validators (click callbacks: a bad value is a usage error, exit 2, one line naming the option)


def http_url(value: str, option: str) -> str:
    """`value` if it is an http(s) URL with a host (trailing slash dropped), else a click.BadParameter.

    No guessing: `notaurl` is refused rather than turned into `https://notaurl`, which would only fail later,
    after seconds of network retries, with a message about a host the user never typed."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host (e.g. https://accounts.zoho.eu)",
                                 param_hint=option)
    return value.strip().rstrip("/")


def url_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for URL options (empty counts as not given)."""
    if not value:
        return None
    return http_url(value, _flag(param))


def datacenter_ids() -> list[str]:
    """Data center ids from the built-in rules/datacenters.yaml (the one list every command checks against)."""
    from migrate.ruleset.loader import builtin_rules_dir
    from migrate.ruleset.yamlload import load_yaml

    document = load_yaml(builtin_rules_dir() / "datacenters.yaml") or {}
    return [str(center["id"]) for center in document.get("datacenters") or []]


def dc_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for --dc: a known data center id (lower-cased), else a usage error listing them."""
    if not value:
        return None
    known = datacenter_ids()
    if value.lower() not in known:
        raise click.BadParameter(f"unknown data center {value!r}; known: {', '.join(known)}",
                                 param_hint=_flag(param))
    return value.lower()


def _flag(param: click.Parameter) -> str:
    """The option's long name, plus the environment variable when the bad value came from there."""
    longest = max(param.opts, key=len) if param.opts else str(param.name)
    ctx = click.get_current_context(silent=True)
    envvar = getattr(param, "envvar", None)
    if ctx is not None and param.name and ctx.get_parameter_source(param.name) == ParameterSource.ENVIRONMENT:
        return f"{longest} (from {envvar})"
    return longest


# ---- shared options (decorator factories)


def output_option(*, extra: str = "", required: bool = False) -> Callable[[F], F]:
    return click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
                        required=required, help=_help("output", extra))


def jobs_option() -> Callable[[F], F]:
    return click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
                        help=HELP["jobs"])


def config_option() -> Callable[[F], F]:
    return click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                        metavar="FILE", help=HELP["config"])


def no_config_option() -> Callable[[F], F]:
    return click.option("--no-config", is_flag=True, help=HELP["no_config"])


def config_options() -> Callable[[F], F]:
    """--config FILE and --no-config (as a pair, so no command has one without the other)."""

    def decorate(command: F) -> F:
        return config_option()(no_config_option()(command))

    return decorate


def progress_option(*, extra: str = "") -> Callable[[F], F]:
    return click.option("--progress/--no-progress", default=None, help=_help("progress", extra))


def fail_on_option(*, default: str | None = "warning", extra: str = "") -> Callable[[F], F]:
    return click.option("--fail-on", type=click.Choice(SEVERITIES), default=default, show_default=default is not None,
                        help=_help("fail_on", extra))


def rules_option(*, extra: str = "", must_exist: bool = False) -> Callable[[F], F]:
    return click.option("--rules", "rules_dirs", multiple=True, metavar="DIR",
                        type=click.Path(path_type=Path, file_okay=False, exists=must_exist),
                        help=_help("rules", extra))


def exclude_option() -> Callable[[F], F]:
    return click.option("--exclude", multiple=True, metavar="GLOB", help=HELP["exclude"])


def color_option() -> Callable[[F], F]:
    return click.option("--color/--no-color", default=None, help=HELP["color"])


def dc_option(*, extra: str = "") -> Callable[[F], F]:
    return click.option("--dc", metavar="DC", callback=dc_callback, help=_help("dc", extra))


def accounts_url_option(*, extra: str = "") -> Callable[[F], F]:
    return click.option("--accounts-url", metavar="URL", envvar=ENV["accounts_url"], show_envvar=True,
                        callback=url_callback, help=_help("accounts_url", extra))


def store_option(*, extra: str = "") -> Callable[[F], F]:
    return click.option("--store", "store_spec", metavar="SPEC", envvar=ENV["store"], show_envvar=True,
                        help=_help("store", extra))


def env_option(flag: str, key: str, help_text: str, *names: str, **kwargs: Any) -> Callable[[F], F]:
    """An option that falls back to its environment variable, shown as `[env var: X]` in --help."""
    return click.option(flag, *names, envvar=ENV[key], show_envvar=True, help=help_text, **kwargs)


# ---- command line over configuration file


def given(ctx: click.Context, name: str) -> bool:
    """Was option `name` given by the user (command line or environment), as opposed to its default?"""
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def merged(ctx: click.Context, name: str, value: object, configured: object) -> object:
    """The command line wins; then the configuration file; then the option's default."""
    return value if given(ctx, name) or configured is None else configured


# ---- colour (https://no-color.org)


def use_color(flag: bool | None, stream: TextIO | None = None) -> bool:
    """--color/--no-color win; otherwise colour only on a terminal, and never when NO_COLOR is non-empty."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return (stream or sys.stdout).isatty()
    except (AttributeError, ValueError):
        return False
