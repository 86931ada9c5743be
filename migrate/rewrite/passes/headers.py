"""Pass `headers`: the request that carried a removed credential now sends `Authorization: Zoho-oauthtoken ...`.

Which requests: an HTTP client call (the language's `clients` idioms) whose statement held a removed credential,
or uses a variable built from one (`url = "...?authtoken=" + t` then `get(url)`), followed transitively through
assignments. The header is added in the client's own idiom (keyword argument, options object, builder chain,
statement after the request is created, curl flag), with the organization-id header where the product needs it.
Credentials whose request is not recognised become manual steps, never silent gaps.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from migrate.requests.structure import WORD
from migrate.rewrite.context import FileContext
from migrate.rewrite.fixdata import Client
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import (
    at_statement_start,
    in_string,
    indent_of,
    line_end,
    line_start,
    match_close,
    split_args,
    statement_extent,
)

RULE_ID = "zoho.auth-param.authtoken"
MAX_TAINT_ROUNDS = 4


@dataclass(frozen=True)
class Header:
    """One header to send: its name and the expression (in the target language) giving its value."""

    name: str
    value: str


NEAR = 2000  # characters: a variable's definition must be this close before its use to count (same function)


def taint(text: str, ctx: FileContext) -> dict[str, set[int]]:
    """Names assigned from a statement holding a removed credential, or from another tainted name."""
    return _taint(text, ctx)[0]


class Reaching:
    """Which credential sites a use of a tainted name carries: those of the name's definitions shortly before it
    (at most NEAR characters; both branches of an `if` count), not of every definition of that name in the file.
    Two functions that each build their own `params = {'authtoken': ...}` are two requests: the first call must not
    claim the second's credential (it was then left without its header, and only a second run migrated it)."""

    def __init__(self) -> None:
        self.where: dict[str, list[int]] = {}  # name -> definition offsets, sorted
        self.sites: dict[tuple[str, int], set[int]] = {}  # (name, definition offset) -> credential sites

    def add(self, name: str, start: int, sites: set[int]) -> None:
        if (name, start) not in self.sites:
            bisect.insort(self.where.setdefault(name, []), start)
        self.sites.setdefault((name, start), set()).update(sites)

    def at(self, name: str, use: int) -> set[int]:
        """The sites of the definitions of `name` in the NEAR characters before `use` (none: empty)."""
        starts = self.where.get(name, [])
        found: set[int] = set()
        for start in starts[bisect.bisect_left(starts, use - NEAR) : bisect.bisect_right(starts, use)]:
            found |= self.sites[(name, start)]
        return found


def _taint(text: str, ctx: FileContext) -> tuple[dict[str, set[int]], Reaching]:
    """(name -> credential sites of all its definitions, the reaching definitions); propagation only from the
    definition that reaches each use. Each definition's mentions are looked up among its own words, so the cost is
    linear in the file, not definitions x names (a file of n tainted URL variables took n^2 regex searches)."""
    assignment = ctx.fixes.assignment if ctx.fixes else None
    names: dict[str, set[int]] = {}
    reaching = Reaching()
    for index, name in ctx.site_receivers.items():
        names.setdefault(name, set()).add(ctx.auth_sites[index])
        reaching.add(name, ctx.auth_sites[index], {ctx.auth_sites[index]})
    if assignment is None:
        return names, reaching
    definitions = []
    for m in assignment.finditer(text):
        if not at_statement_start(text, m.start()):
            continue
        span = statement_extent(text, m.start())
        body = text[span.start : span.end]
        definitions.append((m.group("name"), span.start, span.end, body, frozenset(WORD.findall(body))))
    sorted_sites = sorted(ctx.auth_sites)
    special = [name for name in names if not WORD.fullmatch(name)]
    for _ in range(MAX_TAINT_ROUNDS):
        changed = False
        for name, start, end, body, words in definitions:
            sites = _sites_in(sorted_sites, [(start, end)])
            for other in _mentioned(body, words, names, special):
                if other != name:
                    sites |= reaching.at(other, start)
            if not sites:
                continue
            if not sites <= names.get(name, set()):
                if name not in names and not WORD.fullmatch(name):
                    special.append(name)
                names[name] = names.get(name, set()) | sites
                changed = True
            if not sites <= reaching.sites.get((name, start), set()):
                reaching.add(name, start, sites)
                changed = True
        if not changed:
            break
    return names, reaching


