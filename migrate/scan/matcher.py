"""Applying the rules to one file's text: regex matches filtered by context, comments and line exclusions.

Everything here is per file and pure (text in, findings out), so it runs the same in worker processes and tests.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language, Migrated, Rule
from migrate.scan.comments import CommentMap
from migrate.scan.finding import Finding, fingerprint
from migrate.scan.package import PackageIndex
from migrate.scan.prefilter import Prefilter
from migrate.secrets import mask_text

# `ignore` as a whole word (not "ignored ..."), optionally `[ids]` (a space before the bracket allowed)
ANNOTATION = "TODO(zoho-migrate)"
SUPPRESS = re.compile(r"zoho-migrate:\s*ignore(?![\w-])(?:\s*\[(?P<ids>[^\]]*)\])?", re.IGNORECASE)
URL_CHARS = re.compile(r"[^\s\"'`<>()\\,;{}]*")
ZOHO_URL = re.compile(
    r"(?<![\w.-])[a-z0-9-]+\.zoho(?:cloud)?\.[a-z.]+(?:/[^\s\"'`<>()\\,;{}]*)?", re.IGNORECASE
)
SNIPPET_LIMIT = 240
# NAME = "https://invoice.zoho.com/api/" or a v3 base "https://www.zohoapis.com/invoice/v3/" (any language's syntax).
# The lookbehind only saves time: a name must run to the end of its identifier (what follows it is never a word
# character), so a match starting after a letter implies one starting at that letter, which finditer finds first;
# without it every identifier of length L cost L^2 backtracking steps (a fifth of the scan's matching time)
URL_CONSTANT = re.compile(
    r"""(?<![A-Za-z_$])(?P<name>[A-Za-z_$][\w$]*)["']?\s*(?:=>|:=|[:=]|,)\s*["'`](?P<url>(?:https?://)?[a-z0-9-]+\.zoho(?:cloud|apis)?\.[a-z.]+(?:/[^"'`\s]*)?)["'`]""",
    re.IGNORECASE,
)
# a legacy host whose data-center suffix is filled in at run time: {region}, %s, %(dc)s, {{.DC}}, #{tld}, ${dc}, $dc,
# " + tld + ", " . $dc . ", or appended to a literal that stops after the dot (`BASE_URL = "https://books.zoho."`)
TEMPLATED_HOST = re.compile(
    r"""(?<![\w.-])(?P<stem>[a-z0-9-]+)\.zoho\.(?:\{\{[^}"'`]{0,40}\}\}|\{[^}\s"'`]{0,40}\}|%(?:\(\w+\))?[sd]|[#$]\{[^}\s"'`]{0,40}\}|\$\w+|["'`]\s*(?:\+|\.)\s*[^"'`\n]{1,40}?\s*(?:\+|\.)\s*["'`]|(?=["'`]))(?P<path>/[^\s"'`<>()\\,;{}]*)?""",
    re.IGNORECASE,
)
# names of constants that hold an API base (not a link shown to users)
API_BASE_NAME = re.compile(r"url|uri|base|host|api|endpoint|domain|server|root", re.IGNORECASE)
# the name assigned on the line before a templated host: `BASE_URL = "https://`, `'host': '`, `$this->url = "`
TEMPLATED_ASSIGNMENT = re.compile(r"""(?P<name>[A-Za-z_$][\w$]*)["']?\s*(?:=>|:=|[:=])\s*[@$]?["'`](?:https?://)?$""")
# a string literal that is only a Zoho host (the path is another literal): 'invoice.zoho.com', "https://crm.zoho.eu/"
HOST_LITERAL = re.compile(
    r"""["'`](?P<host>(?:https?://)?[a-z0-9-]+\.zoho(?:cloud)?\.[a-z.]+/?)["'`]""", re.IGNORECASE
)
VERSIONED_PATH = re.compile(r"/v\d+(?:/|$)")
# a string literal that starts with a URL path: '/api/v3/', "/crm/private/json/"
PATH_LITERAL = re.compile(r"""["'`](?P<path>/[A-Za-z0-9_.~%/-]+)""")


def _usages(names: Iterable[str]) -> re.Pattern[str]:
    """Call sites joining one of the constants to a literal tail: `NAME + "x"`, `$NAME . 'x'`, `f"{NAME}x"`, `${NAME}x`."""
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w$])\$?(?P<name>{alternation})\s*(?:\+|\.)\s*[\"'](?P<tail>[^\"']*)|"
        rf"(?:\{{|\$\{{|#\{{)(?P<name2>{alternation})\}}(?P<tail2>[^\"'`\s]*)"
    )


