"""What a scan says auth needs: least-privilege scopes (as `zoho-migrate scopes` computes them) and the
Zoho hosts the legacy code talks to (which tell the data center)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from migrate.ruleset import RuleSet
from migrate.scan.engine import scan_paths

# a Zoho host in a (masked) finding snippet: invoice.zoho.eu, accounts.zohocloud.ca, www.zohoapis.com.au ...
_HOST = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+(?:zoho|zohoapis|zohocloud)\.[a-z]{2,3}(?:\.[a-z]{2})?)\b")


@dataclass(frozen=True)
class Needs:
    scopes: list[str]
    hosts: list[str]
    findings: int


def infer_needs(paths: list[Path], ruleset: RuleSet) -> Needs:
    """Scan `paths`; the union of the findings' scopes, and the Zoho hosts named in their snippets."""
    result = scan_paths(paths, ruleset)
    scopes = sorted({scope for f in result.findings for scope in f.scopes})
    hosts = sorted({m.group(1).lower() for f in result.findings for m in _HOST.finditer(f.snippet)})
    known = [h for h in hosts if ruleset.endpoints.datacenters.for_host(h) is not None]
    return Needs(scopes=scopes, hosts=known, findings=len(result.findings))
