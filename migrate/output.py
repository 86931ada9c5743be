"""Writing a command's machine output to stdout or to `--output FILE`, with one clear line when the file fails."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.errors import ConfigError


def write_output(text: str, output: Path | None, *, color: bool | None = None) -> None:
    """Print `text` on stdout, or write it to `output` (an unwritable file is a usage error, exit 2).

    `color=True` keeps ANSI colour on stdout even when it is not a terminal (`--color`): click strips it
    otherwise. A closed or full stdout raises OSError, which `migrate.cli.main` turns into one line, exit 2."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False, color=color)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot write output: {error.strerror or error}", path=str(output)) from None