def _comparable(url: str) -> str:
    """A URL without scheme, query and trailing slash, lower-cased, for "same endpoint?" checks."""
    return url.split("://", 1)[-1].split("?", 1)[0].rstrip("/").lower()


def _scopes(scope: str | None) -> list[str]:
    """The scope as a list; none when the URL left a part of its template empty (`ZohoInvoice..READ`)."""
    if not scope or ".." in scope or scope.endswith(".") or "{" in scope:
        return []
    return [scope]


@dataclass
class CompiledRules:
    """A ruleset prepared for matching: the prefilter and the endpoint-map regex, built once per process."""

    ruleset: RuleSet
    prefilter: Prefilter = field(init=False)
    endpoint_regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        keywords: set[str] = set()
        for rule in self.ruleset.rules:
            keywords.update(rule.matcher.keywords)
        for context in self.ruleset.contexts.values():
            keywords.update(context.keywords)
        self.prefilter = Prefilter(keywords)
        self.endpoint_regex = re.compile(self.ruleset.endpoints.detection_pattern(), re.IGNORECASE)
        self._legacy_hosts = {
            host
            for host, (product, _) in self.ruleset.endpoints.host_index.items()
            if product.detect and not product.credential_only
        }
        self.path_prefixes = tuple(
            sorted(
                {
                    family.legacy_path.literal_prefix.lower()[:8]
                    for product in self.ruleset.endpoints.products
                    if product.detect and not product.credential_only
                    for family in product.families
                    if family.legacy_path.literal_prefix
                }
            )
        )

        # products whose OAuth API kept the legacy host (Creator v2 is creator.zoho.com/api/v2/...): a URL under one
        # of their OAuth path prefixes is already migrated, whatever a generic legacy family would say
        self.migrated_prefixes: dict[str, tuple[str, ...]] = {}
        for product in self.ruleset.endpoints.products:
            if product.oauth_host != "same" and product.oauth_host not in product.legacy_hosts:
                continue
            prefixes = tuple(
                {
                    family.oauth_path.literal_prefix.lower()
                    for family in product.families
                    if family.oauth_path is not None and len(family.oauth_path.literal_prefix.strip("/")) > 3
                }
                - {family.legacy_path.literal_prefix.lower() for family in product.families}
            )
            if prefixes:
                for host, (owner, _) in self.ruleset.endpoints.host_index.items():
                    if owner is product:
                        self.migrated_prefixes[host] = prefixes

    @property
    def package_index(self) -> PackageIndex:
        """Folders read for package-level contexts (scan/package.py), cached per process."""
        index = self.__dict__.get("_package_index")
        if index is None:
            extensions = frozenset(
                ext for lang in self.ruleset.languages.values() if lang.kind == "code" for ext in lang.extensions
            )
            index = self.__dict__["_package_index"] = PackageIndex(extensions)
        return index

    def is_legacy_url(self, url: str) -> bool:
        """A legacy endpoint by the map, and not under its product's OAuth path on the same host."""
        if not self.endpoint_regex.search(url):
            return False
        host, _, path = url.split("//")[-1].partition("/")
        prefixes = self.migrated_prefixes.get(host.split(":")[0].lower())
        return not (prefixes and ("/" + path.split("?")[0].lower().rstrip("/") + "/").startswith(prefixes))

    def is_legacy_host(self, url: str) -> bool:
        """Is this bare host (scheme and trailing slash optional) one whose API moved with OAuth?"""
        host = url.split("//")[-1].split("/")[0].split(":")[0].lower()
        return host in self._legacy_hosts


@dataclass
class FileResult:
    """What matching one file produced."""

    findings: list[Finding]
    suppressed: int = 0
    suppressed_findings: list[Finding] = field(default_factory=list)  # kept for SARIF's in-source suppressions


