"""`--format text`: findings grouped by file, coloured by severity on a terminal."""

from __future__ import annotations

from itertools import groupby

import click

from migrate.formats import RenderOptions
from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult

COLORS = {"critical": "magenta", "error": "red", "warning": "yellow", "info": "cyan"}


def render(result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str:
    out: list[str] = []

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if options.color else text  # type: ignore[arg-type]

    for path, findings in groupby(result.findings, key=lambda f: f.path):
        out.append(style(path, bold=True, underline=True))
        for f in findings:
            severity = style(f"{f.severity:<8}", fg=COLORS.get(f.severity, "white"), bold=True)
            note = "  [git-ignored, not committed]" if f.gitignored else ""
            out.append(f"  {f.line:>5}:{f.column:<4} {severity} {f.rule_id}{note}")
            out.append(f"              {f.snippet}")
            out.append(style(f"              {f.message}", dim=True))
        out.append("")
    return "\n".join(out) + ("\n" if out else "")
