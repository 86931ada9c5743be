"""Pass `calls`: whole-call rewrites from the language's `calls` data (Deluge getUrl/postUrl -> invokeurl with a
connection, `zoho.*` tasks with a connection argument, invokeurl blocks gaining `connection:`)."""

from __future__ import annotations

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit


def run(text: str, ctx: FileContext) -> list[Edit]:
    return []
