"""The `zoho-migrate` command line: a thin click layer over the stages.

Each command lives in its stage's own `cli` module and is imported only when it runs, so `zoho-migrate scan`
does not pay for importing the verifier's HTTP stack, and stages stay independent of each other.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from migrate import __version__
from migrate.errors import EXIT_INTERNAL, MigrateError
from migrate.faults import failure_from, report_failures

# command name -> "module:attribute"; a command whose module is not installed is simply not offered
COMMANDS: dict[str, str] = {
    "scan": "migrate.scan.cli:scan",
    "scopes": "migrate.scan.cli:scopes",
    "rules": "migrate.ruleset.cli:rules",
    "rewrite": "migrate.rewrite.cli:rewrite",
    "report": "migrate.report.cli:report",
    "init": "migrate.report.init_cli:init",
    "verify": "migrate.verify.cli:verify",
    "auth": "migrate.auth.cli:auth",
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [name for name, target in COMMANDS.items() if _module_exists(target.split(":")[0])]
        return sorted(set(available) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _module_exists(target.split(":")[0]):
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zoho-migrate")
def cli() -> None:
    """Move code off Zoho's retired authtoken/apikey APIs onto OAuth 2.0 and the JSON v3 APIs."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; a MigrateError becomes one line on stderr and exit code 2."""
    try:
        result = cli.main(args=argv, prog_name="zoho-migrate", standalone_mode=False)
    except MigrateError as error:
        click.echo(f"zoho-migrate: error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("zoho-migrate: aborted", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug outside every per-file boundary: one line, the traceback in a file, exit 2
        args = sys.argv[1:] if argv is None else argv
        report_failures([failure_from("zoho-migrate", error)], "--debug" in args, lambda line: click.echo(line, err=True))
        return EXIT_INTERNAL
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