class _Lines:
    """Offset -> (line, column) and line text, computed once per file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._last: tuple[int, str] = (0, "")  # one-line bundles: every match asks for the same (huge) line

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def line_text(self, line: int) -> str:
        if self._last[0] == line:
            return self._last[1]
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        text = self.text[start:end].rstrip("\r")
        self._last = (line, text)
        return text


class FileMatcher:
    """Matches all applicable rules against one decoded file."""

    def __init__(
        self,
        compiled: CompiledRules,
        text: str,
        language: Language,
        path: str,
        found: set[str],
        gitignored: bool = False,
        source: Path | None = None,
    ) -> None:
        self.compiled = compiled
        self.ruleset = compiled.ruleset
        if ANNOTATION in text:  # the rewriter's own notes neither match nor give the file a Zoho context
            notes = "\n".join(re.findall(r"[^\n]*TODO\(zoho-migrate\)[^\n]*", text)).lower()
            text = _blank_annotations(text)
            lowered = text.lower()
            found = {k for k in found if k.lower() not in notes or k.lower() in lowered}
        self.text = text
        self.language = language
        self.path = path
        self.found = found
        self.gitignored = gitignored
        self.source = source  # the file on disk, for package-level contexts (None: the text alone decides)
        self._deferred: set[str] = set()  # package contexts to confirm once a rule of theirs matches
        self._package_answers: dict[str, bool] = {}
        self.lines = _Lines(text)
        self.comments = CommentMap(text, language)
        self._file_regex_cache: dict[str, bool] = {}
        self._masked: dict[str, str] = {}
        self._header_cache: dict[int, list[str]] = {}
        self._resolved: dict[str, tuple[str, list[str]] | None] = {}
        self._excluded: dict[tuple[str, int], bool] = {}

    # conditions -------------------------------------------------------------------------------------------------
    def _context_ok(self, name: str) -> bool:
        if name == "any":
            return True
        # called unbound by the plan's probe too (plan.py), which has only ruleset, language, found and path
        if FileMatcher._keyword_context(self, name):
            return True
        # a package context is confirmed only when a rule of it matches (reading the folder costs I/O); the probe
        # has no `_defer_package` and answers "maybe" (AttributeError), as it must
        return self.ruleset.contexts[name].package and self._defer_package(name)

    def _defer_package(self, name: str) -> bool:
        if self.source is None:
            return False
        self._deferred.add(name)
        return True

    def _package_ok(self, name: str) -> bool:
        """Is the deferred package context `name` true: a related file of the package is in it by keywords?"""
        answer = self._package_answers.get(name)
        if answer is None:
            assert self.source is not None
            keywords = self.ruleset.contexts[name].keywords
            answer = self.compiled.package_index.related_in_context(self.source, self.text, keywords)
            self._package_answers[name] = answer
        return answer

    def _package_possible(self, name: str) -> bool:
        """Can the deferred package context `name` hold at all (some related-looking file has its keywords)?

        Asked before running a rule's regexes: in a big package that never mentions Zoho (an era framework next to
        a legacy client) the regexes of a package-context rule would otherwise run over every file with a common
        keyword (`.fl`, `'row'`) only for each match to be dropped.
        """
        if name in self._package_answers:
            return self._package_answers[name]
        assert self.source is not None
        if self.compiled.package_index.any_in_context(self.source, self.ruleset.contexts[name].keywords):
            return True
        self._package_answers[name] = False
        return False

    def _keyword_context(self, name: str) -> bool:
        """The context by the file's own keywords, language and name only (never deferred to the package)."""
        context = self.ruleset.contexts[name]
        if self.language.name in context.languages or any(k in self.found for k in context.keywords):
            return True
        # the file's name and folder count too: `.zoho/credentials`, `zoho.ini`, `zoho_crm/client.py` are about
        # Zoho (only the last two parts: a checkout folder named `zoho-tools` says nothing about each file)
        path = "/".join(self.path.lower().replace("\\", "/").split("/")[-2:])
        if any(k in path for k in context.path_not):
            return False
        return any(k in path for k in context.keywords)

    def _search(self, regex: re.Pattern[str]) -> bool:
        key = regex.pattern
        if key not in self._file_regex_cache:
            self._file_regex_cache[key] = regex.search(self.text) is not None
        return self._file_regex_cache[key]

    def _file_regex_ok(self, rule: Rule) -> bool:
        """`file_regex`: the file must match one of them; `not_file_regex`: it must match none."""
        matcher = rule.matcher
        if matcher.file_regexes and not any(self._search(r) for r in matcher.file_regexes):
            return False
        return not any(self._search(r) for r in matcher.not_file_regexes)

    def applicable(self, rule: Rule) -> bool:
        if self.gitignored and rule.category != "hardcoded-secret":
            return False
        if not rule.applies_to(self.language.name, self.language.kind):
            return False
        if not any(k in self.found for k in rule.matcher.keywords):
            return False
        if rule.matcher.own_package and _inside_package(self.path, rule.matcher.own_package):
            return False
        return self._context_ok(rule.matcher.context) and self._file_regex_ok(rule)

    # matching ---------------------------------------------------------------------------------------------------
    def run(self) -> FileResult:
        findings: list[Finding] = []
        suppressed: list[Finding] = []
        seen: set[tuple[str, int]] = set()
        occurrences: dict[tuple[str, str], int] = {}
        for rule in self.ruleset.rules:
            if not self.applicable(rule):
                continue
            regexes = (self.compiled.endpoint_regex,) if rule.matcher.endpoints else rule.matcher.regexes
            context = rule.matcher.context
            if context in self._deferred and not self._package_possible(context):
                continue  # no file of the package is in the context: a match would be dropped anyway
            names = self._sent_names(rule) if rule.matcher.names_from else None
            if names is not None and not names:
                continue
            for regex in regexes:
                for match in regex.finditer(self.text):
                    if rule.matcher.endpoints and self._already_migrated(match):
                        continue
                    if names is not None and match.group("name") not in names:
                        continue
                    if context in self._deferred and not self._package_ok(context):
                        break  # a package context (scan/package.py) that no related file confirms
                    finding = self._finding(rule, match, seen, occurrences)
                    if finding is None:
                        continue
                    (suppressed if self._suppressed(rule, finding.line) else findings).append(finding)
        for rule in self.ruleset.rules:
            if rule.matcher.endpoints and self.applicable(rule):
                for finding in self._concatenated_endpoints(rule, seen, occurrences):
                    (suppressed if self._suppressed(rule, finding.line) else findings).append(finding)
        findings.sort(key=lambda f: f.sort_key)
        return FileResult(findings, len(suppressed), suppressed)

    def _sent_names(self, rule: Rule) -> frozenset[str]:
        """`names_from`: the names the file's code (not its comments) hands to a legacy call.

        One pass per regex over the file; the rule's own regex then keeps only definitions of those names, so a
        placeholder `private $access_token = "..."` is found because the file sends it as an authtoken, whatever it
        is called (a lookahead from each definition to its use would rescan the file once per definition)."""
        names = set()
        for regex in rule.matcher.names_from:
            for match in regex.finditer(self.text):
                if match.group("name") and not self.comments.contains(match.start()):
                    names.add(match.group("name"))
        return frozenset(names)

    def _excluded_line(self, rule: Rule, line: int, line_text: str) -> bool:
        """`not_line` looks at the line, and in config files also at the headers the line sits under.

        `api_key = ...` under `[google]`, `authToken:` under `twilio:` or inside `"stripe": {` belong to that
        vendor: the section or parent key says so, not the line.
        """
        texts = [line_text]
        if self.language.kind == "config":
            texts.extend(self._headers(line))
        return any(regex.search(text) for regex in rule.matcher.not_line for text in texts)

    def _under(self, rule: Rule, line: int) -> bool:
        """`under`: a config line whose section or parent key names the owner (`auth:` under `zoho:`).

        The nearest two headers count: settings are often grouped per product below the owner
        (`zoho:` / `crm:` / `token: ...`); farther up is another part of the file.
        """
        if self.language.kind != "config":
            return False
        return any(regex.search(header) for header in self._headers(line)[:2] for regex in rule.matcher.under)

    def _headers(self, line: int) -> list[str]:
        """The INI section and the less-indented parent keys above a config line (nearest first, at most 4)."""
        if line in self._header_cache:
            return self._header_cache[line]
        headers: list[str] = []
        text = self.lines.line_text(line)
        indent = len(text) - len(text.lstrip())
        for number in range(line - 1, max(0, line - 400), -1):
            candidate = self.lines.line_text(number)
            stripped = candidate.strip()
            if not stripped or stripped.startswith(("#", ";", "//", "!")):
                continue
            if stripped.startswith("[") and stripped.endswith("]"):
                headers.append(stripped)  # an INI section ends the search
                break
            own = len(candidate) - len(candidate.lstrip())
            if own < indent:
                headers.append(stripped)
                indent = own
                if own == 0 or len(headers) >= 4:
                    break
        self._header_cache[line] = headers
        return headers

    def _already_migrated(self, match: re.Match[str]) -> bool:
        """Is this legacy-looking URL really on the product's OAuth API (same host, OAuth path prefix)?"""
        tail = URL_CHARS.match(self.text, match.end())
        return not self.compiled.is_legacy_url(match.group(0) + (tail.group(0) if tail else ""))

    def _concatenated_endpoints(
        self, rule: Rule, seen: set[tuple[str, int]], occurrences: dict[tuple[str, str], int]
    ) -> list[Finding]:
        """Legacy URLs that no single literal spells out, resolved through the endpoint map.

        Three shapes that real authtoken-era clients use (see docs/VALIDATION.md):
        - a base constant plus a tail at the call site: `BASE + "items/"`, `f"{BASE}items/"`, `"#{BASE}items/"`;
        - a host with a templated data-center suffix: `"https://crm.zoho.{region}/crm/private/json"`,
          `"crm.zoho.#{region}"`, `'crm.zoho.%s/...'`;
        - host and path as separate literals: `host: 'invoice.zoho.com'` ... `path: '/api/v3/' + endpoint`.
        """
        findings: list[Finding] = []

        def add(match: re.Match[str], url: str) -> None:
            resolved = self.ruleset.endpoints.match(url)
            finding = self._finding(rule, match, seen, occurrences)
            if finding is not None:
                if resolved is not None:
                    finding.product = resolved.product.name
                    finding.scopes = _scopes(resolved.scope)
                findings.append(finding)

        constants = {}
        migrated: dict[str, str] = {}  # v3 base constants: a legacy-only tail joined to them is half migrated
        bare: list[re.Match[str]] = []  # NAME = 'https://invoice.zoho.com': paths appended elsewhere
        joined_ok: set[str] = set()  # constants this file joins to a path that is not legacy (crm.zoho.com/crm/v2)
        # a bare legacy host constant whatever its name (`CREATOR = 'https://creator.zoho.com'`): its definition is an
        # API base when every path this file joins to it is legacy (`${CREATOR}/api/json/...`)
        host_defs: dict[str, re.Match[str]] = {}
        host_legacy: dict[str, str] = {}
        for m in URL_CONSTANT.finditer(self.text):
            url = m.group("url")
            if self.compiled.is_legacy_url(url) or self.compiled.is_legacy_host(url):
                constants[m.group("name").lstrip("$")] = url
                if self.compiled.is_legacy_host(url) and "/" not in url.split("//")[-1].rstrip("/"):
                    bare.append(m)
                    host_defs.setdefault(m.group("name").lstrip("$"), m)
            elif self.ruleset.endpoints.legacy_candidates(url.rstrip("/") + "/"):
                migrated[m.group("name").lstrip("$")] = url
        bases = {**migrated, **constants}
        # a client already on OAuth whose base merely moved: each use of the base would repeat the notice its
        # definition gives (`self.url + "contacts"` on every call)
        moved_only = rule.migrated is not None and self._already_oauth(rule.migrated)
        if bases:
            # one pass for all constants (a minified bundle can hold hundreds): cost stays linear in the text
            for m in _usages(bases).finditer(self.text):
                name = m.group("name") or m.group("name2")
                tail = m.group("tail") if m.group("tail") is not None else m.group("tail2")
                if not tail or tail[:1] in "?&#":
                    continue  # only a query joined (`url + "?" + qs`): the base's own definition is the finding
                url = bases[name].rstrip("/") + "/" + tail.lstrip("/")
                if name in constants:
                    if self.compiled.is_legacy_url(url):
                        if not moved_only:  # (an OAuth client's moved base: its definition is the one notice)
                            add(m, url)
                        if name in host_defs:
                            host_legacy.setdefault(name, url)
                    else:
                        joined_ok.add(name)
                else:
                    legacy = self._legacy_only(url)
                    if legacy is not None:
                        add(m, legacy)
        for name, legacy in host_legacy.items():
            if name not in joined_ok:
                add(host_defs[name], legacy)
        for m in self._bare_host_constants(bare, joined_ok):
            add(m, m.group("url"))
        for m in TEMPLATED_HOST.finditer(self.text):
            url = f"{m.group('stem')}.zoho.com{m.group('path') or ''}"
            if self.compiled.is_legacy_url(url) if m.group("path") else self._templated_base(m, url):
                add(m, url)
        hosts: dict[str, list[re.Match[str]]] = {}
        for m in HOST_LITERAL.finditer(self.text):
            if self.compiled.is_legacy_host(m.group("host")):
                hosts.setdefault(m.group("host").split("//")[-1].rstrip("/").lower(), []).append(m)
        if hosts:
            # only paths that start like some legacy family, each distinct host/path pair tried once: a big
            # generated file with thousands of literals stays linear in its size
            prefixes = self.compiled.path_prefixes
            paths: dict[str, list[re.Match[str]]] = {}
            for m in PATH_LITERAL.finditer(self.text):
                if m.group("path").lower().startswith(prefixes):
                    paths.setdefault(m.group("path"), []).append(m)
            legacy_hosts: dict[str, str] = {}
            for host in hosts:
                for path, path_matches in paths.items():
                    url = host + path
                    if self.compiled.is_legacy_url(url):
                        legacy_hosts.setdefault(host, url)
                        for m in path_matches:
                            add(m, url)
                        path_matches.clear()  # reported once, whichever host it pairs with
            for host, url in legacy_hosts.items():
                for m in hosts[host]:
                    add(m, url)
        return findings

    def _bare_host_constants(self, bare: list[re.Match[str]], joined_ok: set[str]) -> list[re.Match[str]]:
        """Constants that name only a legacy host (`URL = 'https://invoice.zoho.com'`), for an API base.

        Their paths are appended in another method or file, so no tail is seen here; the constant itself is what a
        migrator changes. Kept out: names that are not API bases (`SIGNUP_LINK`), and constants this file joins to
        a path that is not legacy (`CRM + "/crm/v2/Leads"`: that host still serves the call).
        """
        kept = [m for m in bare if API_BASE_NAME.search(m.group("name")) and m.group("name").lstrip("$") not in joined_ok]
        if not kept:
            return []
        # a versioned path literal that is not legacy on that host (`'/crm/v2/Leads'`): the file uses a current API
        current = [p.group("path") for p in PATH_LITERAL.finditer(self.text) if VERSIONED_PATH.search(p.group("path"))]
        return [
            m
            for m in kept
            if not any(not self.compiled.is_legacy_url(m.group("url").rstrip("/") + path) for path in current)
        ]

    def _templated_base(self, match: re.Match[str], url: str) -> bool:
        """`BASE_URL = "https://invoice.zoho.%s"`: a legacy host with a templated data center, kept as an API base."""
        if not self.compiled.is_legacy_host(url):
            return False
        line_start = self.text.rfind("\n", 0, match.start()) + 1
        before = self.text[line_start : match.start()]
        assignment = TEMPLATED_ASSIGNMENT.search(before)
        return assignment is not None and API_BASE_NAME.search(assignment.group("name")) is not None

    def _legacy_only(self, v3_url: str) -> str | None:
        """The legacy URL behind `v3_url` when its real v3 equivalent is another path (so `v3_url` is wrong)."""
        wanted = _comparable(v3_url)
        for legacy in self.ruleset.endpoints.legacy_candidates(v3_url):
            resolved = self.ruleset.endpoints.match(legacy)
            if resolved is None:
                continue
            oauth = resolved.oauth_url()
            if oauth is None or _comparable(oauth) != wanted:
                return legacy
        return None

    def _finding(
        self,
        rule: Rule,
        match: re.Match[str],
        seen: set[tuple[str, int]],
        occurrences: dict[tuple[str, str], int],
    ) -> Finding | None:
        start = (
            match.start("secret")
            if "secret" in match.re.groupindex and match.group("secret")
            else match.start()
        )
        # a regex may consume the delimiter before its word (`(?:^|\s)authtoken`): report the word's line
        while start < match.end() - 1 and self.text[start] in " \t\r\n":
            start += 1
        line, column = self.lines.position(start)
        if (rule.id, line) in seen:
            return None
        line_text = self.lines.line_text(line)
        if rule.matcher.not_line:
            # per rule and line, not per match: a rule excluded on a 50 MB minified line would search it again
            # for every match on it
            key = (rule.id, line)
            if key not in self._excluded:
                self._excluded[key] = self._excluded_line(rule, line, line_text)
            if self._excluded[key]:
                return None
        if not rule.matcher.in_comments and self.comments.contains(start):
            return None
        if rule.matcher.only_comments and not self.comments.contains(start):
            return None
        if rule.matcher.under and not self._under(rule, line):
            return None
        seen.add((rule.id, line))
        end_line, end_column = self.lines.position(max(match.end(), start + 1))
        product, scopes = self._endpoint_info(line_text, match if rule.matcher.endpoints else None)
        normalized = _normalized(line_text)
        # keyed by the line's digest, not its text: a file of huge lines would keep a copy of each per rule
        key = (rule.id, hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest())
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        severity, message = self._severity(rule)
        return Finding(
            rule_id=rule.id,
            severity=severity,
            category=rule.category,
            path=self.path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
            snippet=self.mask(_head(line_text)),
            fingerprint=fingerprint(rule.id, self.path, line_text, occurrence, normalized=normalized),
            product=product,
            scopes=scopes,
            gitignored=self.gitignored,
        )

    def _severity(self, rule: Rule) -> tuple[str, str]:
        """The rule's severity and message, or its `migrated` ones when the file already uses OAuth.

        A file that sends `Zoho-oauthtoken` but calls `invoice.zoho.com/api/v3` works today; the host merely moved,
        so that is a notice, not a CI failure. Docs findings are always `info`.
        """
        severity, message = rule.severity, rule.message
        if rule.migrated is not None and self._already_oauth(rule.migrated):
            severity, message = rule.migrated.severity, rule.migrated.message
        if self.language.kind == "docs":
            severity = "info"
        return severity, message

    def _already_oauth(self, migrated: Migrated) -> bool:
        """Is this file in the rule's `migrated` context (it sends Zoho-oauthtoken and no legacy credential)?"""
        return self._keyword_context(migrated.context) and not (migrated.unless and self._keyword_context(migrated.unless))

    def mask(self, text: str) -> str:
        # several rules often flag the same line: mask each distinct line once
        masked = self._masked.get(text)
        if masked is None:
            masked = self._masked[text] = mask_text(text, self.ruleset.scan.secret_patterns)
        return masked

    def _endpoint_info(self, line_text: str, match: re.Match[str] | None) -> tuple[str | None, list[str]]:
        """Product and scopes from the Zoho URL on this line (the matched one first), if any."""
        candidates = []
        if match is not None:
            tail = URL_CHARS.match(self.text, match.end())
            candidates.append(match.group(0) + (tail.group(0) if tail else ""))
        candidates.extend(m.group(0) for m in ZOHO_URL.finditer(line_text))
        for url in candidates:
            if url not in self._resolved:
                resolved = self.ruleset.endpoints.match(url)
                self._resolved[url] = (resolved.product.name, _scopes(resolved.scope)) if resolved else None
            info = self._resolved[url]
            if info is not None:
                return info[0], list(info[1])
        return None, []

    def _suppressed(self, rule: Rule, line: int) -> bool:
        for candidate in (line, line - 1):
            if candidate < 1:
                continue
            for m in SUPPRESS.finditer(self.lines.line_text(candidate)):  # every directive on the line counts
                ids = m.group("ids")
                if ids is None or rule.id in {i.strip() for i in ids.split(",")}:
                    return True
        return False