def _mentioned(body: str, words: frozenset[str] | set[str], names: dict[str, set[int]], special: list[str]) -> set[str]:
    """The names `body` mentions (as `_mentions` decides), given the body's `\\w+` words.

    A name made of word characters is mentioned exactly when it is one of the words; the `special` ones (any
    other name, `$el` in JavaScript) are searched for.
    """
    found = {name for name in words if name in names}
    found.update(name for name in special if _mentions(body, name))
    return found


def _sites_in(sorted_sites: list[int], spans: list[tuple[int, int]]) -> set[int]:
    """Credential sites inside any of the spans (bisect: files can hold thousands of sites)."""
    found: set[int] = set()
    for start, end in spans:
        low = bisect.bisect_left(sorted_sites, start)
        high = bisect.bisect_left(sorted_sites, end)
        found.update(sorted_sites[low:high])
    return found


@lru_cache(maxsize=4096)
def _mention_regex(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _mentions(body: str, name: str) -> bool:
    return _mention_regex(name).search(body) is not None


def run(text: str, ctx: FileContext) -> list[Edit]:
    if ctx.fixes is None or not ctx.auth_sites or ctx.fixes.get("auth") == "connection":
        return []
    tainted, reaching = _taint(text, ctx)
    order = {name: index for index, name in enumerate(tainted)}
    special = [name for name in tainted if not WORD.fullmatch(name)]
    sorted_sites = sorted(ctx.auth_sites)
    edits: list[Edit] = []
    handled: set[int] = set()
    oauth = ctx.data.oauth
    # a request already judged: the same statement (and request variable) gives the same sites, and those are
    # handled already or empty. Skipping it keeps a minified line of n calls linear (each call's statement is the
    # whole line).
    judged: set[tuple[int, int, int, str | None]] = set()
    for number, client in enumerate(ctx.fixes.clients):
        for m in client.call.finditer(text):
            if in_string(text, m.start()):
                continue
            statement = statement_extent(text, m.start())
            key = (number, statement.start, statement.end, m.groupdict().get("var"))
            if key in judged:
                continue
            judged.add(key)
            body = text[statement.start : statement.end]
            spans = [(statement.start, statement.end)]
            if client.mode == "statement" and m.groupdict().get("var"):
                spans += _request_statements(text, statement.end, m.group("var"), client)
                body += "".join(text[a:b] for a, b in spans[1:])
            sites = _sites_in(sorted_sites, spans)
            variable = m.groupdict().get("var")
            mentioned = _mentioned(body, set(WORD.findall(body)), tainted, special)
            for name in mentioned:  # a name counts with the sites of its definition that reaches this call
                if name != variable and not _defines(text, ctx, statement.start, name):
                    sites |= reaching.at(name, statement.start)
            if not sites or sites <= handled:
                continue  # no credential here, or the request object was already given the header
            handled |= sites
            used = sorted(mentioned, key=order.__getitem__)  # the order the names were tainted in
            context_text = body + "".join(definition_text(text, ctx, n) for n in used)
            context_text += _lines_before(text, statement.start, used)
            headers = _headers(text, ctx, oauth, context_text)
            if client.mode == "statement" and client.existing is not None and client.existing.search(body):
                org = "".join(f" and `{h.name}: <{h.value}>`" for h in headers[1:])
                ctx.add_manual(m.start(), RULE_ID, ctx.data.manual_text("header_existing", header=headers[0].name, org=org))
                continue
            edit = _add_header(text, ctx, client, m, headers)
            if edit is not None:
                edits.append(edit)
                ctx.uses_helper = True
    reported: set[int] = set()
    for site in ctx.auth_sites:
        if site in handled:
            continue
        statement = statement_extent(text, site)
        if statement.start in reported:
            continue
        reported.add(statement.start)
        org = _org_note(ctx, ctx.product_near(text, text[statement.start : statement.end]))
        ctx.add_manual(site, RULE_ID, ctx.data.manual_text("header_unknown", header=oauth["header"], org=org))
    return edits


REQUEST_SCOPE_LINES = 20


def _request_statements(text: str, start: int, variable: str, client: Client) -> list[tuple[int, int]]:
    """Spans of the statements after a request is created that use its variable (`curl_setopt($ch, ...)`,
    `req.set_form_data(...)`), up to the next request made by the same idiom: their credentials are this request's."""
    uses = re.compile(rf"(?<!\w){re.escape(variable)}(?!\w)")
    spans = []
    position = start
    for _ in range(REQUEST_SCOPE_LINES):
        if position >= len(text):
            break
        end = line_end(text, position)
        line = text[position:end]
        if client.call.search(line):
            break
        if uses.search(line):
            spans.append((position, end + 1))
        position = end + 1
    return spans


def _lines_before(text: str, start: int, names: list[str]) -> str:
    """Lines shortly before a call that touch the variables it uses (`q.Set("organization_id", org)`)."""
    if not names:
        return ""
    begin = start
    for _ in range(REQUEST_SCOPE_LINES):  # walk back a few lines, not over the whole file
        begin = text.rfind("\n", 0, max(begin - 1, 0)) + 1
        if begin == 0:
            break
    lines = text[begin:start].split("\n")
    plain = {n for n in names if WORD.fullmatch(n)}  # by words, not one regex per name (see _mentioned)
    special = [n for n in names if n not in plain]
    return "\n".join(
        line
        for line in lines
        if not plain.isdisjoint(WORD.findall(line)) or any(_mentions(line, n) for n in special)
    )


def _defines(text: str, ctx: FileContext, statement_start: int, name: str) -> bool:
    assignment = ctx.fixes.assignment if ctx.fixes else None
    m = assignment.match(text, statement_start) if assignment else None
    return bool(m and m.group("name") == name)


def definition_text(text: str, ctx: FileContext, name: str) -> str:
    """The whole statement that assigns `name` (empty when none): context for judging a call that uses it."""
    assignment = ctx.fixes.assignment if ctx.fixes else None
    if assignment is None:
        return ""
    cached = ctx.memo.get("headers.first_definitions")
    if cached is None or cached[0] is not text:  # one pass per text, not one per name asked about
        first: dict[str, int] = {}
        for m in assignment.finditer(text):
            first.setdefault(m.group("name"), m.start())
        cached = ctx.memo["headers.first_definitions"] = (text, first)
    start = cached[1].get(name)
    if start is None:
        return ""
    span = statement_extent(text, start)
    return text[span.start : span.end]


def _org_note(ctx: FileContext, product_name: str | None) -> str:
    product = ctx.ruleset.endpoints.product(product_name) if product_name else None
    header = (product.org.get("header") if product else None) or ""
    return f" and `{header}: <organization id>`" if header else ""


def _headers(text: str, ctx: FileContext, oauth: dict, context_text: str) -> list[Header]:
    headers = [Header(str(oauth["header"]), ctx.render("authorization"))]
    product_name = ctx.product_near(text, context_text)
    product = ctx.ruleset.endpoints.product(product_name) if product_name else None
    org_header = product.org.get("header") if product else None
    if org_header:
        lowered = context_text.lower()
        already = {org_header.lower(), str(product.org.get("param", "")).lower() or org_header.lower()}  # type: ignore[union-attr]
        if not any(word and word in lowered for word in already):
            headers.append(Header(str(org_header), ctx.render("organization_id")))
    return headers


def _add_header(text: str, ctx: FileContext, client: Client, m: re.Match[str], headers: list[Header]) -> Edit | None:
    """The edit adding the headers to one recognised call, or None (and a manual step) when it cannot."""
    description = "sends the OAuth access token in the Authorization header"
    open_index = m.end() - 1
    close = match_close(text, open_index) if text[open_index : open_index + 1] in "([" else -1
    if client.mode in ("kwarg", "wrap", "options", "chain") and close < 0:
        return None
    call_text = text[m.start() : close + 1] if close >= 0 else text[m.start() : line_end(text, m.start())]
    header_name = headers[0].name
    if client.existing is not None and client.existing.search(call_text):
        merged = _merge(text, ctx, client, m.start(), m.start() + len(call_text), headers)
        if merged is None:
            ctx.add_manual(m.start(), RULE_ID, ctx.data.manual_text("header_existing", header=header_name, org=""))
        return merged
    if ctx.fixes and ctx.fixes.get("async") and not _in_async(text, m.start()):
        ctx.add_manual(m.start(), RULE_ID, ctx.data.manual_text("async"))
        return None
    if client.mode == "kwarg":
        return _append_argument(text, open_index, close, ctx.render(client.macro or "header_arg", headers), description)
    if client.mode == "wrap":
        args = split_args(text, open_index, close)
        if not args:
            return None
        prefix = m.groupdict().get("prefix") or ""
        wrapped = ctx.render("wrap", args[0].of(text), headers, prefix)
        return Edit(args[0].start, args[0].end, wrapped, RULE_ID, description)
    if client.mode == "options":
        args = split_args(text, open_index, close)
        if len(args) > client.index and args[client.index].of(text).startswith(client.open):
            brace = args[client.index].start
            if re.search(r"""\bheaders["']?\s*(?::|=>)""", args[client.index].of(text)):
                merged = _merge(text, ctx, client, args[client.index].start, args[client.index].end, headers)
                if merged is None:
                    ctx.add_manual(m.start(), RULE_ID, ctx.data.manual_text("header_existing", header=header_name, org=""))
                return merged
            entry = ctx.render("option_entry", headers)
            if text[brace + 1 : line_end(text, brace)].strip() == "":
                inner = indent_of(text, line_end(text, brace) + 1)
                return Edit(brace + 1, brace + 1, f"\n{inner}{entry},", RULE_ID, description)
            if text[brace + 1 : brace + 2] == " ":  # `{ method: "GET" }`: keep the padding style
                return Edit(brace + 1, brace + 1, f" {entry},", RULE_ID, description)
            return Edit(brace + 1, brace + 1, f"{entry}, ", RULE_ID, description)
        if len(args) == client.index:
            return _append_argument(text, open_index, close, ctx.render("options_arg", headers), description)
        return None
    if client.mode == "chain":
        return Edit(close + 1, close + 1, ctx.render("chain", headers), RULE_ID, description)
    if client.mode == "after":
        return Edit(m.end(), m.end(), ctx.render("after", headers), RULE_ID, description)
    if client.mode == "statement":
        variable = m.groupdict().get("var") or ""
        statement = statement_extent(text, m.start())
        insert_at = statement.end
        if client.skip is not None:
            skipped = client.skip.match(text, insert_at)
            if skipped is not None:
                brace = text.find("{", skipped.start(), skipped.end() + 1)
                block_close = match_close(text, brace) if brace >= 0 else -1
                if block_close > 0:
                    insert_at = min(line_end(text, block_close) + 1, len(text))
        indent = indent_of(text, statement.start)
        lines = ctx.render(client.macro or "header_statements", variable, headers).strip("\n").split("\n")
        block = "".join(f"{indent}{line}\n" for line in lines)
        if insert_at == len(text) and not text.endswith("\n"):
            block = "\n" + block.rstrip("\n")
        return Edit(insert_at, insert_at, block, RULE_ID, description)
    return None


def _merge(text: str, ctx: FileContext, client: Client, start: int, end: int, headers: list[Header]) -> Edit | None:
    """The call already passes a headers literal (`headers={"Accept": ...}`): add the entries to it.

    None when the headers are not a literal here (`headers=HEADERS`) or already name the auth header.
    """
    if client.merge is None:
        return None
    found = client.merge.search(text, start, end)
    if found is None:
        return None
    opener = found.end()
    close = match_close(text, opener) if text[opener : opener + 1] in "{[" else -1
    if close < 0 or re.search(re.escape(headers[0].name), text[opener:close], re.IGNORECASE):
        return None
    entries = ctx.render("header_entries", headers)
    empty = not text[opener + 1 : close].strip()
    padded = text[opener + 1 : opener + 2] == " "
    inserted = entries if empty else (f" {entries}," if padded else f"{entries}, ")
    return Edit(opener + 1, opener + 1, inserted, RULE_ID, "adds the OAuth Authorization header to the headers passed")


def _append_argument(text: str, open_index: int, close: int, argument: str, description: str) -> Edit:
    """Add a last argument to a call, following its layout (one line, or one argument per line)."""
    args = split_args(text, open_index, close)
    if not args:
        return Edit(open_index + 1, open_index + 1, argument, RULE_ID, description)
    last = args[-1]
    tail = text[last.end : close]
    multiline = "\n" in tail or "\n" in text[open_index : args[0].start]
    if multiline:
        indent = indent_of(text, last.start) if text[line_start(text, last.start) : last.start].strip() == "" else ""
        if tail.lstrip().startswith(","):
            comma = last.end + tail.index(",")
            return Edit(comma + 1, comma + 1, f"\n{indent}{argument},", RULE_ID, description)
        return Edit(last.end, last.end, f",\n{indent}{argument}", RULE_ID, description)
    return Edit(last.end, last.end, f", {argument}", RULE_ID, description)


def _in_async(text: str, index: int) -> bool:
    """Is `index` inside a function declared `async` (nearest enclosing `function`/`=>` by indentation)?"""
    position = line_start(text, index)
    own_indent = len(indent_of(text, index))
    while position > 0:
        previous = line_start(text, position - 1)
        line = text[previous : position - 1]
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent < own_indent and re.search(r"\bfunction\b|=>|^\s*(?:async\s+)?\w+\s*\([^)]*\)\s*\{", line):
            return "async" in line
        if line.strip() and indent < own_indent:
            own_indent = indent
        position = previous
    return False
