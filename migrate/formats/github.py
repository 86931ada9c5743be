"""`--format github`: GitHub Actions workflow commands, one annotation per finding on the pull request's diff.

`::error file=src/app.py,line=8,endLine=8,col=5,endColumn=37,title=zoho.hardcoded-secret.authtoken::message`.
Paths are repository-relative (what the runner matches against the checkout); property values and messages are
escaped as the runner expects (`%`, CR, LF everywhere; `:` and `,` in properties too).
"""

from __future__ import annotations

from migrate.faults import is_internal
from migrate.formats import RenderOptions
from migrate.formats.paths import repo_relative
from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult

COMMANDS = {"critical": "error", "error": "error", "warning": "warning", "info": "notice"}
SHOWN_PER_STEP = 10  # annotations of each kind GitHub displays per step


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str:
    relative = repo_relative(result)
    lines = []
    for f in result.findings:
        props = {
            "file": relative(f.path),
            "line": str(f.line),
            "endLine": str(max(f.end_line, f.line)),
            "title": f"{f.rule_id} ({f.severity})",
        }
        if f.end_line == f.line:  # the runner only honours columns on single-line annotations
            props["col"] = str(f.column)
            props["endColumn"] = str(max(f.end_column, f.column + 1))
        commit = getattr(f, "commit", "")
        body = f"{f.message}\n{f.snippet}" + (f"\ncommit {commit}" if commit else "")
        rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
        lines.append(f"::{COMMANDS.get(f.severity, 'warning')} {rendered}::{escape_data(body)}")
    for error in result.errors:
        level = "error" if is_internal(error) else "notice"  # a file the tool failed on is not a mere note
        lines.append(f"::{level} file={escape_property(error['path'])}::{escape_data(error['message'])}")
    if len(result.findings) > SHOWN_PER_STEP:
        # GitHub shows only the first few annotations of each kind per step; say how many there are
        lines.append(
            f"::notice title=zoho-migrate::{len(result.findings)} findings in "
            f"{len({f.path for f in result.findings})} files; GitHub shows the first {SHOWN_PER_STEP} annotations "
            "of each kind per step. Upload the SARIF output for all of them."
        )
    return "\n".join(lines) + ("\n" if lines else "")
