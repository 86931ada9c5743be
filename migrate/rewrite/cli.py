"""`zoho-migrate rewrite`: a thin click layer over `plan_rewrite` (dry-run diff, --apply, --patch, --annotate)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click

from migrate import cliopts
from migrate.config import discover
from migrate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ConfigError
from migrate.output import check_outputs, write_output
from migrate.progress import Progress
from migrate.rewrite.apply import JOURNAL_NAME, confine, status_lines, written_by_interrupted
from migrate.rewrite.plan import RewriteOptions, RewritePlan, plan_rewrite
from migrate.rewrite.textio import write_private
from migrate.ruleset import load_ruleset
from migrate.ruleset.model import severity_rank
from migrate.safeio import check_not_source, check_target
from migrate.scan.cli import debug_option, file_timeout_option, print_errors


def dirty_files(paths: list[Path]) -> list[str]:
    """Files among `paths` with uncommitted changes (or untracked) in a git work tree; [] outside git."""
    dirty = []
    by_dir: dict[Path, list[Path]] = {}
    for path in paths:
        by_dir.setdefault(path.resolve().parent, []).append(path.resolve())
    for directory, files in by_dir.items():
        try:
            inside = subprocess.run(
                ["git", "-C", str(directory), "rev-parse", "--is-inside-work-tree"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            continue
        status = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--", *[str(f) for f in files]],
            capture_output=True,
            text=True,
            timeout=60,
        )
        for line in status.stdout.splitlines():
            if line.strip():
                dirty.append(line[3:])
    return dirty


def _summary(plan: RewritePlan, applied: bool) -> list[str]:
    changed = [f for f in plan.changed if not f.created]
    created = [f for f in plan.changed if f.created]
    verb = "changed" if applied else "to change"
    lines = [
        f"zoho-migrate: {len(changed)} files {verb}, {len(created)} helper files "
        f"{'created' if applied else 'to create'}, {sum(len(f.edits) for f in plan.changed)} edits, "
        f"{len(plan.manual_steps)} manual steps, {len(plan.conflicts)} conflicts, {len(plan.refused)} refused"
    ]
    for change in plan.refused:
        lines.append(f"zoho-migrate: refused: {change.path}: {change.refused}")
    for conflict in plan.conflicts:
        lines.append(f"zoho-migrate: conflict: {conflict.path}:{conflict.line}: {conflict.text}")
    if plan.manual_steps:
        lines.append("zoho-migrate: manual steps:")
        for step in plan.manual_steps:
            lines.append(f"  {step.path}:{step.line}: [{step.rule_id}] {step.text}")
    return lines


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--apply", "do_apply", is_flag=True, help="Write the changes (default: print the diff only).")
@click.option(
    "--patch",
    "patch_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the exact, unmasked diff to FILE (mode 0600).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["diff", "json"]),
    default="diff",
    show_default=True,
    help="stdout: the unified diff (secrets masked), or JSON with the edits, manual steps and masked diff.",
)
@click.option(
    "--annotate/--no-annotate",
    default=True,
    show_default=True,
    help="Leave a TODO(zoho-migrate) comment at each manual step and each request left as it was.",
)
@cliopts.output_option(extra="(the diff or JSON; the summary stays on stderr)")
@cliopts.rules_option(extra="Its `fixes:` data and templates/ override the built-in ones too.")
@click.option("--allow-dirty", is_flag=True, help="Apply even to files with uncommitted changes in git.")
@cliopts.exclude_option()
@cliopts.fail_on_option(extra="Dry run only: a finding still there, to rewrite or to do by hand; --apply exits 0.")
@cliopts.jobs_option()
@cliopts.progress_option()
@file_timeout_option
@debug_option
@cliopts.config_options()
@click.option("--status", "show_status", is_flag=True,
              help="Tell which files an interrupted --apply wrote (its journal), then exit.")
@click.pass_context
def rewrite(
    ctx: click.Context,
    paths: tuple[Path, ...],
    do_apply: bool,
    patch_file: Path | None,
    output_format: str,
    annotate: bool,
    rules_dirs: tuple[Path, ...],
    allow_dirty: bool,
    exclude: tuple[str, ...],
    fail_on: str,
    jobs: int,
    progress: bool | None,
    output: Path | None,
    config_file: Path | None,
    no_config: bool,
    show_status: bool,
    file_timeout: float,
    debug: bool,
) -> int:
    """Rewrite legacy Zoho calls in PATHS to OAuth + v3 (default: the current folder; prints a diff, --apply
    writes it).

    Dry run: exit 1 while a finding at or above --fail-on remains; --apply: exit 0 once written; 2 on bad input."""
    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
    if show_status:
        for line in status_lines(list(paths)):
            click.echo(line)
        return EXIT_OK
    if patch_file is not None:  # a symlink, or a name inside the roots (it holds unmasked secrets): exit 2
        check_target(patch_file, "--patch")
        check_not_source(patch_file, list(paths) or [Path(".")], "--patch", anywhere_inside=True)
    check_outputs(list(paths) or [Path(".")], **{"--output": output})
    config = discover(paths, config_file, enabled=not no_config)  # the same configuration and excludes as `scan`
    fail_on = str(cliopts.merged(ctx, "fail_on", fail_on, config.fail_on))
    jobs = int(cliopts.merged(ctx, "jobs", jobs, config.jobs))  # type: ignore[call-overload]
    file_timeout = float(cliopts.merged(ctx, "file_timeout", file_timeout, config.file_timeout))  # type: ignore[arg-type]
    rules_dirs = (*config.rules, *rules_dirs)
    exclude = (*config.exclude, *exclude, JOURNAL_NAME)
    ruleset = load_ruleset(rules_dirs)
    with Progress("zoho-migrate: rewrite: scanning", enabled=progress) as meter:
        options = RewriteOptions(annotate=annotate, rules_dirs=rules_dirs, excludes=exclude, jobs=jobs,
                                 progress=meter, file_timeout=file_timeout)
        plan = plan_rewrite(list(paths), ruleset, options)
    confine(plan, list(paths))  # nothing outside the roots given, even through a folder symlink
    if do_apply and not allow_dirty:
        resumed = written_by_interrupted(list(paths))  # our own writes of an interrupted run are not "dirty"
        dirty = dirty_files([Path(f.fs_path) for f in plan.changed
                             if not f.created and str(Path(f.fs_path).resolve()) not in resumed])
        if dirty:
            raise ConfigError(
                f"uncommitted changes in {', '.join(sorted(dirty)[:5])}"
                f"{' ...' if len(dirty) > 5 else ''}; commit or stash them first, or pass --allow-dirty"
            )
    if patch_file is not None:
        write_private(patch_file, plan.diff(masked=False))
    if output_format == "json":
        write_output(json.dumps(plan.to_json(), indent=2) + "\n", output)
    else:
        write_output(plan.diff(masked=True), output)
    write_failed = False
    failures = list(plan.failures)
    if do_apply:
        report = plan.apply(list(paths))
        failures.extend(report.failures)
        if report.resumed:
            click.echo(f"zoho-migrate: finished an interrupted apply ({len(report.resumed)} files it had written "
                       "kept)", err=True)
        for path, reason in report.refused:
            click.echo(f"zoho-migrate: not written: {path}: {reason}", err=True)
            write_failed = write_failed or reason.startswith("cannot write")
    for line in _summary(plan, do_apply):
        click.echo(line, err=True)
    if patch_file is not None:
        click.echo(f"zoho-migrate: exact patch written to {patch_file} (mode 0600)", err=True)
    internal = print_errors(plan.errors, failures, debug)
    if internal:
        return internal  # 2 after every other file's diff/write: a crash is neither "done" nor "findings"
    if do_apply:
        return EXIT_USAGE if write_failed else EXIT_OK  # an OS error is not the job done; a refusal by design is
    # like `scan`: 1 while a finding at or above --fail-on is still there (to be rewritten or done by hand)
    threshold = severity_rank(fail_on)
    failing = any(severity_rank(f.severity) >= threshold for f in plan.findings)
    return EXIT_FINDINGS if failing else EXIT_OK
