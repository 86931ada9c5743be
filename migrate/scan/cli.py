"""`zoho-migrate scan` and `zoho-migrate scopes`: thin click wrappers over the scan stage.

`scan` also carries the CI lint mode: output formats for CI systems, a baseline (`--baseline` fails only on new
findings, `--write-baseline` records today's), `--changed-since REV` for fast pull-request checks, `--history` for
credentials once committed, and project configuration (`[tool.zoho-migrate]` / `.zoho-migrate.yaml`), with the
command line winning over the file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from migrate import baseline as baselines
from migrate import cliopts
from migrate.config import Config, discover
from migrate.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, ConfigError
from migrate.faults import DEFAULT_FILE_TIMEOUT, FileFailure, is_internal, report_failures
from migrate.formats import FORMATS, RenderOptions, formatter
from migrate.formats.own import drop_own_outputs
from migrate.output import check_outputs, stale_outputs_removed, write_output
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
# kept under their old names for callers that import them from here
rules_option = cliopts.rules_option()
config_options = cliopts.config_options()
config_option = cliopts.config_option()
no_config_option = cliopts.no_config_option()
given = cliopts.given
merged = cliopts.merged
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
    help="text: for people; json: the contract shape; sarif: GitHub code scanning; github: Actions annotations; "
    "junit: CI test reports; markdown: a pull-request comment.",
)
@cliopts.output_option()
@rules_option
@cliopts.fail_on_option()
@cliopts.exclude_option()
@cliopts.jobs_option()
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="BYTES",
    help="Skip files larger than this many bytes (default 5 MB).",
)
@cliopts.color_option()
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Leave out findings recorded in this baseline; fail only on new ones.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
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
@cliopts.progress_option()
@file_timeout_option
@debug_option
@config_options
@click.pass_context
@stale_outputs_removed
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
    """Find legacy Zoho authtoken/apikey usage in PATHS (files or folders; default: the current folder).

    Exit 1 when a finding is at or above --fail-on (after --baseline), 0 otherwise, 2 on bad input."""
    # first: a symlink or a scanned source as output is exit 2, untouched; a later failure removes a stale one
    check_outputs(list(paths) or [Path(".")], **{"--output": output, "--write-baseline": write_baseline})
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

    colored = cliopts.use_color(color) and not output
    text = formatter(output_format).render(result, ruleset, RenderOptions(color=colored, fail_on=fail_on))
    write_output(text, output, color=colored)
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one scope a line; json: {\"scopes\": [...], \"scope_param\": \"a,b\"}.")
@cliopts.output_option()
@rules_option
@cliopts.fail_on_option(default=None, extra="Default: never (scopes is a listing, not a check).")
@cliopts.exclude_option()
@cliopts.jobs_option()
@cliopts.progress_option()
@file_timeout_option
@debug_option
@config_options
@click.pass_context
def scopes(ctx: click.Context, paths: tuple[Path, ...], output_format: str, output: Path | None,
           rules_dirs: tuple[Path, ...], fail_on: str | None, exclude: tuple[str, ...], jobs: int,
           progress: bool | None, file_timeout: float, debug: bool, config_file: Path | None,
           no_config: bool) -> int:
    """Print the least-privilege OAuth scopes the legacy calls in PATHS need (default: the current folder).

    Exit 0 (1 with --fail-on when a finding is at or above that severity), 2 on bad input or when a file failed
    internally (its scopes may be missing from the list)."""
    import json

    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
    config: Config = discover(paths, config_file, enabled=not no_config)
    jobs = int(merged(ctx, "jobs", jobs, config.jobs))  # type: ignore[call-overload]
    file_timeout = float(merged(ctx, "file_timeout", file_timeout, config.file_timeout))  # type: ignore[arg-type]
    ruleset = load_ruleset([*config.rules, *rules_dirs])
    targets = list(paths) or [Path(".")]
    options = ScanOptions(jobs=jobs, excludes=(*config.exclude, *exclude), file_timeout=file_timeout)
    with Progress("zoho-migrate: scanning", enabled=progress) as meter:
        result = scan_paths(targets, ruleset, options, meter)
    needed = sorted({scope for f in result.findings for scope in f.scopes})
    if output_format == "json":
        write_output(json.dumps({"scopes": needed, "scope_param": ",".join(needed)}, indent=2) + "\n", output)
    else:
        write_output("".join(f"{scope}\n" for scope in needed), output)
    where = ", ".join(map(str, targets))
    if needed:
        click.echo(f"zoho-migrate: {len(needed)} scopes; pass them as scope={','.join(needed)}", err=True)
    elif result.findings:
        click.echo(f"zoho-migrate: {len(result.findings)} findings in {where}, none of them an API call that needs "
                   "a scope: nothing to scope", err=True)
    else:
        click.echo(f"zoho-migrate: no Zoho API call found in {where} ({result.files_scanned} files scanned): "
                   "nothing to scope", err=True)
    # scopes of a file that failed are missing from the list: exit 2 says the list may be short
    internal = print_errors([], result.failures, debug)
    if internal:
        return internal
    return EXIT_FINDINGS if fail_on and failing(result, fail_on) else EXIT_OK
