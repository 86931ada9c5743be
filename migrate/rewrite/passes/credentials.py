"""Pass `remove-credential`: drop authtoken/apikey/ticket/legacy-scope parameters wherever they travel.

Query strings (also when the value is spliced in with `" + token + "` or `${token}`), form bodies, map/dict/array
entries, statements that set one parameter (`q.Set("authtoken", t)`), and curl data flags. Each removal is
recorded as an "auth site": the header pass gives the request that carried it an OAuth header instead.
"""

from __future__ import annotations

import re

from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import (
    QUOTES,
    alone_on_lines,
    enclosing_opener,
    expression_end,
    in_string,
    interpolation_close,
    line_end,
    line_start,
    match_close,
    operand_end,
)
from migrate.rewrite.textedit import SpanSet
from migrate.ruleset.model import Rule

LITERAL_RUN = re.compile(r"[^&\"'`\s#)\\$\{]*")
SHELL_VAR = re.compile(r"\$\w+")
RECEIVER = re.compile(r"[ \t]*\$?(?P<name>[A-Za-z_]\w*)")


def stages(ctx: FileContext) -> list:
    """One stage per credential rule: `?authtoken=..&scope=..` needs the first removal applied before the next."""
    return [lambda text, ctx, rule=rule: _run_rule(text, ctx, rule) for rule in ctx.rules_with_action("remove-credential")]


def run(text: str, ctx: FileContext) -> list[Edit]:
    edits: list[Edit] = []
    for rule in ctx.rules_with_action("remove-credential"):
        edits.extend(_run_rule(text, ctx, rule))
    return edits


def _run_rule(text: str, ctx: FileContext, rule: Rule) -> list[Edit]:
    edits: list[Edit] = []
    if ctx.fixes is None:
        return edits
    param = str(rule.fix.get("param")) if rule.fix else ""
    if not param:
        return edits
    param_regex = re.escape(param)
    taken = SpanSet()  # spans claimed by earlier forms (flags, statements, queries) in this stage
    receivers: dict[int, str] = {}
    for pattern in ctx.fixes.get("flags") or ():
        flag_re = re.compile(pattern.replace("{param}", param_regex), re.IGNORECASE)
        for m in flag_re.finditer(text):
            if ctx.flagged(m.start(), rule.id, m.end()) and _value_ok(text, ctx, param, m.group("value")):
                edits.append(Edit(m.start(), m.end(), "", rule.id, f"removed the `{param}` flag"))
                taken.add(m.start(), m.end())
    for pattern in ctx.fixes.statement_patterns(param_regex):
        for m in pattern.finditer(text):
            if ctx.flagged(m.start(), rule.id, m.end() - 1):
                edits.append(Edit(m.start(), m.end(), "", rule.id, f"removed the statement setting `{param}`"))
                receiver = RECEIVER.match(text, m.start())
                if receiver:  # q.Set("authtoken", t): the request built from `q` carried the credential
                    receivers[m.start()] = receiver.group("name")
                taken.add(m.start(), m.end())
    query = re.compile(rf"(?P<sep>[?&\"'])(?P<name>{param_regex})=", re.IGNORECASE)
    last_end = -1  # matches come in order: within one form only the previous edit can cover the next match
    for m in query.finditer(text):
        if m.start() < last_end or taken.contains(m.start()) or not ctx.flagged(m.start(), rule.id):
            continue
        edit = _query_edit(text, m, ctx, rule.id, param)
        if edit is not None:
            edits.append(edit)
            last_end = edit.end
    for edit in edits:
        taken.add(edit.start, edit.end)
    for pattern, inside in ctx.fixes.entry_patterns(param_regex):
        last_end = -1
        found: list[Edit] = []
        for m in pattern.finditer(text):
            if m.start() < last_end or taken.contains(m.start()) or not ctx.flagged(m.start(), rule.id):
                continue
            key_at = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            if in_string(text, key_at):
                continue  # `'"authtoken": t'` is text, not a map entry
            opener = enclosing_opener(text, key_at) if inside else None
            if inside and (opener is None or opener not in inside):
                # `f(authtoken: string)` is a parameter's type, not an entry; no bracket found (statement level,
                # or further back than enclosing_opener looks) is not an entry either: never guess an edit
                continue
            edit = _entry_edit(text, m, ctx, rule.id, param)
            if edit is not None:
                found.append(edit)
                last_end = edit.end
        for edit in found:
            taken.add(edit.start, edit.end)
        edits.extend(found)
    for edit in edits:
        if edit.start in receivers:
            ctx.site_receivers[len(ctx.auth_sites)] = receivers[edit.start]
        ctx.auth_sites.append(edit.start)
    return edits


