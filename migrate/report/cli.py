"""`zoho-migrate report`: the review report, one self-contained HTML file (or Markdown) a reviewer reads instead
of the raw scan output. An artifact command: exit 0 once the file is written, whatever the findings."""

from __future__ import annotations

import glob
from pathlib import Path

import click

from migrate.config import discover
from migrate.errors import EXIT_OK, ConfigError
from migrate.faults import dedupe
from migrate.formats.own import drop_own_outputs
from migrate.progress import Progress
from migrate.report.inputs import load_verification, proposal
from migrate.report.model import build_report
from migrate.report.render import Renderer
from migrate.ruleset import load_ruleset
from migrate.scan.cli import (
    config_option,
    debug_option,
    file_timeout_option,
    merged,
    no_config_option,
    own_files,
    paths_argument,
    print_errors,
    rules_option,
)
from migrate.scan.engine import ScanOptions, scan_paths


@click.command()
@paths_argument
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
    help="Where to write the report (`-` for stdout).",
)  # fmt: skip
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
@click.option("--exclude", multiple=True, help="Glob of paths to leave out (repeatable).")
@click.option("--title", help="Report title (default: names the scanned folders).")
@click.option("--context", "context_lines", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Lines of code shown around each finding.")
@file_timeout_option
@debug_option
@config_option
@no_config_option
@click.pass_context
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
    file_timeout: float,
    debug: bool,
    config_file: Path | None,
    no_config: bool,
) -> int:
    """Write the review report for PATHS (default: the current folder)."""
    config = discover(paths, config_file, enabled=not no_config)
    ruleset = load_ruleset([*config.rules, *rules_dirs])
    file_timeout = float(merged(ctx, "file_timeout", file_timeout, config.file_timeout))  # type: ignore[arg-type]
    targets = list(paths) or [Path(".")]
    fmt = output_format or ("markdown" if output.suffix.lower() in (".md", ".markdown") else "html")
    verification = load_verification(verify_results) if verify_results is not None else None
    to_stdout = str(output) == "-"
    own = [] if to_stdout else own_files(targets, [output])
    with Progress("zoho-migrate: scanning") as meter:
        options = ScanOptions(excludes=(*config.exclude, *exclude, *own), file_timeout=file_timeout)
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
        click.echo(text, nl=False)
    else:
        try:
            if output.parent != Path(""):
                output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"cannot write report: {error.strerror or error}", path=str(output)) from None
    leaks = len(model.leaks) + len(model.history_leaks)
    click.echo(
        f"zoho-migrate: report written to {output if not to_stdout else 'stdout'} ({fmt}): {model.total} findings "
        f"in {len(model.files)} files, {leaks} leaked credentials, {len(model.manual)} manual steps",
        err=True,
    )
    # an artifact command: 0 once written, unless a file failed internally (its findings are missing): 2
    history_failures = history_result.failures if history_result is not None else []
    failures = dedupe([*result.failures, *rewrite_proposal.failures, *history_failures])
    return print_errors([], failures, debug) or EXIT_OK
