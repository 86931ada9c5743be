"""The verification results document (`verify --format json`) : building it, and reading it back.

`load_results(path)` is what other stages use (`zoho-migrate report --verify-results FILE`): it checks the file
against DESIGN.md's contract and returns the document, or raises ConfigError naming the file and what is wrong,
so a report never renders half-understood data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.verify.model import STATUSES, CallResult, summarize

VERSION = 1
RESULT_KEYS = {"id": str, "status": str, "differences": list, "additions": list, "not_compared": list,
               "legacy_status": int, "oauth_status": int, "message": str}


def results_document(results: list[CallResult]) -> dict[str, Any]:
    """`{"version": 1, "results": [...], "summary": {...}}` exactly as DESIGN.md specifies."""
    return {"version": VERSION, "results": [r.to_json() for r in results], "summary": summarize(results)}


def validate_results(doc: Any) -> list[str]:
    """Every way `doc` departs from the contract (empty when it conforms)."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return ["the document must be a JSON object"]
    if doc.get("version") != VERSION:
        problems.append(f"`version` must be {VERSION}")
    results = doc.get("results")
    if not isinstance(results, list):
        return problems + ["`results` must be a list"]
    for index, result in enumerate(results):
        where = f"results[{index}]"
        if not isinstance(result, dict):
            problems.append(f"{where} must be an object")
            continue
        for key, kind in RESULT_KEYS.items():
            value = result.get(key)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                problems.append(f"{where}.{key} must be {kind.__name__}")
        if result.get("status") not in STATUSES:
            problems.append(f"{where}.status must be one of {', '.join(STATUSES)}")
        for d_index, diff in enumerate(result.get("differences") or []):
            if not isinstance(diff, dict) or not isinstance(diff.get("path"), str) or \
                    "legacy" not in diff or "oauth" not in diff:
                problems.append(f"{where}.differences[{d_index}] must be {{path, legacy, oauth}}")
        for key in ("additions", "not_compared"):
            if not all(isinstance(x, str) for x in result.get(key) or []):
                problems.append(f"{where}.{key} must hold strings")
    summary = doc.get("summary")
    if not isinstance(summary, dict) or set(summary) != set(STATUSES) or \
            not all(isinstance(v, int) for v in summary.values()):
        problems.append(f"`summary` must count {', '.join(STATUSES)}")
    elif isinstance(results, list) and all(isinstance(r, dict) for r in results):
        counted = {s: sum(1 for r in results if r.get("status") == s) for s in STATUSES}
        if counted != summary:
            problems.append(f"`summary` {summary} does not match the results {counted}")
    return problems


def load_results(path: str | Path) -> dict[str, Any]:
    """Read and check a results file written by `zoho-migrate verify --format json`."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(f"cannot read verification results: {error.strerror or error}", path=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"verification results are not valid JSON: {error}", path=str(path)) from None
    problems = validate_results(doc)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"not a `zoho-migrate verify --format json` result: {problems[0]}{more}",
                          path=str(path))
    return doc
