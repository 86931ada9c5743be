"""Pass `calls`: whole-call rewrites from the language's `calls`, `blocks` and `tasks` data.

Deluge: `getUrl(url)` / `postUrl(url, map)` become `invokeurl [ url: ... type: ... connection: "..." ]`,
`invokeurl` blocks without a connection get one, and built-in `zoho.<product>.<task>(...)` calls get the
connection argument (the task's arity is rules data; an unknown one is a manual step). Only files with legacy
findings are touched: a migrated Deluge script is left alone.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.passes.headers import definition_text, taint
from migrate.rewrite.syntax import indent_of, match_close, split_args, statement_extent

RULE_ID = "zoho.auth-param.authtoken"


def run(text: str, ctx: FileContext) -> list[Edit]:
    if ctx.fixes is None or not ctx.findings:
        return []
    if not (ctx.fixes.get("calls") or ctx.fixes.get("blocks") or ctx.fixes.get("tasks")):
        return []
    connections: dict[str, str] = ctx.data.common.get("connections") or {}
    tainted = taint(text, ctx)
    edits: list[Edit] = []

    def connection_for(snippet: str) -> str:
        extra = "".join(definition_text(text, ctx, name) for name in tainted if name in snippet)
        product = ctx.product_near(text, snippet + extra) or "invoice"
        return connections.get(product, f"zoho{product}")

    for spec in ctx.fixes.get("calls") or ():
        pattern = re.compile(spec["call"])
        for m in pattern.finditer(text):
            close = match_close(text, m.end() - 1)
            if close < 0:
                continue
            args = split_args(text, m.end() - 1, close)
            if not args or len(args) > int(spec.get("max_args", 1)):
                ctx.add_manual(m.start(), RULE_ID, "rewrite this call as `invokeurl` with a `connection:` by hand")
                continue
            statement = statement_extent(text, m.start())
            replacement = ctx.render(
                spec["macro"],
                args[0].of(text),
                spec.get("method", "GET"),
                args[1].of(text) if len(args) > 1 else "",
                connection_for(text[statement.start : statement.end]),
                indent_of(text, m.start()),
            )
            edits.append(Edit(m.start(), close + 1, replacement, RULE_ID, f"{m.group(0).rstrip('( ')} -> invokeurl with a connection"))
    for spec in ctx.fixes.get("blocks") or ():
        for m in re.finditer(spec["open"], text):
            close = match_close(text, m.end() - 1)
            if close < 0 or re.search(spec["require"], text[m.end() : close]):
                continue
            line = ctx.render(spec["macro"], connection_for(text[m.start() : close]))
            last_newline = text.rfind("\n", m.end(), close)
            if last_newline >= 0 and not text[last_newline + 1 : close].strip():
                # `]` on its own line: the connection goes on a line of its own, indented like the last entry
                previous = text.rfind("\n", 0, last_newline) + 1
                body_indent = indent_of(text, previous) or "\t"
                at = last_newline + 1
                edits.append(Edit(at, at, f"{body_indent}{line}\n", RULE_ID, "invokeurl gets a connection"))
            else:
                edits.append(Edit(close, close, f" {line} ", RULE_ID, "invokeurl gets a connection"))
    tasks = ctx.fixes.get("tasks") or {}
    if tasks:
        arity: dict[str, dict[str, int]] = tasks.get("arity") or {}
        for m in re.finditer(tasks["call"], text):
            close = match_close(text, m.end() - 1)
            if close < 0:
                continue
            args = split_args(text, m.end() - 1, close)
            expected = (arity.get(m.group("product")) or {}).get(m.group("task"))
            connection = connections.get(m.group("product"), f"zoho{m.group('product')}")
            if expected is None:
                if not any(connection in a.of(text) for a in args):
                    ctx.add_manual(m.start(), RULE_ID, f"pass the connection \"{connection}\" to {m.group(0).rstrip('( ')} (its last argument)")
                continue
            if len(args) == expected:
                edits.append(
                    Edit(args[-1].end, args[-1].end, ", " + ctx.render("connection_arg", connection), RULE_ID, "task gets a connection")
                )
            elif len(args) < expected:
                ctx.add_manual(m.start(), RULE_ID, f"pass the connection \"{connection}\" as argument {expected + 1} of {m.group(0).rstrip('( ')}")
    return edits
