"""`zoho-migrate init`: add the pre-commit hook and the GitHub Actions workflow (scan -> upload SARIF) to a
user's repository, on request.

It never overwrites what is there without `--force`: an existing workflow file that differs is refused; an
existing `.pre-commit-config.yaml` gets our entry inserted into its `repos:` list (its comments and other hooks
kept), and the result is parsed again before anything is written. `--dry-run` prints instead of writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import jinja2
import yaml

from migrate import __version__
from migrate.errors import EXIT_OK, ConfigError
from migrate.report.render import TEMPLATES
from migrate.ruleset import load_ruleset
from migrate.ruleset.model import SEVERITIES
from migrate.safeio import check_target, make_parent, save

HOOK_ID = "zoho-migrate"
TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


@dataclass
class Planned:
    """One file `init` wants to write: its path, new text, and what happens to it."""

    path: Path
    text: str
    action: str  # "create" | "update" | "unchanged" | "skip"
    note: str = ""


def _render(name: str, **values: Any) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "init")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(name).render(**values)


def _has_hook(config: Any) -> bool:
    for repo in (config or {}).get("repos") or []:
        for hook in (repo or {}).get("hooks") or []:
            if (hook or {}).get("id") == HOOK_ID:
                return True
    return False


def _load(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError(
            f"not valid YAML: {getattr(error, 'problem', error)}", path=str(path), line=mark.line + 1 if mark else None
        ) from None


def insert_entry(text: str, entry: str, path: Path) -> str:
    """`text` (a pre-commit config) with `entry` (a `- repo:` item) added at the end of its `repos:` list."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"^repos\s*:", line)), None)
    if start is None:
        return "".join(lines) + "repos:\n" + entry
    if re.match(r"^repos\s*:\s*\[\s*\]\s*(#.*)?$", lines[start]):
        lines[start] = "repos:\n"
        return "".join(lines[: start + 1]) + entry + "".join(lines[start + 1 :])
    if not re.match(r"^repos\s*:\s*(#.*)?$", lines[start]):
        raise ConfigError("`repos:` is written in flow style; add the zoho-migrate hook by hand", path=str(path))
    end = len(lines)
    indent = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if TOP_LEVEL_KEY.match(line):
            end = i
            break
        if indent is None and line.lstrip().startswith("- "):
            indent = len(line) - len(line.lstrip())
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep the blank lines that separate the next key
    pad = " " * (indent if indent is not None else 2)
    block = "".join(pad + line if line.strip() else line for line in entry.splitlines(keepends=True))
    return "".join(lines[:end]) + block + "".join(lines[end:])


def plan_precommit(target: Path, entry: str) -> Planned:
    path = target
    check_target(path, "init")  # a symlink is refused before it is read or written
    if not path.exists():
        return Planned(path, "repos:\n" + entry, "create")
    original = path.read_text(encoding="utf-8")
    config = _load(original, path)
    if config is not None and not isinstance(config, dict):
        raise ConfigError("a pre-commit config must be a mapping with `repos:`", path=str(path), line=1)
    if _has_hook(config):
        return Planned(path, original, "skip", "already has a zoho-migrate hook; left as it is (edit it by hand)")
    updated = insert_entry(original, entry, path)
    check = _load(updated, path)
    if not _has_hook(check):
        raise ConfigError("could not add the hook to `repos:` safely; add it by hand", path=str(path))
    return Planned(path, updated, "update", "zoho-migrate hook added to `repos:`")


def plan_workflow(path: Path, text: str, force: bool) -> Planned:
    check_target(path, "init")
    if not path.exists():
        return Planned(path, text, "create")
    current = path.read_text(encoding="utf-8")
    if current == text:
        return Planned(path, text, "unchanged", "already up to date")
    if not force:
        raise ConfigError("exists and differs; not overwritten (use --force to replace it)", path=str(path))
    return Planned(path, text, "update", "replaced (--force)")


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--pre-commit/--no-pre-commit", "precommit", default=True, show_default=True,
              help="Add the zoho-migrate hook to .pre-commit-config.yaml.")
@click.option("--workflow/--no-workflow", default=True, show_default=True,
              help="Write the GitHub Actions workflow (scan -> upload SARIF).")
@click.option("--force", is_flag=True, help="Replace an existing, different workflow file.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="warning", show_default=True,
              help="Severity that fails the hook and the CI check.")
@click.option("--branch", default="main", show_default=True, help="Branch whose pushes the workflow scans.")
@click.option("--hook-repo", metavar="URL",
              help="Use zoho-migrate's own repository as the hook source (its .pre-commit-hooks.yaml) instead of "
              "a local hook installed from PyPI.")
@click.option("--hook-rev", metavar="REV", default=None, help="Tag of --hook-repo to pin (default: v<version>).")
def init(
    directory: Path,
    precommit: bool,
    workflow: bool,
    force: bool,
    dry_run: bool,
    fail_on: str,
    branch: str,
    hook_repo: str | None,
    hook_rev: str | None,
) -> int:
    """Add zoho-migrate to DIRECTORY's pre-commit hooks and GitHub Actions (default: the current folder)."""
    if not directory.is_dir():
        raise ConfigError("not a folder", path=str(directory))
    if not precommit and not workflow:
        raise ConfigError("nothing to do: both --no-pre-commit and --no-workflow were given")
    settings = dict(load_ruleset().data.get("report", {}).get("init", {}) or {})
    values = {
        "package": settings.get("package", "zoho-migrate"),
        "version": __version__,
        "fail_on": fail_on,
        "branch": branch,
        "sarif_file": settings.get("sarif_file", "zoho-migrate.sarif"),
        "report_file": settings.get("report_file", "zoho-migrate-report.html"),
        "hook_repo": hook_repo,
        "hook_rev": hook_rev or f"v{__version__}",
    }
    planned: list[Planned] = []
    if precommit:
        entry = _render("pre-commit-entry.yaml.j2", **values)
        target = directory / settings.get("precommit_path", ".pre-commit-config.yaml")
        planned.append(plan_precommit(target, entry))
    if workflow:
        target = directory / settings.get("workflow_path", ".github/workflows/zoho-migrate.yml")
        planned.append(plan_workflow(target, _render("workflow.yml.j2", **values), force))
    for item in planned:
        if dry_run:
            click.echo(f"# {item.path} ({item.action})")
            click.echo(item.text, nl=False)
            continue
        if item.action in ("create", "update"):
            make_parent(item.path, "init")
            save(item.path, item.text, "init")  # atomic, never through a symlink (migrate.safeio)
        verb = {"create": "wrote", "update": "updated", "unchanged": "kept", "skip": "kept"}[item.action]
        click.echo(f"zoho-migrate: {verb} {item.path}" + (f": {item.note}" if item.note else ""), err=True)
    if not dry_run:
        if precommit:
            click.echo("zoho-migrate: next: `pre-commit install` to run the hook on every commit", err=True)
        if workflow:
            click.echo("zoho-migrate: next: commit the workflow; alerts appear under Security > Code scanning", err=True)
        if not (directory / ".git").exists():
            click.echo(f"zoho-migrate: note: {directory} is not the root of a git repository", err=True)
    return EXIT_OK
