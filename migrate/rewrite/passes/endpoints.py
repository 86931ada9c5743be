"""Pass `endpoint`: legacy Zoho URLs become their v3/v2 URLs on the same data center, from the endpoint map.

Whole URLs, URL prefixes that code completes at run time (`".../api/items/" + id`), base constants
(`BASE = ".../api/"`, kept with its trailing slash) and the tails concatenated to them at call sites
(`BASE + "items/"` -> `BASE + "items"`). When the v3 call differs in ways text cannot settle (another HTTP
method, a record id taken from the body, no equivalent at all), the URL is left or rewritten as far as is
certain and a manual step says exactly what remains, with the field map where the body changes format.
"""

from __future__ import annotations

import re

from migrate.requests.structure import WORD, word_offsets
from migrate.rewrite.context import FileContext, zoho_urls
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import QUOTES, statement_containing
from migrate.ruleset.endpoints import EndpointMatch, Family

PROBE = "__zoho_migrate_id__"
RULE_ID = "zoho.legacy-endpoint"


def run(text: str, ctx: FileContext) -> list[Edit]:
    rules = ctx.rules_with_action("endpoint")
    if not rules or ctx.fixes is None and ctx.language.kind != "config":
        return []
    rule_ids = {r.id for r in rules}
    edits: list[Edit] = []
    bases: dict[str, tuple[str, str]] = {}  # constant name -> (legacy url, new url)
    appended_to = _Appended(text)
    for m in zoho_urls(text):
        if not ctx.flagged(m.start(), rule_ids):
            continue
        url = m.group(0)
        resolved = ctx.match_url(url)
        if resolved is None or resolved.product.credential_only or not resolved.product.detect:
            continue
        continues = _continues(text, m.end(), ctx)
        if continues:
            new, family = _prefix_url(ctx, url)
            if new is None:
                _manual_for(ctx, m.start(), resolved, resolved.family)
                continue
        else:
            family = resolved.family
            new = _full_url(ctx, m.start(), resolved)
            if new is None:
                continue
            name = _constant_name(text, m.start())
            base = ctx.language.kind == "config" or (name is not None and appended_to(name))
            if url.endswith("/") and not new.endswith("/") and base:
                new += "/"  # a base other code appends path segments to keeps its slash; v3 paths have none
            if name:
                bases[name] = (url, new)
        _notes(ctx, m.start(), resolved, family, new)
        _org_note(text, ctx, m.start(), resolved)
        _paging_note(text, ctx, m, resolved)
        end = m.end()
        if "?" in new and text[end : end + 1] == "?":
            new, end = new + "&", end + 1
        if new != url:
            edits.append(Edit(m.start(), end, new, RULE_ID, f"legacy endpoint -> {_strip(new)}"))
    edits.extend(_tails(text, ctx, bases, rule_ids))
    if edits:  # the requests move: code still reading their legacy replies is marked where it reads them
        from migrate.rewrite.passes.replies import mark_readers

        mark_readers(text, ctx)
    return edits


def _strip(url: str) -> str:
    return url.split("?", 1)[0]


def _continues(text: str, end: int, ctx: FileContext) -> bool:
    """Does the string go on at run time after the URL (interpolation or concatenation)?"""
    following = text[end : end + 2]
    if following[:1] in ("$", "{", "%") or following == "#{":
        return True
    if following[:1] in QUOTES:
        concat = ctx.fixes.concat if ctx.fixes else ("+",)
        rest = text[end + 1 : end + 12].lstrip(" \t")
        return any(rest.startswith(op) for op in concat) and not rest.startswith(("+=", "=="))
    return False


def _full_url(ctx: FileContext, offset: int, resolved: EndpointMatch) -> str | None:
    new = resolved.oauth_url()
    if new is None:
        _manual_for(ctx, offset, resolved, resolved.family)
        return None
    names = re.findall(r"\{(\w+)\}", new)
    if names:
        ctx.add_manual(
            offset,
            RULE_ID,
            ctx.data.manual_text(
                "placeholder", method=resolved.oauth_method, url=new, names=", ".join(names)
            ),
        )
        return None
    return new


