"""Writing a command's machine output to stdout or to `--output FILE`, with one clear line when the file fails.

`-o` files are written once, atomically, at the end of a run (migrate.safeio: never through a symlink, never a
scanned source file). A run that fails after its target was checked removes the previous run's file, so nothing
of an earlier run is left looking current (see docs/SECURITY.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from migrate.formats.own import own_output
from migrate.safeio import check_not_source, check_target, make_parent, remove_stale, save

F = TypeVar("F", bound=Callable[..., Any])


def is_own_output(path: Path) -> bool:
    """A file zoho-migrate wrote earlier (SARIF, JUnit, report, baseline, PR comment), recognised by its head."""
    return own_output(path) is not None


def check_output(output: Path | None, roots: Iterable[Path] = (), what: str = "output") -> None:
    """Before any work: refuse an output target that is a symlink, a special file or a scanned source file."""
    if output is None or str(output) == "-":
        return
    check_target(output, what)
    check_not_source(output, roots, what, own=is_own_output)


def write_output(text: str, output: Path | None, what: str = "output", *, color: bool | None = None) -> None:
    """Print `text` on stdout, or write it to `output` atomically (any failure is one line, exit 2).

    `color=True` keeps ANSI colour on stdout even when it is not a terminal (`--color`): click strips it
    otherwise. A closed or full stdout raises OSError, which `migrate.cli.main` turns into one line, exit 2."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False, color=color)
        return
    make_parent(output, what)
    save(output, text, what)


_CHECKED: list[Path] = []


def check_outputs(roots: Iterable[Path], **targets: Path | None) -> None:
    """`check_output` for each named target (`--output`=path, ...); each one that passes is remembered, so a run
    that fails later removes that stale file (see `stale_outputs_removed`)."""
    for option, path in targets.items():
        check_output(path, roots, option)
        if path is not None and str(path) != "-":
            _CHECKED.append(path)


def stale_outputs_removed(command: F) -> F:
    """Decorate a command: when it fails (an exception; exit 2), the outputs it checked with `check_outputs` are
    removed, so no file of a previous run is left looking current. A refused target is never in the list."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _CHECKED.clear()
        try:
            return command(*args, **kwargs)
        except BaseException:
            for path in _CHECKED:
                remove_stale(path)
            raise
        finally:
            _CHECKED.clear()

    return cast(F, wrapper)
