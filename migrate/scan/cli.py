"""`zoho-migrate scan` and `zoho-migrate scopes`: thin click wrappers over the scan stage."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from migrate.errors import EXIT_FINDINGS, EXIT_OK
from migrate.formats import FORMATS, RenderOptions, formatter
from migrate.ruleset import load_ruleset
from migrate.ruleset.model import SEVERITIES, severity_rank
from migrate.scan.engine import ScanOptions, ScanResult, scan_paths


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def failing(result: ScanResult, fail_on: str) -> int:
    """How many findings are at or above the failing severity."""
    threshold = severity_rank(fail_on)
    return sum(1 for f in result.findings if severity_rank(f.severity) >= threshold)


def summary_line(result: ScanResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s]]
    files = len({f.path for f in result.findings})
    return (
        f"zoho-migrate: {len(result.findings)} findings ({', '.join(parts) or 'none'}) in {files} files; "
        f"{result.files_scanned} files scanned, {result.files_skipped} skipped, "
        f"{result.suppressed} suppressed in {result.seconds:.2f}s"
    )


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
rules_option = click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Extra rules folder (repeatable); its rules add to or replace built-in ones by id.",
)


@click.command()
@paths_argument
@click.option(
    "--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the output here."
)
@rules_option
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option("--exclude", multiple=True, help="Glob of paths to leave out (repeatable).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per CPU)."
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Skip files larger than this many bytes (default 5 MB).",
)
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal).")
def scan(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    rules_dirs: tuple[Path, ...],
    fail_on: str,
    exclude: tuple[str, ...],
    jobs: int,
    max_file_size: int | None,
    color: bool | None,
) -> int:
    """Find legacy Zoho authtoken/apikey usage in PATHS (default: the current folder)."""
    ruleset = load_ruleset(rules_dirs)
    options = ScanOptions(jobs=jobs, excludes=exclude, max_file_size=max_file_size)
    result = scan_paths(list(paths) or [Path(".")], ruleset, options)
    use_color = sys.stdout.isatty() if color is None else color
    text = formatter(output_format).render(
        result, ruleset, RenderOptions(color=use_color and not output, fail_on=fail_on)
    )
    _write(text, output)
    for error in result.errors:
        click.echo(f"zoho-migrate: note: {error['path']}: {error['message']}", err=True)
    click.echo(summary_line(result), err=True)
    return EXIT_FINDINGS if failing(result, fail_on) else EXIT_OK


@click.command()
@paths_argument
@rules_option
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def scopes(paths: tuple[Path, ...], rules_dirs: tuple[Path, ...], output_format: str) -> int:
    """Print the least-privilege OAuth scopes the legacy calls in PATHS need."""
    import json

    ruleset = load_ruleset(rules_dirs)
    result = scan_paths(list(paths) or [Path(".")], ruleset)
    needed = sorted({scope for f in result.findings for scope in f.scopes})
    if output_format == "json":
        click.echo(json.dumps({"scopes": needed, "scope_param": ",".join(needed)}, indent=2))
    else:
        for scope in needed:
            click.echo(scope)
        click.echo(f"zoho-migrate: {len(needed)} scopes; pass them as scope={','.join(needed)}", err=True)
    return EXIT_OK
