"""The `zoho-migrate` command line: a thin click layer over the stages.

Each command lives in its stage's own `cli` module and is imported only when it runs, so `zoho-migrate scan`
does not pay for importing the verifier's HTTP stack, and stages stay independent of each other.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
import sys

import click

from migrate import __version__
from migrate.errors import EXIT_INTERNAL, EXIT_USAGE, MigrateError
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


# click 8.2+ raises this for a group run without a subcommand
NO_ARGS: tuple[type[Exception], ...] = tuple(
    c for c in (getattr(click.exceptions, "NoArgsIsHelpError", None),) if c is not None
)


def usage_line(error: click.ClickException) -> str:
    """A click error as the one line every other error uses: `zoho-migrate: error: [COMMAND: ]MESSAGE`.

    click's own style is a usage block, a hint and the message on three or four lines; one line is what a CI log
    or a wrapper script can grep, and it is the style of every runtime error too."""
    message = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    command = ""
    if ctx is not None and ctx.command_path and ctx.parent is not None:
        command = ctx.command_path.split(" ", 1)[-1] + ": "
    hint = ""
    if isinstance(error, click.UsageError) and ctx is not None:
        hint = f" (see: {ctx.command_path} --help)"
    return f"zoho-migrate: error: {command}{message}{hint}"


def _stdout_gone(error: OSError) -> bool:
    """Is this the closed pipe or full disk behind stdout (`| head -0`, `> /dev/full`)?"""
    return isinstance(error, BrokenPipeError) or error.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise a second, uglier error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code. Every failure is one line on stderr: a MigrateError or click usage
    error exits 2, and so does a stdout that is closed or full (the output was not delivered)."""
    try:
        result = cli.main(args=argv, prog_name="zoho-migrate", standalone_mode=False)
    except MigrateError as error:
        click.echo(f"zoho-migrate: error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("zoho-migrate: aborted", err=True)
        return 130
    except click.ClickException as error:
        if isinstance(error, NO_ARGS) and getattr(error, "ctx", None) is not None:
            click.echo(error.ctx.get_help(), err=True)  # a bare `zoho-migrate` or `auth`: the help, as click does
        else:
            click.echo(usage_line(error), err=True)
        return EXIT_USAGE
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if not _stdout_gone(error):
            return _internal(error, argv)
        return _stdout_failed(error.strerror or str(error))
    except SystemExit:
        # With standalone_mode=False click raises SystemExit only where it swallowed EPIPE on stdout (a closed
        # pipe, `| head -0`): exit 1 and no word. Say it, and exit 2 like any output that was not delivered.
        if type(sys.stdout).__name__ == "_PacifyFlushWrapper":
            return _stdout_failed(os.strerror(errno.EPIPE))
        raise
    except Exception as error:
        return _internal(error, argv)
    return int(result or 0)


def _internal(error: BaseException, argv: list[str] | None) -> int:
    """A bug outside every per-file boundary: one line, the traceback in a file (`--debug`: on stderr), exit 2."""
    args = sys.argv[1:] if argv is None else argv
    report_failures([failure_from("zoho-migrate", error)], "--debug" in args, lambda line: click.echo(line, err=True))
    return EXIT_INTERNAL


def _stdout_failed(reason: str) -> int:
    _silence_stdout()
    click.echo(f"zoho-migrate: error: cannot write to stdout: {reason}", err=True)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
