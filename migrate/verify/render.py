"""Text output of a verification: one table row per call, then each call's differences (values masked already).

JSON output is `results.results_document`; this module is only for people reading a terminal or a CI log.
"""

from __future__ import annotations

import json
from typing import Any

from migrate.verify.model import CallResult, summarize

MAX_VALUE = 60


def _short(value: Any) -> str:
    text = "(absent)" if value is None else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _status(code: int) -> str:
    return str(code) if code else "-"


def render_text(results: list[CallResult]) -> str:
    """The results table, differences listed under it (paths with both values)."""
    headers = ("CALL", "STATUS", "LEGACY", "OAUTH", "DIFFS", "MESSAGE")
    rows = [(r.id, r.status.upper(), _status(r.legacy_status), _status(r.oauth_status),
             str(len(r.differences)), r.message) for r in results]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers[:-1])]
    lines = []
    for row in [headers, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    for r in results:
        if not (r.differences or r.not_compared):
            continue
        lines.append("")
        lines.append(f"{r.id}: {r.status}")
        for d in r.differences:
            lines.append(f"  {d.path}: legacy {_short(d.legacy)} != oauth {_short(d.oauth)}")
        if r.not_compared:
            lines.append(f"  not compared: {', '.join(r.not_compared)}")
        if r.additions:
            lines.append(f"  only in v3 (additions): {', '.join(r.additions)}")
    return "\n".join(lines) + "\n"


def summary_line(results: list[CallResult]) -> str:
    counts = summarize(results)
    return ", ".join(f"{n} {status}" for status, n in counts.items())
