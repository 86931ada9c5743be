"""Writing a command's machine output to stdout or to `--output FILE`, with one clear line when the file fails."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.errors import ConfigError


def write_output(text: str, output: Path | None) -> None:
    """Print `text` on stdout, or write it to `output` (an unwritable file is a usage error, exit 2)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot write output: {error.strerror or error}", path=str(output)) from None