def _prefix_url(ctx: FileContext, url: str) -> tuple[str | None, Family | None]:
    """The v3 prefix for a URL that code completes at run time, found by probing with a placeholder id."""
    probe = ctx.match_url(url + PROBE)
    if probe is not None:
        new = probe.oauth_url()
        if new and PROBE in new and "{" not in new.split(PROBE)[0]:
            if new.split(PROBE, 1)[1].split("?", 1)[0].strip("/"):
                return None, probe.family  # `/estimates/{id}/status/sent`: the id is not at the end; by hand
            return new.split(PROBE)[0], probe.family
    resolved = ctx.match_url(url)
    if resolved is None:
        return None, None
    new = resolved.oauth_url()
    if not new or "{" in new or "?" in new:
        return None, resolved.family
    if url.endswith("/") and not new.endswith("/"):
        new += "/"
    return new, resolved.family


def _manual_for(ctx: FileContext, offset: int, resolved: EndpointMatch, family: Family | None) -> None:
    reason = (family.manual if family else None) or "see the product's v3 API reference"
    ctx.add_manual(offset, RULE_ID, ctx.data.manual_text("no_equivalent", url=resolved.host, reason=reason))


def _notes(ctx: FileContext, offset: int, resolved: EndpointMatch, family: Family | None, new: str) -> None:
    """Manual steps for what changes beyond the URL: the HTTP method, the body format, family notes."""
    if family is None:
        return
    legacy_method = family.legacy_method
    oauth_method = family.oauth_method
    if legacy_method and oauth_method and legacy_method != oauth_method:
        ctx.add_manual(
            offset,
            RULE_ID,
            ctx.data.manual_text("method", method=oauth_method, url=new, legacy_method=legacy_method),
        )
    if family.manual:
        ctx.add_manual(offset, RULE_ID, f"{family.id}: {family.manual}")
    if legacy_method == "POST" and resolved.product.legacy_format == "xml" and family.response:
        fields = ", ".join(f"{k} -> {_target(v)}" for k, v in (family.response.get("fields") or {}).items())
        ctx.add_manual(offset, RULE_ID, ctx.data.manual_text("body", field="XMLString", fields=fields))


def _paging_note(text: str, ctx: FileContext, m: re.Match[str], resolved: EndpointMatch) -> None:
    """Legacy paging parameters the request keeps outside its URL (`params={"fromIndex": 1}`): a manual step there.

    In the URL's own query string the query-parameter pass reports them; elsewhere in the same request they would
    silently stay on the v2 URL, which pages with `page`/`per_page`.
    """
    entries = [
        e for e in ctx.data.common.get("query_params") or ()
        if e.get("manual") and e.get("product") == resolved.product.name and e.get("paging")
    ]
    if not entries:
        return
    statement = statement_containing(text, m.start())
    for entry in entries:
        names = [str(entry["param"]), *(str(n) for n in entry.get("paging") or ())]
        pattern = re.compile(rf"(?<![\w?&])[\"']?(?:{'|'.join(map(re.escape, names))})[\"']?\s*(?:[:=,]|=>)")
        found = pattern.search(text, statement.start, statement.end)
        if found is not None and not (m.start() <= found.start() < m.end()):
            ctx.add_manual(found.start(), RULE_ID, str(entry["manual"]))


def _org_note(text: str, ctx: FileContext, offset: int, resolved: EndpointMatch) -> None:
    """Where no header can carry it (Deluge, configuration), say that the v3 URL needs the organization id."""
    param = resolved.product.org.get("param")
    if not param or resolved.family.oauth_path is None:
        return
    if ctx.language.kind != "config" and (ctx.fixes is None or ctx.fixes.get("auth") != "connection"):
        return  # the headers pass sends the organization-id header with the request
    if ctx.language.kind == "config":
        scope = ctx.history.original + text  # the file has (or the rewrite adds) an organization key
    else:
        statement = statement_containing(text, offset)
        scope = text[statement.start : statement.end]
    if "organization" in scope.lower() or (ctx.language.kind == "config" and _adds_org_key(ctx)):
        return
    ctx.add_manual(offset, RULE_ID, f"the v3 API needs `{param}=<organization id>` on this URL (`zoho-migrate auth orgs` lists them)")


def _adds_org_key(ctx: FileContext) -> bool:
    """The config-key pass adds an organization key beside OAuth keys it writes in this file."""
    return any((r.fix or {}).get("action") in ("config-key", "remove-secret") for r in ctx.rules_with_action("config-key"))


def _target(value: object) -> str:
    return str(value.get("to")) if isinstance(value, dict) else str(value)


_ASSIGN = re.compile(r"""(?P<name>[A-Za-z_$][\w$]*)["']?\s*(?:=>|:=|[:=]|,)\s*\(?\s*["'`]$""")


