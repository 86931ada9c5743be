"""`--format json`: exactly DESIGN.md's contract, one object on stdout."""

from __future__ import annotations

import json

from migrate.formats import RenderOptions
from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult


def render(result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
