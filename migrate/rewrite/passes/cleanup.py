"""Pass `cleanup`: tidy what removing a credential left behind in the same statement (`params={}`, `X + ''`,
`{  }`), from rules data (`fixes.common.cleanup` for every language, `fixes.<lang>.cleanup` for one).

Only statements that held a removed credential are touched, so code the user did not ask about stays as it is.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import statement_containing

RULE_ID = "zoho.auth-param.authtoken"


def run(text: str, ctx: FileContext) -> list[Edit]:
    if ctx.fixes is None or not ctx.auth_sites:
        return []
    concat = "|".join(re.escape(op) for op in ctx.fixes.concat)
    specs = list(ctx.fixes.get("cleanup") or ()) + list(ctx.data.common.get("cleanup") or ())
    spans = sorted({(s.start, s.end) for s in (statement_containing(text, site) for site in ctx.auth_sites)})
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for spec in specs:
        pattern = re.compile(str(spec["pattern"]).replace("{concat}", concat))
        for start, end in spans:
            for m in pattern.finditer(text, start, end):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                edits.append(Edit(m.start(), m.end(), str(spec.get("replacement", "")), RULE_ID, "tidied after removing the credential"))
                taken.append((m.start(), m.end()))
    return edits
