"""`zoho-migrate rewrite`: a thin click layer over `plan_rewrite` (dry-run diff, --apply, --patch, --annotate)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click

from migrate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ConfigError
from migrate.progress import Progress
from migrate.rewrite.plan import RewriteOptions, RewritePlan, plan_rewrite
from migrate.rewrite.textio import write_private
from migrate.ruleset import load_ruleset
from migrate.ruleset.model import SEVERITIES, severity_rank


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
@click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Extra rules folder (repeatable): rules, `fixes:` data and templates/ override the built-in ones.",
)
@click.option("--allow-dirty", is_flag=True, help="Apply even to files with uncommitted changes in git.")
@click.option("--exclude", multiple=True, help="Glob of paths to leave out (repeatable).")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="warning",
    show_default=True,
    help="Dry run: exit 1 while a finding at or above this severity remains (to rewrite or to do by hand).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress line on stderr while scanning (default: on a terminal, never when CI is set).",
)
def rewrite(
    paths: tuple[Path, ...],
    do_apply: bool,
    patch_file: Path | None,
    output_format: str,
    annotate: bool,
    rules_dirs: tuple[Path, ...],
    allow_dirty: bool,
    exclude: tuple[str, ...],
    fail_on: str,
    progress: bool | None,
) -> int:
    """Rewrite legacy Zoho calls in PATHS to OAuth + v3 (prints a diff; --apply writes it)."""
    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
    ruleset = load_ruleset(rules_dirs)
    with Progress("zoho-migrate: rewrite: scanning", enabled=progress) as meter:
        options = RewriteOptions(annotate=annotate, rules_dirs=rules_dirs, excludes=exclude, progress=meter)
        plan = plan_rewrite(list(paths), ruleset, options)
    if do_apply and not allow_dirty:
        dirty = dirty_files([Path(f.fs_path) for f in plan.changed if not f.created])
        if dirty:
            raise ConfigError(
                f"uncommitted changes in {', '.join(sorted(dirty)[:5])}"
                f"{' ...' if len(dirty) > 5 else ''}; commit or stash them first, or pass --allow-dirty"
            )
    if patch_file is not None:
        write_private(patch_file, plan.diff(masked=False))
    if output_format == "json":
        click.echo(json.dumps(plan.to_json(), indent=2))
    else:
        click.echo(plan.diff(masked=True), nl=False)
    for error in plan.errors:
        click.echo(f"zoho-migrate: note: {error['path']}: {error['message']}", err=True)
    write_failed = False
    if do_apply:
        report = plan.apply()
        for path, reason in report.refused:
            click.echo(f"zoho-migrate: not written: {path}: {reason}", err=True)
            write_failed = write_failed or reason.startswith("cannot write")
    for line in _summary(plan, do_apply):
        click.echo(line, err=True)
    if patch_file is not None:
        click.echo(f"zoho-migrate: exact patch written to {patch_file} (mode 0600)", err=True)
    if do_apply:
        return EXIT_USAGE if write_failed else EXIT_OK  # an OS error is not the job done; a refusal by design is
    # like `scan`: 1 while a finding at or above --fail-on is still there (to be rewritten or done by hand)
    threshold = severity_rank(fail_on)
    failing = any(severity_rank(f.severity) >= threshold for f in plan.findings)
    return EXIT_FINDINGS if failing else EXIT_OK
