"""`zoho-migrate scan` and `zoho-migrate scopes`: thin click wrappers over the scan stage.

`scan` also carries the CI lint mode: output formats for CI systems, a baseline (`--baseline` fails only on new
findings, `--write-baseline` records today's), `--changed-since REV` for fast pull-request checks, `--history` for
credentials once committed, and project configuration (`[tool.zoho-migrate]` / `.zoho-migrate.yaml`), with the
command line winning over the file.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
from click.core import ParameterSource

from migrate import baseline as baselines
from migrate.config import Config, discover
from migrate.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, ConfigError
from migrate.faults import DEFAULT_FILE_TIMEOUT, FileFailure, is_internal, report_failures
from migrate.formats import FORMATS, RenderOptions, formatter
from migrate.formats.own import drop_own_outputs
from migrate.output import write_output
from migrate.progress import Progress
from migrate.ruleset import load_ruleset
from migrate.ruleset.model import SEVERITIES, severity_rank
from migrate.scan.engine import ScanOptions, ScanResult, scan_paths


def failing(result: ScanResult, fail_on: str) -> int:
    """How many findings are at or above the failing severity."""
    threshold = severity_rank(fail_on)
    return sum(1 for f in result.findings if severity_rank(f.severity) >= threshold)


def summary_line(result: ScanResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s]]
    files = len({f.path for f in result.findings})
    baselined = f", {result.baselined} baselined" if result.baselined else ""
    return (
        f"zoho-migrate: {len(result.findings)} findings ({', '.join(parts) or 'none'}) in {files} files; "
        f"{result.files_scanned} files scanned, {result.files_skipped} skipped, "
        f"{result.suppressed} suppressed{baselined} in {result.seconds:.2f}s"
    )


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
rules_option = click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Extra rules folder (repeatable); its rules add to or replace built-in ones by id.",
)
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read options from this file instead of the discovered pyproject.toml / .zoho-migrate.yaml.",
)
no_config_option = click.option(
    "--no-config", is_flag=True, help="Ignore pyproject.toml [tool.zoho-migrate] and .zoho-migrate.yaml."
)
debug_option = click.option(
    "--debug", is_flag=True, help="Print the traceback of a file that failed internally (default: to a temp file)."
)
file_timeout_option = click.option(
    "--file-timeout",
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    default=DEFAULT_FILE_TIMEOUT,
    show_default=True,
    help="Time budget per file; a file over it is skipped as too complex (0: no budget).",
)


def print_errors(errors: list[dict[str, object]], failures: list[FileFailure], debug: bool) -> int:
    """Notes and internal errors on stderr; the exit code they impose (EXIT_INTERNAL, or 0 for notes only).

    A note (binary, too big, unreadable, over budget) is one line and leaves the exit code alone; an internal
    error is one line per file plus where its traceback went, and makes the run exit 2.
    """
    for error in errors:
        if not is_internal(error):
            click.echo(f"zoho-migrate: note: {error['path']}: {error['message']}", err=True)
    report_failures(failures, debug, lambda line: click.echo(line, err=True))
    return EXIT_INTERNAL if failures else EXIT_OK


def given(ctx: click.Context, name: str) -> bool:
    """Was option `name` given by the user (command line or environment), as opposed to its default?"""
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def merged(ctx: click.Context, name: str, value: object, configured: object) -> object:
    """The command line wins; then the configuration file; then the option's default."""
    return value if given(ctx, name) or configured is None else configured


def changed_only(paths: list[Path], rev: str) -> tuple[list[Path], set[str]]:
    """Restrict a scan to files changed since `rev`: the folder arguments' changed files and the file arguments
    that changed. Returns (paths still to scan, relative paths the engine keeps under folder arguments)."""
    from migrate.gitutil import changed_files

    keep: list[Path] = []
    only: set[str] = set()
    for path in paths:
        if path.is_dir():
            only |= changed_files(path, rev)
            keep.append(path)
        elif path.exists():
            if path.name in changed_files(path.parent if path.parent != Path("") else Path("."), rev):
                keep.append(path)
        else:
            raise ConfigError(f"path does not exist: {path}")
    return keep, only


