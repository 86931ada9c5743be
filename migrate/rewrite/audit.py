"""The audit: after the passes, check every request of the rewritten text as a whole (reusable by tests).

Invariants, per request (a function's text from one send call to the next, or the lines a wrapper call builds):
a new v3/v2 URL never travels with a legacy credential; it carries the OAuth header (the helper's
authorization call, a `Zoho-oauthtoken` value, or a Deluge connection) and the organization id where the product
needs one; no OAuth header is added to a request that sends an accounts/login URL; and no HTTP method marker of
the file changed. A violation names the rewritten line; the engine withholds that request and rewrites again.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from migrate.requests.build import CREDENTIAL_PARAM, TRAVEL, ZOHO_URL
from migrate.requests.idioms import Idioms, idioms
from migrate.requests.structure import Scope, Structure
from migrate.rewrite.fixdata import FixData
from migrate.ruleset import RuleSet
from migrate.ruleset.model import Language
from migrate.scan.comments import marker_spans

CREDENTIALS = ("authtoken", "apikey", "ticket")


@dataclass(frozen=True)
class Violation:
    """One broken invariant: the line of the rewritten text (0: the whole file) and what is wrong."""

    line: int
    reason: str


def audit(original: str, rewritten: str, language: Language, ruleset: RuleSet, data: FixData) -> list[Violation]:
    """Violations of the whole-request invariants in `rewritten` (the passes' result for `original`)."""
    if original == rewritten or language.kind == "config":
        return []
    fix = idioms(ruleset, language.name)
    fixes = data.language(language.name)
    if not fix.known or fixes is None:
        return []
    structure = Structure(rewritten, language, fix)
    marker = _auth_marker(data, fixes) if not fix.connection else None
    org_marker = _org_marker(data, fixes) if not fix.connection else None
    found: list[Violation] = []
    scheme = str(data.oauth.get("header_scheme", "Zoho-oauthtoken"))
    original_urls = _code_urls(original, language)
    rewritten_urls = _code_urls(structure.text, language)  # once: both checks below walk the same list
    old_urls = Counter(url for _, url in original_urls)
    for url_line, url in _new_urls(rewritten_urls, old_urls):
        resolved = ruleset.endpoints.match(url) or ruleset.endpoints.match(url.rstrip("/") + "/x")
        for line in _uses(structure, fix, url_line):
            found.extend(_check_request(structure, fix, ruleset, marker, org_marker, line, url, resolved))
    found.extend(
        _kept_url_checks(original, original_urls, rewritten_urls, structure, language, fix, marker, scheme, old_urls)
    )
    for line in _new_scheme_lines(original, structure, language, scheme):
        found.append(Violation(line, f"a `{scheme}` value was written by hand, not from the token helper"))
    if marker:
        for line in _new_marker_lines(original, structure, marker):
            region = _request_text(structure, line, callers=True)
            if fix.accounts_url.search(region):
                found.append(Violation(line, "the OAuth header was added to code that also sends an accounts/login URL"))
    if _methods(original, fix) != _methods(rewritten, fix):
        found.append(Violation(0, "an HTTP method changed"))
    return found


def _uses(structure: Structure, fix: Idioms, line: int) -> list[int]:
    """The request lines a URL on `line` reaches: the line itself, or where a constant holding it is used."""
    pattern = fix.assignment
    m = pattern.match(structure.text, structure.offset_of_line(line)) if pattern is not None else None
    if m is None or any(send.line == line for send in structure.sends):
        return [line]  # not a definition: `r1 = requests.post(URL)` is the request itself
    scope = structure.scope_of(line)
    first, last = (1, structure.line_count) if scope.module else (scope.start_line, scope.end_line)
    start, end = structure.lines_span(first, last)
    # the text's word index (one pass): a regex per constant over its scope cost a pass over the whole file per
    # module-level constant (n constants: n^2)
    offsets = structure.words.get(m.group("name"), [])
    uses = {structure.line_of(o) for o in offsets[bisect.bisect_left(offsets, start) : bisect.bisect_left(offsets, end)]}
    uses.discard(line)
    return sorted(uses) or [line]  # a constant no request uses is checked where it stands


def _check_request(
    structure: Structure, fix: Idioms, ruleset: RuleSet, marker: str | None, org_marker: str | None, line: int,
    url: str, resolved,  # noqa: ANN001
) -> list[Violation]:
    """The invariants of the one request `line` belongs to, for the new `url` it sends."""
    region = _request_text(structure, line)
    if _credential(region):
        return [Violation(line, f"the new URL {url} is sent with a legacy credential")]
    if fix.connection:
        return []
    if marker and marker not in region and "Zoho-oauthtoken" not in region:
        return [Violation(line, f"the new URL {url} is sent without the OAuth Authorization header")]
    product = _product(ruleset, url, resolved)
    org = product.org if product is not None else {}
    lowered = region.lower()
    if org.get("header") and not (
        (org_marker and org_marker in region) or str(org["header"]).lower() in lowered or "organization" in lowered
    ):
        return [Violation(line, f"the new URL {url} is sent without the organization id")]
    return []


def _new_urls(rewritten_urls: list[tuple[int, str]], old: Counter[str]) -> list[tuple[int, str]]:
    """(line, URL) of Zoho API URLs the rewrite wrote (more of them in code than the original had)."""
    seen: Counter[str] = Counter()
    result = []
    for line, url in rewritten_urls:
        seen[url] += 1
        if seen[url] > old.get(url, 0) and re.search(r"zohoapis\.|/v[23]/", url, re.I):
            result.append((line, url))
    return result


def _kept_url_checks(
    original: str, original_urls: list[tuple[int, str]], rewritten_urls: list[tuple[int, str]], structure: Structure,
    language: Language, fix: Idioms, marker: str | None, scheme: str, old_urls: Counter[str],
) -> list[Violation]:
    """A request whose URL did not move must not lose its credential without gaining the OAuth header (it would
    send no credential at all). The k-th occurrence of a kept URL is compared with the k-th one of the original;
    the original is parsed only when a kept request carries neither."""
    if fix.connection:
        return []
    found = []
    seen: Counter[str] = Counter()
    before: Structure | None = None
    before_lines: dict[str, list[int]] = {}
    for line, url in rewritten_urls:
        seen[url] += 1
        if seen[url] > old_urls.get(url, 0) or fix.accounts_url.search(url):
            continue  # new (checked above) or an accounts URL (no OAuth header belongs there)
        region = _request_text(structure, line)
        if _credential(region) or scheme.lower() in region.lower() or (marker and marker in region):
            continue
        if before is None:
            before = Structure(original, language, fix)
            for number, old in original_urls:
                before_lines.setdefault(old, []).append(number)
        old_line = before_lines.get(url, [])[seen[url] - 1]
        if _credential(_request_text(before, old_line)):
            found.append(Violation(line, f"the credential of the request to {url.split('?')[0]} was removed but its URL did not move and it got no OAuth header"))
    return found


def _code_urls(text: str, language: Language) -> list[tuple[int, str]]:
    """(line, URL) of the Zoho URLs of code lines: a URL named in a comment (a manual step's TODO, a note) is not
    sent, so it neither counts as new nor hides a new one (a URL a first run's TODO names is audited in the next)."""
    found = []
    comments = _comment_lines(text, language)
    for number, raw in enumerate(text.split("\n"), 1):
        if "TODO(zoho-migrate)" in raw or number in comments:
            continue
        found.extend((number, m.group(0)) for m in ZOHO_URL.finditer(raw))
    return found


def _request_text(structure: Structure, line: int, callers: bool = False) -> str:
    """The text of the request `line` belongs to, with the body of a wrapper function it calls (and, for a
    function that sends, the lines of this file that call it)."""
    scope = structure.scope_of(line)
    send = structure.send_for(line, scope)
    first, last = structure.region(send, scope, [line])
    parts = [structure.lines_text(first, last), structure.called_bodies(first, last), _argument_definitions(structure, line)]
    for name in re.findall(r"([A-Za-z_]\w*)\s*\(", structure.line_text(line)):
        wrapper = structure.function_named(name)
        if wrapper is not None and not wrapper.contains(line) and structure.sends_in(wrapper):
            parts.append(structure.lines_text(wrapper.start_line, wrapper.end_line))
    if callers and scope.name and not scope.module:
        parts.extend(_caller_text(structure, scope, call) for call in structure.calls_to(scope.name, scope))
    return "\n".join(parts)


DEFINITION_LINES = 20  # how far a definition (`headers = {...}` over several lines) is followed


def _argument_definitions(structure: Structure, line: int) -> str:
    """The definitions, earlier in the same function, of the names `line` passes on (`self._send(url, headers)`):
    the project's own wrapper sends them, so the header they hold belongs to this request."""
    pattern = structure.idioms.assignment
    scope = structure.scope_of(line)
    if pattern is None or scope.module:
        return ""
    names = set(re.findall(r"\w+", structure.line_text(line)))
    parts = []
    for number in range(max(scope.start_line, line - 2 * DEFINITION_LINES), line):
        m = pattern.match(structure.line_text(number))
        if m is None or m.group("name") not in names:
            continue
        last, depth = number, 0
        while last < line:
            text = structure.line_text(last)
            depth += sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")
            if depth <= 0 or last - number >= DEFINITION_LINES:
                break
            last += 1
        parts.append(structure.lines_text(number, last))
    return "\n".join(parts)


def _caller_text(structure: Structure, scope: Scope, line: int) -> str:
    caller = structure.scope_of(line)
    return structure.lines_text(max(caller.start_line, line - 20), line)


def _credential(region: str) -> bool:
    for raw in region.split("\n"):
        stripped = raw.lstrip()
        if stripped.startswith(("#", "//", "*", "/*")) or "TODO(zoho-migrate)" in raw:
            continue
        if any(re.search(TRAVEL.format(param=p), raw) for p in CREDENTIALS):
            return True
    return False


def _auth_marker(data: FixData, fixes) -> str | None:  # noqa: ANN001 - LanguageFixes
    try:
        rendered = str(data.snippets(fixes).authorization())
    except Exception:  # noqa: BLE001 - no snippet: nothing to look for
        return None
    m = re.search(r"[A-Za-z_][\w.]*[Aa]uthorization", rendered)
    return m.group(0) if m else rendered.strip() or None


def _org_marker(data: FixData, fixes) -> str | None:  # noqa: ANN001 - LanguageFixes
    try:
        rendered = str(data.snippets(fixes).organization_id())
    except Exception:  # noqa: BLE001
        return None
    m = re.search(r"[A-Za-z_][\w.]*[Oo]rganization_?[Ii][Dd]", rendered)
    return m.group(0) if m else None


def _new_scheme_lines(original: str, structure: Structure, language: Language, scheme: str) -> list[int]:
    """Lines of code (not a TODO) holding the OAuth scheme literally, when the rewrite added one: the helper gives
    that value, so a literal one is a scheme swapped onto a token that is still an authtoken (a request whose URL
    did not move is checked too)."""
    def code_lines(text: str) -> list[int]:
        lines = []
        comments = _comment_lines(text, language)
        for number, raw in enumerate(text.split("\n"), 1):
            if scheme.lower() in raw.lower() and "TODO(zoho-migrate)" not in raw and number not in comments:
                lines.append(number)
        return lines

    after = code_lines(structure.text)
    return after if len(after) > len(code_lines(original)) else []


@lru_cache(maxsize=8)
def _comment_lines(text: str, language: Language) -> frozenset[int]:
    """Lines whose first non-blank character is inside a comment, by the language's own line and block markers (a
    `#` line is code in JavaScript, a `*` line is code outside a block comment). Remembered for the few texts one
    audit asks about (the original and the rewrite, each asked for its URLs and for its scheme lines)."""
    spans = marker_spans(text, language.line_comments, language.block_comments)
    if not spans:
        return frozenset()
    lines: set[int] = set()
    span_index = 0
    offset = 0
    for number, raw in enumerate(text.split("\n"), 1):
        first = offset + len(raw) - len(raw.lstrip())
        while span_index < len(spans) and spans[span_index][1] <= first:
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= first < spans[span_index][1] and raw.strip():
            lines.add(number)
        offset += len(raw) + 1
    return frozenset(lines)


def _new_marker_lines(original: str, structure: Structure, marker: str) -> list[int]:
    before = original.count(marker)
    lines = [structure.line_of(m.start()) for m in re.finditer(re.escape(marker), structure.text)]
    return lines if len(lines) > before else []


def _product(ruleset: RuleSet, url: str, resolved):  # noqa: ANN001, ANN202
    if resolved is not None:
        return resolved.product
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "/" in url.split("://", 1)[-1] else "/"
    for product in ruleset.endpoints.products:
        for family in product.families:
            if family.oauth_path is None or product.oauth_host == "same":
                continue
            prefix = family.oauth_path.template.split("{", 1)[0].rstrip("/")
            if prefix and path.startswith(prefix) and ("zohoapis" in host):
                return product
    return None


def _methods(text: str, fix: Idioms) -> Counter[str]:
    """How many times each writing-method marker occurs (a flag carrying only a credential does not count)."""
    counts: Counter[str] = Counter()
    for method, pattern in fix.methods.items():
        for m in pattern.finditer(text):
            after = text[m.end() : m.end() + 40].lstrip(" \t\"'=")
            if not CREDENTIAL_PARAM.match(after):
                counts[method] += 1
    return counts
