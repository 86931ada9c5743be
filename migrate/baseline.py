"""Baselines: accept today's findings once, fail CI only on new ones.

The file records each finding by its content fingerprint (rule, path, normalised line text, occurrence), never by
line number, and holds no timestamp: entries are sorted and deduplicated, so moving code around or re-running
`--write-baseline` on an unchanged tree rewrites the file byte for byte (detect-secrets' baselines churn on both).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.safeio import make_parent, save
from migrate.scan.engine import ScanResult
from migrate.scan.finding import Finding

BASELINE_VERSION = 1


def entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """One sorted entry per fingerprint: enough for a reviewer to see what was accepted, nothing that moves."""
    unique: dict[str, dict[str, str]] = {}
    for f in findings:
        unique[f.fingerprint] = {
            "fingerprint": f.fingerprint,
            "rule_id": f.rule_id,
            "path": f.path,
            "snippet": " ".join(f.snippet.split()),
        }
    return sorted(unique.values(), key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]))


def dumps(findings: Iterable[Finding]) -> str:
    """The baseline file's text (stable for the same set of findings)."""
    # key order is fixed by construction (entries' keys sorted), `tool` first so scans recognise the file
    document = {
        "tool": "zoho-migrate",
        "version": BASELINE_VERSION,
        "findings": [dict(sorted(e.items())) for e in entries(findings)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Write the baseline; returns how many entries it holds."""
    text = dumps(findings)
    make_parent(path, "baseline")
    save(path, text, "baseline")  # atomic, never through a symlink (migrate.safeio)
    return len(json.loads(text)["findings"])


def load(path: Path) -> set[str]:
    """The fingerprints a baseline file accepts; a missing or malformed file is a usage error naming it."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("baseline file not found (create it with --write-baseline)", path=str(path)) from None
    except OSError as error:
        raise ConfigError(f"cannot read baseline: {error.strerror or error}", path=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise ConfigError(f"baseline is not valid JSON: {error}", path=str(path), line=line) from None
    if not isinstance(raw, dict) or raw.get("version") != BASELINE_VERSION:
        raise ConfigError(f"not a zoho-migrate baseline (version {BASELINE_VERSION} expected)", path=str(path))
    items = raw.get("findings")
    if not isinstance(items, list):
        raise ConfigError("baseline `findings` must be a list", path=str(path))
    fingerprints = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise ConfigError(f"baseline entry {index + 1} has no `fingerprint` string", path=str(path))
        fingerprints.add(item["fingerprint"])
    return fingerprints


def apply(result: ScanResult, accepted: set[str]) -> None:
    """Drop accepted findings from `result.findings` (and so from the exit code), counting them in `baselined`."""
    kept = [f for f in result.findings if f.fingerprint not in accepted]
    result.baselined += len(result.findings) - len(kept)
    result.findings = kept
