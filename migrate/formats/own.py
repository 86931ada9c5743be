"""Recognising zoho-migrate's own outputs inside a scanned tree (a SARIF file, a JUnit report, the review report,
a baseline, a PR comment saved earlier): they quote the findings they describe, so scanning them would report
every finding twice. Only files that produced findings are checked, by a signature near their start.
"""

from __future__ import annotations

from pathlib import Path

from migrate.scan.engine import ScanResult

HEAD_BYTES = 4096
# signature -> what it is; each is written by one of our renderers within the first few hundred bytes
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b'"name": "zoho-migrate"', "SARIF output"),
    (b'<testsuites name="zoho-migrate"', "JUnit output"),
    (b'<meta name="generator" content="zoho-migrate', "review report"),
    (b"<!-- zoho-migrate:report -->", "review report"),
    (b"<!-- zoho-migrate:scan -->", "Markdown output"),
    (b'"tool": "zoho-migrate"', "baseline"),
)


def own_output(path: Path) -> str | None:
    """What kind of zoho-migrate output `path` is, or None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return None
    return next((kind for signature, kind in SIGNATURES if signature in head), None)


def drop_own_outputs(result: ScanResult) -> list[str]:
    """Remove findings in our own outputs from `result`, with a note per file in `errors`; returns their paths."""
    roots = [Path(r) for r in result.roots] or [Path(".")]
    kinds: dict[str, str | None] = {}
    for path in {f.path for f in result.findings}:
        location = next(
            (root / path for root in roots if root.is_dir() and (root / path).is_file()),
            Path(path) if Path(path).is_file() else None,
        )
        kinds[path] = own_output(location) if location is not None else None
    dropped = {p: k for p, k in kinds.items() if k}
    if not dropped:
        return []
    result.findings = [f for f in result.findings if f.path not in dropped]
    for path, kind in sorted(dropped.items()):
        result.errors.append({"path": path, "message": f"zoho-migrate {kind}; its quoted findings are not reported"})
    return sorted(dropped)
