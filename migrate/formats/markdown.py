"""`--format markdown`: a pull-request comment (GitHub-flavoured Markdown) a bot can post or update.

A summary line, counts by severity, then one table row per finding. Table cells are escaped (`|`, HTML, line
breaks) so a snippet can never break the table, and the comment stays under GitHub's 65,536-character limit by
cutting rows with a note. The leading HTML comment lets a bot find and replace its previous comment.
"""

from __future__ import annotations

import html
import os
from collections import Counter
from urllib.parse import quote

from migrate.formats import RenderOptions
from migrate.formats.paths import repo_relative
from migrate.ruleset import RuleSet
from migrate.ruleset.model import SEVERITIES, severity_rank
from migrate.scan.engine import ScanResult

MARKER = "<!-- zoho-migrate:scan -->"
ICONS = {"critical": "🟣", "error": "🔴", "warning": "🟠", "info": "🔵"}
MAX_CHARS = 60000


def cell(text: str) -> str:
    """Text safe inside a table cell, on one line: `code` spans become <code> (entities inside a Markdown code
    span would show literally), everything HTML-escaped, pipes escaped so they cannot split the cell."""
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: treat it as text
        parts = [" ".join(text.split())]
    out = []
    for i, part in enumerate(parts):
        escaped = html.escape(part, quote=False).replace("|", "&#124;")
        out.append(f"<code>{escaped}</code>" if i % 2 else escaped)
    return "".join(out)


def code_cell(text: str) -> str:
    """A snippet as inline code inside a cell (HTML <code>, so backticks in the snippet cannot end it)."""
    return "<code>" + html.escape(" ".join(text.split()), quote=False).replace("|", "&#124;").replace(
        "`", "&#96;"
    ) + "</code>"


def blob_url() -> str | None:
    """Base URL of the files at this commit when running in GitHub Actions (its standard variables), else None."""
    server, repository, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server and repository and sha):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/"


def render(result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str:
    relative = repo_relative(result)
    base = blob_url()
    counts = Counter(f.severity for f in result.findings)
    failing = sum(1 for f in result.findings if severity_rank(f.severity) >= severity_rank(options.fail_on))
    files = len({f.path for f in result.findings})
    out = [MARKER]
    if not result.findings:
        out.append("### ✅ zoho-migrate: no legacy Zoho authtoken/apikey usage found")
    else:
        verdict = "❌" if failing else "⚠️"
        out.append(
            f"### {verdict} zoho-migrate: {len(result.findings)} finding{'s' * (len(result.findings) != 1)} "
            f"in {files} file{'s' * (files != 1)}"
        )
        out.append("")
        out.append(
            " · ".join(f"{ICONS[s]} {counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
            + f" · fails at `{options.fail_on}` and above"
        )
    stats = result.stats()
    notes = [f"{stats['files_scanned']} files scanned"]
    for key, label in (("suppressed", "suppressed inline"), ("baselined", "accepted by the baseline")):
        if stats.get(key):
            notes.append(f"{stats[key]} {label}")
    out.append("")
    out.append("<sub>" + ", ".join(notes) + "</sub>")
    if result.findings:
        out += ["", "| | Severity | Rule | Location | Finding |", "|---|---|---|---|---|"]
        used = sum(len(line) + 1 for line in out)
        for shown, f in enumerate(result.findings):
            location = f"{relative(f.path)}:{f.line}"
            commit = getattr(f, "commit", "")
            if commit:
                location += f" @ {commit[:12]}"
            where = cell(location)
            if base and not commit:  # a link to the line in the pull request's commit
                where = f"[{where}]({base}{quote(relative(f.path))}#L{f.line})"
            row = (
                f"| {ICONS.get(f.severity, '')} | {f.severity} | `{f.rule_id}` | {where} | "
                f"{cell(f.message)}<br>{code_cell(f.snippet)} |"
            )
            if used + len(row) > MAX_CHARS:
                out.append("")
                out.append(
                    f"…and {len(result.findings) - shown} more; run `zoho-migrate scan` or see the SARIF upload."
                )
                break
            out.append(row)
            used += len(row) + 1
        out += [
            "",
            "<sub>Fix with `zoho-migrate rewrite`; silence a reviewed line with a "
            "`zoho-migrate: ignore[rule-id]` comment.</sub>",
        ]
    return "\n".join(out) + "\n"