@click.command()
@paths_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="sarif: GitHub code scanning; github: Actions annotations; junit: CI test reports; "
    "markdown: a pull-request comment.",
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
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Leave out findings recorded in this baseline; fail only on new ones.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record today's findings in this file (sorted, no line numbers, no timestamps) and exit 0.",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Scan only files changed since REV (its merge base with HEAD), plus uncommitted and untracked ones.",
)
@click.option(
    "--history",
    is_flag=True,
    help="Search the git history (all refs; with --changed-since, REV..HEAD) for credentials once committed.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress line on stderr (default: on a terminal, never when CI is set).",
)
@file_timeout_option
@debug_option
@config_option
@no_config_option
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    rules_dirs: tuple[Path, ...],
    fail_on: str,
    exclude: tuple[str, ...],
    jobs: int,
    max_file_size: int | None,
    color: bool | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    changed_since: str | None,
    history: bool,
    progress: bool | None,
    file_timeout: float,
    debug: bool,
    config_file: Path | None,
    no_config: bool,
) -> int:
    """Find legacy Zoho authtoken/apikey usage in PATHS (default: the current folder)."""
    if write_baseline is not None and changed_since is not None and not history:
        raise ConfigError("--write-baseline records the whole tree's findings; drop --changed-since")
    config: Config = discover(paths, config_file, enabled=not no_config)
    output_format = str(merged(ctx, "output_format", output_format, config.format))
    if output_format not in FORMATS:
        raise ConfigError(
            f"option 'format' must be one of {', '.join(sorted(FORMATS))}", path=str(config.source)
        )
    fail_on = str(merged(ctx, "fail_on", fail_on, config.fail_on))
    jobs = int(merged(ctx, "jobs", jobs, config.jobs))  # type: ignore[call-overload]
    max_file_size = merged(ctx, "max_file_size", max_file_size, config.max_file_size)  # type: ignore[assignment]
    file_timeout = float(merged(ctx, "file_timeout", file_timeout, config.file_timeout))  # type: ignore[arg-type]
    baseline_file = baseline_file or config.baseline
    ruleset = load_ruleset([*config.rules, *rules_dirs])
    accepted = baselines.load(baseline_file) if baseline_file is not None else None
    targets = list(paths) or [Path(".")]

    meter = Progress("zoho-migrate: scanning", enabled=progress)
    with meter:
        if history:
            from migrate.history import scan_history

            meter.unit = "file versions"
            result = scan_history(targets, ruleset, meter, since=changed_since)
            result.findings = [f for f in result.findings if not _excluded(f.path, (*config.exclude, *exclude))]
        else:
            only: set[str] | None = None
            if changed_since is not None:
                targets, only = changed_only(targets, changed_since)
            own = own_files(targets, [baseline_file, write_baseline, output])
            options = ScanOptions(
                jobs=jobs,
                excludes=(*config.exclude, *exclude, *own),
                max_file_size=max_file_size,
                only_files=only,
                file_timeout=file_timeout,
            )
            result = scan_paths(targets, ruleset, options, meter) if targets else ScanResult()
    drop_own_outputs(result)
    if write_baseline is not None:
        count = baselines.write(write_baseline, result.findings)
        click.echo(f"zoho-migrate: baseline written to {write_baseline} ({count} findings)", err=True)
        accepted = (accepted or set()) | {f.fingerprint for f in result.findings}
    if accepted is not None:
        baselines.apply(result, accepted)

    use_color = sys.stdout.isatty() if color is None else color
    text = formatter(output_format).render(
        result, ruleset, RenderOptions(color=use_color and not output, fail_on=fail_on)
    )
    write_output(text, output)
    internal = print_errors(result.errors, result.failures, debug)
    if changed_since is not None and not history:
        click.echo(f"zoho-migrate: only files changed since {changed_since} were scanned", err=True)
    click.echo(summary_line(result), err=True)
    if internal:
        return internal  # 2, never 1: CI must tell a crash from a finding (every other file's result is out)
    return EXIT_FINDINGS if failing(result, fail_on) else EXIT_OK


def own_files(targets: list[Path], files: list[Path | None]) -> list[str]:
    """Exclude globs for the files this run reads or writes (baseline, output) that lie inside a scanned folder:
    a baseline quotes the findings it accepts and must not be flagged itself."""
    import glob

    globs = []
    for file in files:
        if file is None:
            continue
        resolved = file.resolve()
        for target in targets:
            if target.is_dir() and resolved.is_relative_to(target.resolve()):
                globs.append(glob.escape(resolved.relative_to(target.resolve()).as_posix()))
    return globs


def _excluded(path: str, globs: tuple[str, ...]) -> bool:
    import fnmatch

    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)


@click.command()
@paths_argument
@rules_option
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@file_timeout_option
@debug_option
def scopes(
    paths: tuple[Path, ...], rules_dirs: tuple[Path, ...], output_format: str, file_timeout: float, debug: bool
) -> int:
    """Print the least-privilege OAuth scopes the legacy calls in PATHS need."""
    import json

    ruleset = load_ruleset(rules_dirs)
    result = scan_paths(list(paths) or [Path(".")], ruleset, ScanOptions(file_timeout=file_timeout))
    needed = sorted({scope for f in result.findings for scope in f.scopes})
    if output_format == "json":
        click.echo(json.dumps({"scopes": needed, "scope_param": ",".join(needed)}, indent=2))
    else:
        for scope in needed:
            click.echo(scope)
        click.echo(f"zoho-migrate: {len(needed)} scopes; pass them as scope={','.join(needed)}", err=True)
    # scopes of a file that failed are missing from the list: exit 2 says the list may be short
    return print_errors([], result.failures, debug)