def _constant_name(text: str, url_start: int) -> str | None:
    """`NAME = "<url>"`: the name the URL literal is assigned to, if it is the whole literal."""
    quote_at = url_start - 1
    if quote_at < 0 or text[quote_at] not in QUOTES:
        return None
    line_begin = max(text.rfind("\n", 0, quote_at) + 1, quote_at - 200)  # minified lines are huge: look near
    m = _ASSIGN.search(text[line_begin : quote_at + 1])
    return m.group("name").lstrip("$") if m else None


def _usage_regex(names: list[str]) -> re.Pattern[str]:
    """Every `NAME + "tail"` / `{NAME}tail` use of any of the base constants, in one pattern (one pass)."""
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w$])\$?(?P<name>{alternation})\s*(?:\+|\.)\s*(?P<q>[\"'])(?P<tail>[^\"'?$#{{]*)|"
        rf"(?:\{{|\$\{{|#\{{)(?P<name2>{alternation})\}}(?P<tail2>[^\"'`\s?{{$#]*)"
    )


class _Appended:
    """Is `name` used as a base that code appends a path to (`BASE + "items"`), not only a query (`U + "?x"`)?

    Answered per file from an index of its words (one pass), then the usage regex tried only where the name
    occurs: searching the whole file once per URL constant was quadratic (a file of 2,000 functions, each with its
    `$url = "https://..."`). Same answer as `_usage_regex([name]).finditer(text)` with a non-empty tail: every
    such match starts at the name, or one or two characters before it (`$`, `{`, `${`, `#{`), and the name is a
    whole word there; a match with an empty tail ends at its quote or brace, so it hides no later match.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._words: dict[str, list[int]] | None = None
        self._answers: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        if name not in self._answers:
            self._answers[name] = self._appended(name)
        return self._answers[name]

    def _appended(self, name: str) -> bool:
        usage = _usage_regex([name])
        if not WORD.fullmatch(name):
            return any(_tail(m) for m in usage.finditer(self.text))
        if self._words is None:
            self._words = word_offsets(self.text)
        for offset in self._words.get(name, ()):
            for start in (offset - 2, offset - 1, offset):
                m = usage.match(self.text, start) if start >= 0 else None
                if m is not None and _tail(m):
                    return True
        return False



def _tail(usage: re.Match[str]) -> str:
    return usage.group("tail") if usage.group("tail") is not None else usage.group("tail2")


def _call_argument(text: str, url_start: int) -> bool:
    """Is the URL literal passed straight to a call (`get("https://...")`), so nothing can append to it?"""
    before = text[max(0, url_start - 40) : url_start]
    return re.search(r"[(,]\s*[\"'`]$", before) is not None


def _tails(text: str, ctx: FileContext, bases: dict[str, tuple[str, str]], rule_ids: set[str]) -> list[Edit]:
    """`BASE + "items/"`: rewrite the tail so the new base plus the tail is the v3 URL of the legacy call."""
    edits: list[Edit] = []
    if not bases:
        return edits
    for m in _usage_regex(list(bases)).finditer(text):  # one pass: a minified bundle may hold hundreds of bases
        legacy_base, new_base = bases[m.group("name") or m.group("name2")]
        if not ctx.flagged(m.start(), rule_ids):
            continue
        group = "tail" if m.group("tail") is not None else "tail2"
        tail = m.group(group)
        tail_start, tail_end = m.start(group), m.end(group)
        continues = _continues(text, tail_end, ctx) if group == "tail" else text[tail_end : tail_end + 1] in "{$#"
        legacy = legacy_base.rstrip("/") + "/" + tail.lstrip("/")
        if continues:
            v3, family = _prefix_url(ctx, legacy)
            resolved = ctx.match_url(legacy + PROBE) or ctx.match_url(legacy)
        else:
            resolved = ctx.match_url(legacy)
            family = resolved.family if resolved else None
            v3 = resolved.oauth_url() if resolved else None
        if resolved is None:
            continue
        if v3 is None or "{" in v3 or not v3.startswith(new_base):
            shown = v3 or (resolved.oauth_url() or "(none)")
            ctx.add_manual(
                m.start(), RULE_ID, ctx.data.manual_text("concat", method=resolved.oauth_method, url=shown)
            )
            continue
        _notes(ctx, m.start(), resolved, family, v3)
        new_tail = v3[len(new_base) :]
        if new_tail != tail:
            edits.append(Edit(tail_start, tail_end, new_tail, RULE_ID, f"legacy endpoint -> {_strip(v3)}"))
    return edits
