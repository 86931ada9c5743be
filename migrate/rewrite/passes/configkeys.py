"""Pass `config-key` in configuration files: legacy credential keys become their OAuth counterparts."""

from __future__ import annotations

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit


def run(text: str, ctx: FileContext) -> list[Edit]:
    return []
