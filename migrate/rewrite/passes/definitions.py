"""Pass `remove-secret` / `config-key` in code: the variables that held legacy credentials.

Runs after the credentials were removed from the requests, so it can tell whether a variable is still used.
An unused definition is deleted (a hardcoded authtoken never survives into the new code or the diff's `+`
lines); one still used by code the rewriter did not migrate reads the environment instead and becomes a manual
step.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import at_statement_start, statement_extent

SECRET = re.compile(r"(?P<q>[\"'`])(?P<secret>[0-9a-fA-F]{32})(?P=q)")


def run(text: str, ctx: FileContext) -> list[Edit]:
    if ctx.fixes is None or ctx.language.kind != "code" or ctx.fixes.assignment is None:
        return []
    edits: list[Edit] = []
    rules = ctx.rules_with_action("remove-secret") + ctx.rules_with_action("config-key")
    # a constant holding an apikey/ticket/authtoken that nothing uses any more goes too (used ones stay, manual)
    unused_only = {r.id for r in ctx.rules_with_action("remove-credential")}
    rules += [r for r in ctx.rules_with_action("remove-credential")]
    if not rules:
        return edits
    oauth_env = ctx.data.oauth.get("env") or {}
    done: set[int] = set()
    for m in ctx.fixes.assignment.finditer(text):
        if not at_statement_start(text, m.start()):
            continue  # `params={...}` inside a call's arguments is not a variable
        statement = statement_extent(text, m.start())
        if statement.start in done:
            continue
        hit = next((r for r in rules if ctx.flagged(m.start(), r.id, statement.end - 1)), None)
        if hit is None:
            continue
        done.add(statement.start)
        name = m.group("name")
        if hit.id in unused_only and not any(r.search(name) for r in hit.matcher.regexes):
            continue  # `url = "...?apikey=" + k` holds a URL, not the credential: only the name tells
        rest = text[: statement.start] + text[statement.end :]
        if re.search(rf"(?<![\w]){re.escape(name)}(?!\w)", rest) is None:
            end = statement.end
            blank_before = statement.start == 0 or text[max(0, statement.start - 2) : statement.start] == "\n\n"
            if blank_before and text[end : end + 1] == "\n":
                end += 1  # do not leave two blank lines where one statement was
            edits.append(Edit(statement.start, end, "", hit.id, f"removed `{name}` (legacy credential)"))
            if hit.fix and hit.fix.get("action") == "remove-secret" and hit.manual:
                ctx.add_manual(m.start(), hit.id, hit.manual)
            continue
        if hit.id in unused_only:
            continue  # still used: the finding stays a manual step
        secret = SECRET.search(text, statement.start, statement.end)
        if secret is not None:
            env_name = str(oauth_env.get("authtoken", "ZOHO_AUTHTOKEN"))
            edits.append(
                Edit(secret.start(), secret.end(), ctx.render("env", env_name), hit.id, "hardcoded authtoken removed")
            )
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("secret_used", env=env_name, name=name))
        else:
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("env_used", name=name))
    return edits