_SPACES = re.compile(r"\s+")
_NON_SPACE = re.compile(r"\S")


def _inside_package(path: str, packages: tuple[str, ...]) -> bool:
    """Is the file in the folders of one of these dotted packages (`mfabrik.zoho` -> `.../mfabrik/zoho/...`)?

    By the path alone, so an in-memory re-scan (the rewriter's) answers as the scan of the file on disk did.
    """
    folders = "/" + "/".join(path.replace("\\", "/").split("/")[:-1]) + "/"
    return any(f"/{package.replace('.', '/')}/" in folders for package in packages)


def _head(line: str) -> str:
    """`line.strip()[:SNIPPET_LIMIT]` without copying all of a huge line."""
    text = line.lstrip()
    if len(text) > SNIPPET_LIMIT and _NON_SPACE.search(text, SNIPPET_LIMIT):
        return text[:SNIPPET_LIMIT]
    return text.rstrip()[:SNIPPET_LIMIT]


def _normalized(line: str) -> str:
    """`" ".join(line.split())` (the same whitespace: `\\s` and str.split both use str.isspace), without a list
    of every word of the line (for a 50 MB minified line, hundreds of MB)."""
    return _SPACES.sub(" ", line).strip()


def _blank_annotations(text: str) -> str:
    """`TODO(zoho-migrate): ...` comment lines as spaces (same length: offsets and line numbers stay)."""
    return re.sub(r"[^\n]*TODO\(zoho-migrate\)[^\n]*", lambda m: " " * len(m.group(0)), text)
