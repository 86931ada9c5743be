"""Which written forms of a `Zoho-authtoken <token>` header value can be replaced whole.

One decision, two users: the oauth-header pass replaces these forms, and the request planner blocks a request whose
header has any other form (`fmt.Sprintf("Zoho-authtoken %s", t)`), because swapping the scheme alone would send the
caller's authtoken as an OAuth token. Kept in `migrate/requests/` (below scan and rewrite) so that both can use it
without scan importing a rewrite pass; a second copy in each would drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SCHEME = re.compile(r"Zoho-authtoken(?P<space>\s+)", re.IGNORECASE)
FORMAT_FIELD = re.compile(r"\{\d*(?:[,:][^}]*)?\}")  # `{0}`, `{}`, `{0,-10}`, `{0:x}`
SPLICE = re.compile(r"\$\{?\w+\}?|[0-9a-fA-F]{32}(?![0-9a-fA-F])")  # `$T`, `${T}`, a literal 32-hex token


@dataclass(frozen=True)
class HeaderForm:
    """How the token follows the scheme: `concat` (`"Zoho-authtoken " + t`; `end` is where the operator starts),
    `interpolation` (`"Zoho-authtoken ${t}"`; `opener` is the language's opener found there) or `splice` (`$T` or a
    literal token; `end` is where it ends)."""

    kind: Literal["concat", "interpolation", "splice"]
    end: int
    opener: str = ""


def header_form(text: str, scheme: re.Match[str], concat: Sequence[str], interpolation: Sequence[str]) -> HeaderForm | None:
    """The replaceable form of the header value whose scheme `scheme` matched in `text`; None for any other form."""
    after = scheme.end()
    closing = text[after : after + 1]
    if closing and closing in "\"'`" and scheme.start() > 0 and text[scheme.start() - 1] == closing:
        rest = after + 1
        while rest < len(text) and text[rest] in " \t":
            rest += 1
        if any(text.startswith(op, rest) for op in concat):
            return HeaderForm("concat", after + 1)
        return None
    if FORMAT_FIELD.match(text, after):
        # `"Zoho-authtoken {0}"` / `"Zoho-authtoken {}"`: a positional slot of String.Format / str.format, filled
        # in by the call around the string, never an interpolated name (no identifier starts with a digit)
        return None
    for opener in interpolation:
        if text.startswith(opener, after):
            return HeaderForm("interpolation", after, opener)
    m = SPLICE.match(text, after)
    return HeaderForm("splice", m.end()) if m else None