def _value_ok(text: str, ctx: FileContext, param: str, value: str) -> bool:
    """Any value of authtoken/apikey/ticket goes; `scope` only when it names an authtoken-era scope."""
    if param.lower() != "scope":
        return True
    pattern = re.compile(str(ctx.data.common.get("legacy_scope_value", "^$")), re.IGNORECASE)
    value = value.strip().strip("\"'`")
    if pattern.search(value):
        return True
    assignment = ctx.fixes.assignment if ctx.fixes else None
    if assignment is None or not re.fullmatch(r"[$@]?[A-Za-z_][\w.]*", value):
        return False
    name = value.lstrip("$@").split(".")[-1]
    for m in assignment.finditer(text):
        if m.group("name") == name:
            rhs = text[m.end() : line_end(text, m.end())].strip().rstrip(";").strip().strip("\"'`")
            return bool(pattern.search(rhs))
    return False


def _query_edit(text: str, m: re.Match[str], ctx: FileContext, rule_id: str, param: str) -> Edit | None:
    """`?name=value&` -> `?`, `&name=value` -> ``, `?name=" + tok` -> `"`; the value may span concatenations."""
    assert ctx.fixes is not None
    sep = m.group("sep")
    start = m.start()
    position = m.end()
    concat = "|".join(re.escape(op) for op in ctx.fixes.concat)
    concat_re = re.compile(rf"\s*(?:{concat})\s*")
    closed_quote = ""
    value_parts: list[str] = []
    while position < len(text):
        run_end = LITERAL_RUN.match(text, position).end()  # type: ignore[union-attr]
        value_parts.append(text[position:run_end])
        position = run_end
        if position >= len(text):
            break
        opener = next((o for o in ctx.fixes.interpolation if text.startswith(o, position)), None)
        if opener is not None:
            close = interpolation_close(text, position, opener)
            if close < 0:
                return None
            value_parts.append(text[position : close + 1])
            position = close + 1
            continue
        var = SHELL_VAR.match(text, position)
        if var and "$" in "".join(ctx.fixes.interpolation) + "$":
            value_parts.append(var.group(0))
            position = var.end()
            continue
        char = text[position]
        if char in QUOTES and sep in "?&":
            op = concat_re.match(text, position + 1)
            if op is None:
                break
            operand_stop = operand_end(text, op.end())
            if operand_stop == op.end():
                break
            value_parts.append(text[op.end() : operand_stop])
            again = concat_re.match(text, operand_stop)
            if again is not None and again.end() < len(text) and text[again.end()] == char:
                position = again.end() + 1
                continue
            closed_quote = char
            position = operand_stop
        break
    if not "".join(value_parts).strip():
        return None  # `url.append("?authtoken=").append(t)`: the value travels in a way text cannot follow
    if not _value_ok(text, ctx, param, "".join(value_parts)):
        return None
    description = f"removed the `{param}` parameter"
    if closed_quote:
        replacement = sep + closed_quote if sep in QUOTES else closed_quote
        return Edit(start, position, replacement, rule_id, description)
    following = text[position : position + 1]
    if following == "&":
        if sep == "&":
            return Edit(start, position, "", rule_id, description)
        return Edit(start + 1, position + 1, "", rule_id, description)
    if sep in QUOTES:
        return Edit(start + 1, position, "", rule_id, description)
    return Edit(start, position, "", rule_id, description)


def _entry_edit(text: str, m: re.Match[str], ctx: FileContext, rule_id: str, param: str) -> Edit | None:
    """Remove one `key: value` entry of a dict/map/array/initializer with its comma (or its whole line)."""
    start = m.start()
    while start < m.end() and text[start].isspace():
        start += 1
    if text[start] == "{":  # a braced pair such as C#'s {"authtoken", token}
        close = match_close(text, start)
        if close < 0:
            return None
        value = text[m.end() : close]
        end = close + 1
    else:
        end = expression_end(text, m.end())
        value = text[m.end() : end]
    shorthand = end == m.end() and text[m.end() :].lstrip()[:1] in (",", "}")  # JS `{ authtoken, ... }`
    if (end == m.end() and not shorthand) or not _value_ok(text, ctx, param, value or m.group("param")):
        return None
    description = f"removed the `{param}` entry"
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        comma_end = after + 1
        if alone_on_lines(text, start, comma_end):
            return Edit(line_start(text, start), min(line_end(text, comma_end) + 1, len(text)), "", rule_id, description)
        while comma_end < len(text) and text[comma_end] in " \t":
            comma_end += 1
        return Edit(start, comma_end, "", rule_id, description)
    before = start - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    if before >= 0 and text[before] == ",":
        if alone_on_lines(text, start, end):
            return Edit(before, line_end(text, end), "", rule_id, description)
        return Edit(before, end, "", rule_id, description)
    if alone_on_lines(text, start, end):
        return Edit(line_start(text, start), min(line_end(text, end) + 1, len(text)), "", rule_id, description)
    return Edit(start, end, "", rule_id, description)
