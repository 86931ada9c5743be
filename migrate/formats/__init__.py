"""Scan output formats: one module per format, each exposing `render(result, ruleset, options) -> str`.

Adding a format means adding a module and a line here; nothing else changes (bandit's formatters do the same).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult

FORMATS: dict[str, str] = {
    "text": "migrate.formats.text",
    "json": "migrate.formats.json_format",
    "sarif": "migrate.formats.sarif",
    "github": "migrate.formats.github",
    "junit": "migrate.formats.junit",
    "markdown": "migrate.formats.markdown",
}


@dataclass(frozen=True)
class RenderOptions:
    """Presentation choices that are not part of the result."""

    color: bool = False
    fail_on: str = "warning"


class Formatter(Protocol):
    def render(self, result: ScanResult, ruleset: RuleSet, options: RenderOptions) -> str: ...


def formatter(name: str) -> Formatter:
    """The module that renders format `name` (validated by the CLI's choice list)."""
    return importlib.import_module(FORMATS[name])  # type: ignore[return-value]
