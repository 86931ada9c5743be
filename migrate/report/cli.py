"""`zoho-migrate report`: the review report, one self-contained HTML file (or Markdown) a reviewer reads instead
of the raw scan output. An artifact command: exit 0 once the file is written, whatever the findings."""

from __future__ import annotations

import glob
from pathlib import Path

import click

from migrate import cliopts
from migrate.config import discover
from migrate.errors import EXIT_FINDINGS, EXIT_OK
from migrate.faults import dedupe
from migrate.formats.own import drop_own_outputs
from migrate.output import check_outputs, stale_outputs_removed, write_output
from migrate.progress import Progress
from migrate.report.inputs import load_verification, proposal
from migrate.report.model import build_report
from migrate.report.render import Renderer
from migrate.ruleset import load_ruleset
from migrate.scan.cli import (
    debug_option,
    failing,
    file_timeout_option,
    merged,
    own_files,
    paths_argument,
    print_errors,
    rules_option,
)
from migrate.scan.engine import ScanOptions, scan_paths


@click.command()
@paths_argument
@cliopts.output_option(required=True, extra="Required here (`-` for stdout).")
@click.option(
    "--format", "output_format", type=click.Choice(["html", "markdown"]), default=None,
    help="html (default) or markdown; a .md output file implies markdown.",
)  # fmt: skip
@click.option(
    "--verify-results", type=click.Path(path_type=Path, dir_okay=False),
    help="A `zoho-migrate verify --format json` file to include.",
)  # fmt: skip
@click.option(
    "--history", is_flag=True,
    help="Also search git history for credentials once committed (listed under 'Revoke what leaked').",
)  # fmt: skip
@rules_option
@cliopts.exclude_option()
@click.option("--title", help="Report title (default: names the scanned folders).")
@click.option("--context", "context_lines", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Lines of code shown around each finding.")
@cliopts.fail_on_option(default=None, extra="Default: never (the report is an artifact; it is written first).")
@cliopts.jobs_option()
@cliopts.progress_option()
@file_timeout_option
@debug_option
@cliopts.config_options()
@click.pass_context
@stale_outputs_removed
def report(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output: Path,
    output_format: str | None,
    verify_results: Path | None,
    history: bool,
    rules_dirs: tuple[Path, ...],
    exclude: tuple[str, ...],
    title: str | None,
    context_lines: int,
    fail_on: str | None,
    jobs: int,
    progress: bool | None,
    file_timeout: float,
    debug: bool,
    config_file: Path | None,
    no_config: bool,
) -> int:
    """Write the review report for PATHS (default: the current folder).

    Exit 0 once the report is written, whatever the findings (1 with --fail-on when a finding is at or above that
    severity), 2 on bad input or when the file cannot be written."""
    # first: a symlink or a scanned source as output is exit 2, untouched; a later failure removes a stale one
    check_outputs(list(paths) or [Path(".")], **{"--output": output})
    config = discover(paths, config_file, enabled=not no_config)
    jobs = int(cliopts.merged(ctx, "jobs", jobs, config.jobs))  # type: ignore[call-overload]
    ruleset = load_ruleset([*config.rules, *rules_dirs])
    file_timeout = float(merged(ctx, "file_timeout", file_timeout, config.file_timeout))  # type: ignore[arg-type]
    targets = list(paths) or [Path(".")]
    fmt = output_format or ("markdown" if output.suffix.lower() in (".md", ".markdown") else "html")
    verification = load_verification(verify_results) if verify_results is not None else None
    to_stdout = str(output) == "-"
    own = [] if to_stdout else own_files(targets, [output])
    with Progress("zoho-migrate: scanning", enabled=progress) as meter:
        options = ScanOptions(jobs=jobs, excludes=(*config.exclude, *exclude, *own), file_timeout=file_timeout)
        result = scan_paths(targets, ruleset, options, meter)
    own += [glob.escape(path) for path in drop_own_outputs(result)]  # the rewrite must not touch them either
    history_result = None
    if history:
        from migrate.history import scan_history

        history_result = scan_history(targets, ruleset)
    rewrite_proposal = proposal(targets, ruleset, (*config.exclude, *exclude, *own), file_timeout)
    model = build_report(
        result,
        ruleset,
        proposal=rewrite_proposal,
        verification=verification,
        history=history_result,
        context_lines=context_lines,
        title=title,
    )
    renderer = Renderer(ruleset)
    text = renderer.html(model) if fmt == "html" else renderer.markdown(model)
    if to_stdout:
        write_output(text, None)
    else:
        write_output(text, output, "report")  # atomic, at the end, never through a symlink
    leaks = len(model.leaks) + len(model.history_leaks)
    click.echo(
        f"zoho-migrate: report written to {output if not to_stdout else 'stdout'} ({fmt}): {model.total} findings "
        f"in {len(model.files)} files, {leaks} leaked credentials, {len(model.manual)} manual steps",
        err=True,
    )
    # an artifact command: 0 once written, unless a file failed internally (its findings are missing): 2
    history_failures = history_result.failures if history_result is not None else []
    failures = dedupe([*result.failures, *rewrite_proposal.failures, *history_failures])
    internal = print_errors([], failures, debug)
    if internal:
        return internal
    if fail_on is not None and failing(result, fail_on):
        return EXIT_FINDINGS
    return EXIT_OK
