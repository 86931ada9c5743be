"""Group one file's findings into legacy requests and decide, cheaply, whether each can be migrated whole.

No rewriting happens here: the decision reads the text, the fix data and the endpoint map only, so `scan` can
mark `fixable` with it at the cost of one parse of the files that have findings.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from functools import cached_property

from migrate.requests.headerform import SCHEME, header_form
from migrate.requests.idioms import Idioms, idioms
from migrate.requests.model import LegacyRequest, RequestPlan
from migrate.requests.regions import RegionSearch
from migrate.requests.structure import WORD, Scope, Send, Structure
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.finding import Finding

# finding categories that are parts of a request (the others are definitions, config keys, SDK use, ...)
REQUEST_CATEGORIES = {"legacy-endpoint", "auth-param", "auth-header", "xml-parsing"}
CREDENTIAL = "auth-param"
ZOHO_URL = re.compile(r"(?:https?://)?(?<![\w.-])[a-z0-9-]+\.zoho(?:apis|cloud)?\.[a-z.]+(?:/[^\s\"'`<>()\\,;{}$#%?]*)?", re.I)
PROBE = "__zoho_migrate_id__"
MALFORMED = "malformed:"
QUERY_TAIL = "query-tail:"  # a base URL whose whole query string is credentials, continued with `&...` elsewhere
CREDENTIAL_PARAMS = ("authtoken", "scope", "apikey", "ticket")  # query parameters that are credentials, not data
CREDENTIAL_PARAM = re.compile(rf"(?:{'|'.join(CREDENTIAL_PARAMS)})=", re.I)  # one of them written `name=`
# the credential travels as a parameter here (a quoted key or a query parameter), not just a variable's name
XML_BODY = re.compile(r"\b(?:XMLString|xmlData)\b")
TRAVEL = r"""(?i)[\"'&?]{param}[\"']?\s*(?:=|:|=>|,|\))"""


def plan_requests(text: str, language: Language, findings: list[Finding], ruleset: RuleSet) -> RequestPlan:
    """The requests of one file's `text` (the findings are the scanner's on this very text)."""
    plan = RequestPlan()
    fix = idioms(ruleset, language.name)
    members = [f for f in findings if f.category in REQUEST_CATEGORIES]
    others = [f for f in findings if f.category not in REQUEST_CATEGORIES]
    if not members or language.kind == "config" or not fix.known:
        return plan
    structure = Structure(text, language, fix)
    builder = _Builder(plan, structure, fix, ruleset, findings)
    builder.group(members, others)
    for request in list(plan.requests):
        builder.describe(request)
    # every request's own blocker first: one blocked request then marks only those sharing a line with it that
    # have none of their own (two callers of one XML-parsing wrapper each name what blocks them)
    reasons = [(request, builder.decide(request)) for request in list(plan.requests)]
    for request, reason in reasons:
        if reason:
            plan.block(request, reason)
    return plan


class _Builder:
    def __init__(self, plan: RequestPlan, structure: Structure, fix: Idioms, ruleset: RuleSet, findings: list[Finding]) -> None:
        self.plan = plan
        self.s = structure
        self.fix = fix
        self.ruleset = ruleset
        self.rules = {r.id: r for r in ruleset.rules}
        self.keys: dict[tuple[Scope, int | None], LegacyRequest] = {}
        self.definitions = self._definitions()
        self.regions = RegionSearch(structure.text)

    # grouping ---------------------------------------------------------------------------------------------------
    def _definitions(self) -> dict[str, list[tuple[int, str]]]:
        """name -> [(line, right-hand side)] of every assignment in the file, in order."""
        found: dict[str, list[tuple[int, str]]] = defaultdict(list)
        pattern = self.fix.assignment
        if pattern is None:
            return found
        for m in pattern.finditer(self.s.text):
            line = self.s.line_of(m.start())
            found[m.group("name")].append((line, self.s.line_text(line)[m.end() - self.s.offset_of_line(line) :]))
        return found

    def _definition(self, name: str, line: int) -> tuple[int, str] | None:
        """The assignment of `name` that `line` sees: the last one before it in its function, else a module one."""
        scope = self.s.scope_of(line)
        candidates = self.definitions.get(name, ())
        if not candidates:
            return None
        if not scope.module:  # bisect: a name assigned in every function of a large file stays linear
            index = bisect.bisect_left(candidates, (line, "")) - 1
            if index >= 0 and scope.contains(candidates[index][0]):
                return candidates[index]
        module = self._module_definitions.get(name)
        return module if module is not None and module[0] != line else None

    @cached_property
    def _module_definitions(self) -> dict[str, tuple[int, str]]:
        """name -> its first module-level assignment."""
        found: dict[str, tuple[int, str]] = {}
        for name, candidates in self.definitions.items():
            first = next((d for d in candidates if self.s.scope_of(d[0]).module), None)
            if first is not None:
                found[name] = first
        return found

    def _request(self, scope: Scope, send: Send | None, line: int) -> LegacyRequest:
        key = (scope, send.offset if send else None)
        if key not in self.keys:
            request = LegacyRequest(len(self.plan.requests), scope, send, line, line)
            self.plan.requests.append(request)
            self.keys[key] = request
        return self.keys[key]

    def _join(self, request: LegacyRequest, finding: Finding) -> None:
        if request.index not in self.plan.member_of.setdefault(finding.fingerprint, []):
            self.plan.member_of[finding.fingerprint].append(request.index)
            request.findings.append(finding)
            request.first_line = min(request.first_line, finding.line)
            request.last_line = max(request.last_line, finding.line)

    def _home(self, line: int) -> LegacyRequest:
        scope = self.s.scope_of(line)
        return self._request(scope, self.s.send_for(line, scope), line)

    def group(self, members: list[Finding], others: list[Finding]) -> None:
        holders = [f for f in members if self._holder(f)]
        for finding in sorted(members, key=lambda f: f.line):
            if finding in holders:
                continue
            uses = self._uses(finding)
            if uses:
                for line in uses:
                    self._join(self._home(line), finding)
            else:
                self._join(self._home(finding.line), finding)
        self._follow_wrappers()
        self.plan.holders = {f.fingerprint for f in holders}
        for finding in holders + others:
            self._soft(finding)

    def _holder(self, finding: Finding) -> bool:
        """A credential finding on a line where it does not travel as a parameter: the variable (or function
        parameter, or Zoho-authtoken header) holding it. Its requests decide whether it goes; it blocks none."""
        if finding.category != CREDENTIAL:
            return False
        rule = self.rules.get(finding.rule_id)
        param = str((rule.fix or {}).get("param", "")) if rule and rule.fix else ""
        if not param:
            return True
        line = self.s.line_text(finding.line)
        return re.search(TRAVEL.format(param=re.escape(param)), line) is None and not self._patterns(line, param)

    def _soft(self, finding: Finding) -> None:
        """Tie a definition that requests use (the token variable, an env lookup) to those requests, softly."""
        lines = self._uses(finding) or [finding.line]
        indexes = []
        for line in lines:
            scope = self.s.scope_of(line)
            send = self.s.send_for(line, scope)
            request = self.keys.get((scope, send.offset if send else None))
            if request is not None and request.index not in indexes:
                indexes.append(request.index)
        if indexes:
            self.plan.soft_of[finding.fingerprint] = indexes

    def _uses(self, finding: Finding) -> list[int]:
        """A definition (`BASE = "..."`, `PARAMS = {...}`): the lines that use its name (same function, or
        anywhere for a module-level one). Its finding belongs to every request built from those lines."""
        pattern = self.fix.assignment
        if pattern is None:
            return []
        start = self.s.offset_of_line(finding.line)
        m = pattern.match(self.s.text, start)
        if m is None:
            return []
        if finding.line in self._send_lines:
            return []  # `r1 = requests.post(URL, ...)`: the request itself, not a definition others build on
        name = m.group("name")
        scope = self.s.scope_of(finding.line)
        lines = set()
        # in a function, the lines after the assignment up to the next one see its value
        first, last = (1, self.s.line_count) if scope.module else (finding.line, scope.end_line)
        last = self._reassigned(name, finding.line, scope, last)
        for offset in self._occurrences(name, first, last):
            line = self.s.line_of(offset)
            if line != finding.line and not self.s.in_data(offset):
                lines.add(line)
        return sorted(lines) if any(not self.s.scope_of(line).module or scope.module for line in lines) else []

    @cached_property
    def _send_lines(self) -> set[int]:
        return {send.line for send in self.s.sends}

    def _reassigned(self, name: str, line: int, scope: Scope, last: int) -> int:
        """The last line that still sees the value `name` gets on `line`: a later `base = "..."` in the same
        function starts another request's URL (a line using the old value on its right side still counts)."""
        if scope.module:
            return last
        for other, rhs in self.definitions.get(name, ()):
            if line < other <= last and scope.contains(other):
                return other if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", rhs) else other - 1
        return last

    def _occurrences(self, name: str, first: int, last: int) -> list[int]:
        """Offsets of `name` as a whole word in lines first..last (`(?<!\\w)name(?!\\w)` in those lines).

        A name of word characters only is looked up in an index of the file's words, built in one pass: searching
        the whole file once per module-level definition was quadratic (a file of 2,000 `BASE_n = "..."`)."""
        start, end = self.s.lines_span(first, last)
        if not WORD.fullmatch(name):
            text = self.s.text[start:end]
            return [start + use.start() for use in re.finditer(rf"(?<!\w){re.escape(name)}(?![\w])", text)]
        offsets = self.s.words.get(name, [])
        # a run of whole lines: a word never straddles its edges (a newline or the text's own edge is there)
        return offsets[bisect.bisect_left(offsets, start) : bisect.bisect_left(offsets, end)]

    def _follow_wrappers(self) -> None:
        """A request built in one function and sent by another of this file (`fetch(url)`): one request. A
        function that several requests go through keeps them apart (`_split_wrapper`)."""
        for request in list(self.plan.requests):
            if request.send is None:
                self._sent_by_wrapper(request)
        for request in list(self.plan.requests):
            if request.send is None or request.scope.module or not request.scope.name:
                continue
            callers = self._callers(request)
            if len({c.index for _, _, c in callers if c is not None and c is not request and c.findings}) > 1:
                self._split_wrapper(request, callers)
                continue
            for line, caller_scope, caller in callers:
                request.via = request.scope.name
                request.urls.extend(self._urls_on(line, caller_scope))
                if caller is not None and caller is not request:
                    for finding in list(caller.findings):
                        self._join(request, finding)
                    caller.findings = []

    def _callers(self, request: LegacyRequest) -> list[tuple[int, Scope, LegacyRequest | None]]:
        """The lines calling the function that holds `request`, with their scope and the request built there."""
        found = []
        for line in self.s.calls_to(request.scope.name or "", request.scope):
            caller_scope = self.s.scope_of(line)
            caller = self.keys.get((caller_scope, None))
            if caller is None:
                own = self.s.send_for(line, caller_scope)
                caller = self.keys.get((caller_scope, own.offset)) if own is not None else None
                if caller is not None and own is not None and own.line != line:
                    continue  # that caller's findings are sent by its own call
            found.append((line, caller_scope, caller))
        return found

    def _split_wrapper(self, request: LegacyRequest, callers: list[tuple[int, Scope, LegacyRequest | None]]) -> None:
        """A wrapper's own findings (its XML parse, a header it sets) when several requests call it: each caller
        stays its own request, with its own lines and TODO, and shares the wrapper's findings, so one caller left
        as it was keeps the wrapper as it was for all. Merging them made one request (and one TODO) of many."""
        wrapper = request.scope.name
        shared = list(request.findings)
        for finding in shared:
            self.plan.member_of[finding.fingerprint].remove(request.index)
            if request.scope.contains(finding.line):  # not a constant the helper reads (`BASE_URL`): its own line
                self.plan.shared_by[finding.fingerprint] = wrapper or ""
        request.findings = []
        for _, _, caller in callers:
            if caller is None or caller is request:
                continue
            caller.via = wrapper
            if caller.send is None:
                caller.send = request.send
            for finding in shared:  # no span: the wrapper's lines are not the caller's region
                if caller.index not in self.plan.member_of[finding.fingerprint]:
                    self.plan.member_of[finding.fingerprint].append(caller.index)
                    caller.findings.append(finding)

    def _sent_by_wrapper(self, request: LegacyRequest) -> None:
        """A send-less request whose lines call a function of this file that makes an HTTP call: that call
        sends it (the wrapper's other callers are checked for accounts URLs and other products)."""
        for line in sorted({f.line for f in request.findings}):
            for name in re.findall(r"([A-Za-z_]\w*)\s*\(", self.s.line_text(line)):
                wrapper = self.s.function_named(name)
                sends = self.s.sends_in(wrapper) if wrapper is not None else []
                if wrapper is None or not sends or wrapper.contains(line):
                    continue
                request.send = sends[0]
                request.via = name
                for caller in self.s.calls_to(name, wrapper):
                    request.urls.extend(self._urls_on(caller, self.s.scope_of(caller)))
                request.urls.extend(m.group(0) for m in ZOHO_URL.finditer(self.s.lines_text(wrapper.start_line, wrapper.end_line)))
                return

    # what each request is ----------------------------------------------------------------------------------------
    def _urls_on(self, line: int, scope: Scope) -> list[str]:
        """Zoho URLs a line sends: literals on it (or on the assignments it uses) and `BASE + "tail"` joins."""
        text = self.s.line_text(line)
        urls = []
        for m in ZOHO_URL.finditer(text):
            if "://" not in m.group(0) and text[max(m.start() - 1, 0) : m.start()] in ("/", ":"):
                urls.append(MALFORMED + m.group(0))  # `https//host`, `htps://host`: not a URL the map can place
            else:
                urls.append(m.group(0))
        for name in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", text)):
            definition = self._definition(name, line)
            if definition is None or definition[0] == line:
                continue
            found = [m.group(0) for m in ZOHO_URL.finditer(definition[1])]
            if not found:
                continue
            tail = re.search(rf"(?<![\w$]){re.escape(name)}\s*(?:\+|\.)\s*[\"'](?P<tail>[^\"'?$#{{]*)", text)
            if tail is not None and len(found) == 1 and tail.group("tail")[:1] == "&" and _only_credentials(found[0], definition[1]):
                urls.append(QUERY_TAIL + found[0])  # `base + "&x=1"` after a query string the rewrite empties
            if tail is not None and len(found) == 1 and tail.group("tail")[:1] not in ("&", "="):
                urls.append(found[0].rstrip("/") + "/" + tail.group("tail").lstrip("/"))
            else:
                urls.extend(found)
        return urls

    def describe(self, request: LegacyRequest) -> None:
        if not request.findings:
            return
        lines = sorted({f.line for f in request.findings})
        # a shared wrapper's findings (`_split_wrapper`) are not this caller's lines: its region stays its own
        own = [line for line in lines if request.scope.contains(line)] if request.via else lines
        first, last = self.s.region(request.send, request.scope, own or lines)
        request.first_line, request.last_line = min(first, request.first_line), max(last, request.last_line)
        for line in lines:
            request.urls.extend(self._urls_on(line, request.scope))
        if request.send is not None:
            request.urls.extend(self._urls_on(request.send.line, request.scope))
        request.accounts = any(self.fix.accounts_url.search(u) for u in request.urls) or bool(
            request.via and self.fix.accounts_url.search(self._region_text(request))
        )
        for url in request.urls:
            resolved = self._resolve(url)
            if resolved is not None:
                request.products.add(resolved.product.name)
        request.method = self._method(request)

    def _region_text(self, request: LegacyRequest) -> str:
        text = self.s.lines_text(request.first_line, request.last_line)
        if request.via and request.send is not None:  # the wrapper's body is part of what the request does
            wrapper = self.s.scope_of(request.send.line)
            text += "\n" + self.s.lines_text(wrapper.start_line, wrapper.end_line)
        if "TODO(zoho-migrate)" in text:  # an earlier run's notes (naming xmlData, a URL) are not code: idempotence
            text = "\n".join(line for line in text.split("\n") if "TODO(zoho-migrate)" not in line)
        return text

    def _may_match(self, regex: re.Pattern[str], request: LegacyRequest) -> bool:
        """False when `regex` cannot match the request's region: known from one pass over the whole file
        (requests/regions.py), so a region spanning most of a big file is not searched once per request."""
        if request.via and request.send is not None:
            return True  # two slices joined: not one run of the file's lines
        start, end = self.s.lines_span(request.first_line, request.last_line)
        return self.regions.may_match(regex, start, end)

    def _method(self, request: LegacyRequest) -> str:
        """POST/PUT/DELETE when the request's text says so (a flag carrying only a credential does not count)."""
        region: str | None = None
        for method, pattern in self.fix.methods.items():
            if not self._may_match(pattern, request):
                continue
            region = self._region_text(request) if region is None else region
            for m in pattern.finditer(region):
                after = region[m.end() : m.end() + 40].lstrip(" \t\"'=")
                if CREDENTIAL_PARAM.match(after):
                    continue
                return method
        return "GET"

    def _resolve(self, url: str):  # noqa: ANN202 - EndpointMatch | None
        endpoints = self.ruleset.endpoints
        resolved = endpoints.match(url)
        if resolved is None and not url.endswith("/") and "?" not in url:
            resolved = endpoints.match(url + "/")
        return resolved

    # the decision -----------------------------------------------------------------------------------------------
    def decide(self, request: LegacyRequest) -> str | None:
        """What blocks migrating this request whole, or None."""
        if not request.findings:
            return None
        categories = {f.category for f in request.findings}
        if request.accounts:
            return "an accounts/token-generation URL is sent by the same code; add the OAuth header by hand only to the API calls"
        if "auth-header" in categories and not self.fix.connection:
            reason = self._header_blocker(request)
            if reason:
                return reason
        if len(request.products) > 1:
            return f"URLs of more than one product ({', '.join(sorted(request.products))}) reach the same request code"
        malformed = [u for u in request.urls if u.startswith(MALFORMED)]
        if malformed:
            return f"the URL {malformed[0][len(MALFORMED) :]} has a malformed scheme; fix it, then migrate"
        legacy = [u for u in request.urls if self._legacy(u)]
        for url in legacy:
            reason = self._url_blocker(url, request)
            if reason:
                return reason
        tails = [u[len(QUERY_TAIL) :] for u in request.urls if u.startswith(QUERY_TAIL)]
        if tails:
            return (
                f"the query string of {tails[0]} holds only credentials, which the rewrite removes, and code appends "
                "`&...` to it at run time: the `?` would be lost; start the query in the base URL, then migrate"
            )
        reason = self._reply_blocker(request, legacy)
        if reason:
            return reason
        has_credential = CREDENTIAL in categories
        if "legacy-endpoint" in categories and not legacy:
            return "the URL is built at run time from pieces the endpoint map cannot place (a host or path alone)"
        if legacy and not has_credential and "auth-header" not in categories and self._sends_oauth(request):
            return None  # already OAuth on a legacy host: only the URL moves
        if has_credential and not request.urls:
            if request.send is None and not request.scope.module and self._scope_has_zoho_url(request):
                # the URL is built right here; what the rewriter cannot see is the call that sends it
                return self._send_blocker(request, has_credential)
            return (
                "the URL this credential is sent with is not a Zoho URL written here (it comes from a name defined "
                "elsewhere: a variable, property or parameter; follow it to where the request is made)"
            )
        if not self.fix.connection and (has_credential or legacy):
            reason = self._send_blocker(request, has_credential)
            if reason:
                return reason
        if has_credential:
            reason = self._credential_blocker(request)
            if reason:
                return reason
        if legacy and not has_credential and "auth-header" not in categories and not self.fix.connection:
            return "no credential travels with this request here, so the OAuth header could not be placed on it"
        if self.fix.connection and legacy:
            reason = self._org_blocker(request)
            if reason:
                return reason
        return None

    def _scope_has_zoho_url(self, request: LegacyRequest) -> bool:
        """A Zoho URL literal is written in the function holding the request."""
        scope = request.scope
        return ZOHO_URL.search(self.s.lines_text(scope.start_line, scope.end_line)) is not None

    def _completed_later(self, url: str, request: LegacyRequest) -> bool:
        """Is the URL prefix continued at run time (`"...json/#{type}/..."`, `"...json/%s/..."`, `BASE . $path`)
        rather than a whole URL ending in a slash (`.../fileupload/`)?"""
        text = self._region_text(request)
        concat = "|".join(re.escape(op) for op in self.fix.concat)
        openers = "|".join(re.escape(o) for o in self.fix.interpolation) or "(?!)"
        after = re.compile(rf"(?:{openers}|%[-0-9]*[sd]|\$\w|\{{\w*\}}|[\"'`]\s*(?:{concat}))")
        found = False
        for m in re.finditer(re.escape(url), text):
            found = True
            if after.match(text, m.end()):
                return True
            line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            named = (self.fix.assignment.match(line) if self.fix.assignment is not None else None) or re.search(
                r"\bconst\s+(?P<name>\w+)", line)
            if named and re.search(rf"(?<!\w){re.escape(named.group('name'))}\s*(?:{concat})", self.s.text):
                return True  # `const BASE_URL = '.../json/';` used as `BASE_URL . $path`: completed where it is used
        return not found  # the prefix is a definition used elsewhere (`BASE_URL . $path`)

    def _header_blocker(self, request: LegacyRequest) -> str | None:
        """A `Zoho-authtoken` header value the oauth-header pass cannot replace whole (`fmt.Sprintf("Zoho-authtoken
        %s", t)`, `"Zoho-authtoken %s" % t`): swapping the scheme alone would send the caller's authtoken as an
        OAuth token and every call would be refused, so the request stays as it was."""
        awaited = self._await_blocker(request, "this header is not set")
        if awaited:
            return awaited
        for finding in request.findings:
            if finding.category != "auth-header":
                continue
            line = self.s.line_text(finding.line)
            for m in SCHEME.finditer(line):
                if header_form(line, m, self.fix.concat, self.fix.interpolation) is None:
                    shown = FORMAT_SLOT.match(line, m.end())
                    how = f" (`Zoho-authtoken {shown.group(0)}`)" if shown else ""
                    return (
                        f"the `Zoho-authtoken` value on line {finding.line} is filled in by a call{how} the rewriter "
                        "cannot replace, and the token passed to it is still an authtoken: send the token helper's "
                        "value there instead"
                    )
        return None

    def _reply_blocker(self, request: LegacyRequest, legacy: list[str]) -> str | None:
        """A legacy call asking for an XML reply (`.../private/xml/...`) whose reply this request does not parse:
        it is returned or handed to code elsewhere (`Helper::parse($body)` in another file) that parses XML, and
        the new API replies JSON. Migrated alone, that code would read JSON as XML with no TODO near it."""
        if any(f.category == "xml-parsing" and "payload" not in f.rule_id for f in request.findings):
            return None  # read here: converted, or a TODO on the reading line
        for url in legacy:
            resolved = self._resolve(url) or self._resolve(url + PROBE)
            if resolved is not None and resolved.params.get("format", "").lower() == "xml":
                return (
                    f"{_short(url)} replies XML and the reply is not read here (it is returned or handed to other "
                    "code); the new API replies JSON: migrate the code that reads it together with this call"
                )
        return None

    def _sends_oauth(self, request: LegacyRequest) -> bool:
        """The request already sends a `Zoho-oauthtoken` header (itself or through a function it calls)."""
        text = self._region_text(request) + self.s.called_bodies(request.first_line, request.last_line)
        return "zoho-oauthtoken" in text.lower()

    def _legacy(self, url: str) -> bool:
        resolved = self._resolve(url) or self._resolve(url + PROBE)
        return resolved is not None and resolved.product.detect and not resolved.product.credential_only

    def _url_blocker(self, url: str, request: LegacyRequest) -> str | None:
        resolved = self._resolve(url)
        probe = self._resolve(url + PROBE)
        if probe is not None and (resolved is None or resolved.family.oauth_path is None or url.endswith("/")):
            resolved = probe  # `.../markassent/` + id at run time: the call is the one with the id
        action = self.fix.requests.get("action_paths")
        template = resolved.family.legacy_path.template if resolved is not None else ""
        if action and "{rest" in template and not re.search(r"/v\d", template):
            rest = url.split("://", 1)[-1].split("?", 1)[0]
            if re.search(str(action), rest):
                return f"the action path of {_short(url)} has no mechanical v3 form (see the product's v3 API reference)"
        if resolved is None:
            return f"the URL {_short(url)} is not in the endpoint map"
        family = resolved.family
        new = resolved.oauth_url()
        if new and PROBE in new and new.split(PROBE, 1)[1].split("?", 1)[0].strip("/"):
            return f"the new URL {new.replace(PROBE, '{id}').split('?')[0]} puts the id in the middle of the path"
        if new is None:
            note = f": {family.manual}" if family.manual else ""
            if url.endswith("/") and "{rest" in family.legacy_path.template and self._completed_later(url, request):
                # `".../crm/private/json/#{type}/getRecords"`: the prefix is known, the module name is not
                return (
                    f"only the base {url} is written here; the module name and the method are appended where it is "
                    f"used, and the new URL depends on them{note}"
                )
            return f"no mechanical v3/v2 equivalent for {_short(url)}{note}"
        xml_body = "the body is XML (XMLString/xmlData); the new API takes JSON"
        names = [n for n in re.findall(r"\{(\w+)\}", new)]
        if names:
            region = self._region_text(request)
            xml = self._may_match(XML_BODY, request) and XML_BODY.search(region)
            where = [f"`{n}=`" for n in names if re.search(rf"[?&]{re.escape(n)}=", region)]
            if where:  # the id is at hand; say so, and name the XML body when that is what blocks
                path = f"the new URL {new} puts {', '.join(names)} in the path (from the {', '.join(where)} query parameter)"
                return f"{xml_body}, and {path}" if xml else path
            body = ", which is XML (XMLString/xmlData; the new API takes JSON)" if xml else ""
            return f"the new URL {new} needs {', '.join(names)} from the request body{body}"
        if family.manual:
            return f"{family.id}: {family.manual}"
        expected = family.oauth_method
        shown = new.replace(PROBE, "{id}").split("?")[0]  # the probe id never reaches a message
        if family.legacy_method and expected and family.legacy_method != expected:
            return f"the HTTP method changes ({family.legacy_method} -> {expected} {shown})"
        if expected and request.method != expected:
            return f"sent as {request.method} but the new call is {expected} {shown} (a read must stay a read)"
        if not expected and family.legacy_method and request.method != family.legacy_method:
            return f"sent as {request.method} where the legacy call is {family.legacy_method}"
        if self._may_match(XML_BODY, request) and XML_BODY.search(self._region_text(request)):
            return xml_body
        for item in self.fix.common.get("query_params") or ():
            if isinstance(item, dict) and item.get("manual") and item.get("product") == resolved.product.name:
                param = re.compile(rf"\b{re.escape(str(item['param']))}\b")
                if self._may_match(param, request) and param.search(self._region_text(request)):
                    return f"`{item['param']}`: {item['manual']}"
        return None

    def _send_blocker(self, request: LegacyRequest, has_credential: bool) -> str | None:
        send = request.send
        if send is None:
            return "no recognised HTTP call sends this request (a wrapper or client the rewriter does not know)"
        idiom = send.idiom
        body = send.text if idiom.mode != "statement" else self._region_text(request)
        if (
            idiom.existing is not None
            and idiom.existing.search(body)
            and idiom.mode != "wrap"
            and (idiom.merge is None or not idiom.merge.search(body))
        ):
            return "the call already passes headers in a form the rewriter cannot extend; add the header by hand"
        return self._await_blocker(request, "this request is not made")

    def _await_blocker(self, request: LegacyRequest, what: str) -> str | None:
        """The helper's value must be awaited (`await zohoAuth.authorization()`): outside an async function that is
        a syntax error in a script, or a module that no longer loads (seen: a CommonJS file's top level)."""
        if self.fix.is_async and not request.scope.is_async:
            return f"the token helper is asynchronous and {what} inside an async function"
        return None

    def _credential_blocker(self, request: LegacyRequest) -> str | None:
        """Every credential of the request must be in a form the rewriter removes, and none unflagged."""
        # a credential line of another request of the file is followed too (that request decides about it)
        flagged = {f.line for f in request.findings if f.category == CREDENTIAL} | self._credential_lines
        for finding in request.findings:
            if finding.category != CREDENTIAL or self._holder(finding):
                continue
            rule = self.rules.get(finding.rule_id)
            param = str((rule.fix or {}).get("param", "")) if rule else ""
            if not param:
                return f"the credential on line {finding.line} has no automatic fix"
            if not self._removable(self.s.line_text(finding.line), param):
                return f"the credential on line {finding.line} travels in a form the rewriter cannot remove"
        travel = self._authtoken_lines
        for line in travel[bisect.bisect_left(travel, request.first_line) : bisect.bisect_right(travel, request.last_line)]:
            if line not in flagged:
                return f"a credential on line {line} is not one the scanner can follow"
        return None

    @cached_property
    def _credential_lines(self) -> set[int]:
        return {f.line for r in self.plan.requests for f in r.findings if f.category == CREDENTIAL}

    @cached_property
    def _authtoken_lines(self) -> list[int]:
        """Lines where an authtoken travels as a parameter (TRAVEL), outside comments: found once per file, as a
        request's lines can span most of it (each request looping over its lines was quadratic). Only lines that
        hold the word can match, so only those are tried."""
        pattern = re.compile(TRAVEL.format(param="authtoken"))
        candidates = sorted({self.s.line_of(m.start()) for m in re.finditer("authtoken", self.s.text, re.I)})
        return [
            line
            for line in candidates
            if pattern.search(text := self.s.line_text(line)) and not _comment_only(text)
        ]

    def _patterns(self, line: str, param: str) -> bool:
        """Does one of the language's removal forms (map entry, one-parameter statement, flag) match the line?"""
        escaped = re.escape(param)
        for key in ("entries", "statements", "flags"):
            for item in self.fix.raw.get(key) or ():
                pattern = str(item["pattern"]) if isinstance(item, dict) else str(item)
                try:
                    if re.search(pattern.replace("{param}", escaped), line + "\n", re.MULTILINE):
                        return True
                except re.error:
                    continue
        return False

    def _removable(self, line: str, param: str) -> bool:
        if self._patterns(line, param):
            return True
        escaped = re.escape(param)
        concat = [re.escape(op) for op in self.fix.concat]
        for m in re.finditer(rf"[?&\"']{escaped}=", line, re.I):
            after = line[m.end() :]
            if not after[:1] or after[:1] in "\"'`":
                rest = after[1:].lstrip()
                # `"?authtoken=" + t` goes; `"authtoken=" . $t` (a body string starting with it) the pass cannot follow
                if after[:1] and concat and line[m.start()] in "?&" and re.match("|".join(concat), rest):
                    return True
                continue
            return True
        return False

    def _org_blocker(self, request: LegacyRequest) -> str | None:
        for url in request.urls:
            resolved = self._resolve(url)
            if resolved is None:
                continue
            param = resolved.product.org.get("param")
            if param and resolved.family.oauth_path is not None and "organization" not in self._region_text(request).lower():
                return f"the v3 API needs `{param}` and this request does not send one"
        return None


FORMAT_SLOT = re.compile(r"%[-#0-9.]*[a-z]|%\(\w+\)[a-z]|\{\d*\}")


def _only_credentials(url: str, definition: str) -> bool:
    """Is every parameter of the query string that follows `url` in `definition` a legacy credential?"""
    m = re.search(re.escape(url) + r"\?(?P<query>[^\"'`\s]*)", definition)
    names = re.findall(r"(?:^|&)(\w+)=", m.group("query")) if m else []
    return bool(names) and all(name.lower() in CREDENTIAL_PARAMS for name in names)


def _short(url: str) -> str:
    return url.split("?", 1)[0]


def _comment_only(line: str) -> bool:
    return line.lstrip().startswith(("#", "//", "*", "/*", "--", "'"))


def group_lines(plan: RequestPlan) -> dict[int, list[LegacyRequest]]:
    """line -> requests whose region holds it (for mapping a place in the file to its requests)."""
    by_line: dict[int, list[LegacyRequest]] = defaultdict(list)
    for request in plan.requests:
        for line in request.lines:
            by_line[line].append(request)
    return by_line
