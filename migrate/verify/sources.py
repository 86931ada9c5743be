"""Where calls come from: a calls file (YAML, DESIGN.md), a scan's JSON output (`--from-scan`), a HAR file.

Every source strips credentials (URL parameters, form fields, headers) as it reads: calls hold no secrets, the
verifier adds the ones it was given. Bad input is a ConfigError naming the file (and line when known).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from migrate.errors import ConfigError, MigrateError
from migrate.ruleset import RuleSet
from migrate.ruleset.yamlload import line_of, load_yaml
from migrate.verify.config import VerifyConfig
from migrate.verify.model import Call, Endpoint
from migrate.verify.urls import strip_credentials, strip_pairs

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {what}: {error}", path=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{what} is not valid JSON: {error.msg}", path=str(path), line=error.lineno) from None


def _pairs(raw: Any, what: str, path: Path, line: int) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"`{what}` must be a mapping", path=str(path), line=line)
    return tuple((str(k), "" if v is None else str(v)) for k, v in raw.items())


def _endpoint(raw: Any, side: str, path: Path, line: int, config: VerifyConfig) -> Endpoint:
    if not isinstance(raw, dict):
        raise ConfigError(f"`{side}` must be a mapping with `url` (and optional `method`)", path=str(path),
                          line=line)
    line = line_of(raw, line)
    url = raw.get("url")
    if not isinstance(url, str) or "://" not in url:
        raise ConfigError(f"`{side}.url` must be an absolute URL", path=str(path), line=line)
    method = str(raw.get("method") or "GET").upper()
    if method not in _METHODS:
        raise ConfigError(f"`{side}.method` {method!r} is not an HTTP method", path=str(path), line=line)
    unknown = set(raw) - {"method", "url", "headers", "form"}
    if unknown:
        raise ConfigError(f"`{side}`: unknown keys: {', '.join(sorted(unknown))}", path=str(path), line=line)
    return Endpoint(
        method=method,
        url=strip_credentials(url, config),
        headers=strip_pairs(_pairs(raw.get("headers"), f"{side}.headers", path, line), config, headers=True),
        form=strip_pairs(_pairs(raw.get("form"), f"{side}.form", path, line), config),
    )


def load_calls_file(path: Path, config: VerifyConfig) -> list[Call]:
    """Read a calls file: `calls: [{id, legacy: {method, url}, oauth: {method, url}?}, ...]`."""
    try:
        doc = load_yaml(path)
    except MigrateError as error:
        raise ConfigError(str(error).replace("rule file", "calls file")) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("calls"), list):
        raise ConfigError("a calls file needs a top-level `calls:` list", path=str(path), line=line_of(doc, 1))
    calls: list[Call] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc["calls"], 1):
        line = line_of(raw, line_of(doc, 1))
        if not isinstance(raw, dict):
            raise ConfigError(f"call #{index} must be a mapping", path=str(path), line=line)
        unknown = set(raw) - {"id", "legacy", "oauth"}
        if unknown:
            raise ConfigError(f"call #{index}: unknown keys: {', '.join(sorted(unknown))}", path=str(path),
                              line=line)
        call_id = str(raw.get("id") or f"call-{index}")
        if call_id in seen:
            raise ConfigError(f"duplicate call id {call_id!r}", path=str(path), line=line)
        seen.add(call_id)
        if "legacy" not in raw:
            raise ConfigError(f"call {call_id!r}: `legacy` is required", path=str(path), line=line)
        legacy = _endpoint(raw["legacy"], "legacy", path, line, config)
        oauth = _endpoint(raw["oauth"], "oauth", path, line, config) if raw.get("oauth") is not None else None
        calls.append(Call(call_id, legacy, oauth, f"{path.name}:{line}"))
    return calls


# ---- calls from a scan

_LITERAL_URL = re.compile(r"""(["'`])(?P<url>https?://[^"'`\s]+)\1(?P<after>\s*[+.]\s*[A-Za-z_$(])?""")
_CONSTANT = re.compile(r"""(?P<name>[A-Za-z_$][\w$]*)["']?\s*(?:=>|:=|[:=])\s*(["'`])(?P<url>https?://[^"'`\s]+)\2""")
_CONCAT = re.compile(r"""(?P<name>[A-Za-z_$][\w$]*)\s*[+.]\s*(["'`])(?P<tail>[^"'`\s]*)\2(?P<after>\s*[+.]\s*[A-Za-z_$(])?""")
_FSTRING = re.compile(r"""[fF]?(["'`])\{(?P<name>[A-Za-z_$][\w$]*)\}(?P<tail>[^"'`{}\s]*)\1""")
_DYNAMIC = re.compile(r"[{}$%<>]|\[|\]")


def _static_url(snippet: str, constants: dict[str, str]) -> str | None:
    """The URL a finding's snippet calls, when it is static enough (no variable part in its path)."""
    m = _LITERAL_URL.search(snippet)
    if m:
        url = m.group("url")
        if m.group("after") and "?" not in url:
            return None  # "…/items/" + item_id: the path goes on at run time
        return url
    for pattern in (_CONCAT, _FSTRING):
        m = pattern.search(snippet)
        if m and m.group("name").lstrip("$") in constants:
            if m.groupdict().get("after") and "?" not in m.group("tail"):
                return None
            base = constants[m.group("name").lstrip("$")]
            return base.rstrip("/") + "/" + m.group("tail").lstrip("/")
    return None


def calls_from_scan(path: Path, ruleset: RuleSet, config: VerifyConfig) -> list[Call]:
    """Calls for every legacy endpoint a scan found whose URL is static (`zoho-migrate scan --format json`)."""
    doc = _read_json(path, "scan result")
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise ConfigError("not a scan result: expected {\"findings\": [...]} from `zoho-migrate scan --format "
                          "json`", path=str(path))
    findings = [f for f in doc["findings"] if isinstance(f, dict) and f.get("category") == "legacy-endpoint"]
    constants: dict[str, dict[str, str]] = {}
    for f in findings:
        for m in _CONSTANT.finditer(str(f.get("snippet", ""))):
            constants.setdefault(str(f.get("path")), {})[m.group("name").lstrip("$")] = m.group("url")
    calls: list[Call] = []
    seen: set[tuple[str, str]] = set()
    for f in findings:
        snippet = str(f.get("snippet", ""))
        file_constants = constants.get(str(f.get("path")), {})
        defined = _CONSTANT.search(snippet)
        if defined and any(defined.group("name") in str(g.get("snippet", "")).replace(defined.group(0), "")
                           for g in findings if g.get("path") == f.get("path") and g is not f):
            continue  # a base-URL constant used by other findings: not a call of its own
        url = _static_url(snippet, file_constants)
        if url is None:
            continue
        url = strip_credentials(url, config).rstrip("?&")
        if _DYNAMIC.search(urlsplit(url).path):
            continue
        match = ruleset.endpoints.match(url)
        if match is None:
            continue
        method = match.family.legacy_method or "GET"
        if (method, url) in seen:
            continue
        seen.add((method, url))
        call_id = f"{f.get('path')}:{f.get('line')}"
        calls.append(Call(call_id, Endpoint(method, url), None, call_id))
    return calls


# ---- calls from a HAR file

def calls_from_har(path: Path, ruleset: RuleSet, config: VerifyConfig) -> list[Call]:
    """Calls for every request in a HAR file (browsers, proxies) that goes to a legacy Zoho endpoint."""
    doc = _read_json(path, "HAR file")
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ConfigError("not a HAR file: expected {\"log\": {\"entries\": [...]}}", path=str(path))
    calls: list[Call] = []
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    for index, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            raise ConfigError(f"HAR entry #{index} has no request URL", path=str(path))
        method = str(request.get("method") or "GET").upper()
        url = request["url"]
        if ruleset.endpoints.match(url, method) is None:
            continue
        headers = tuple((str(h.get("name", "")), str(h.get("value", ""))) for h in request.get("headers") or []
                        if isinstance(h, dict) and not str(h.get("name", "")).startswith(":"))
        headers = tuple(h for h in strip_pairs(headers, config, headers=True)
                        if h[0].lower() not in ("content-length", "accept-encoding", "connection"))
        form = _har_form(request.get("postData"))
        clean = strip_credentials(url, config)
        key = (method, clean, strip_pairs(form, config))
        if key in seen:
            continue
        seen.add(key)
        call_id = f"{path.name}#{index}"
        calls.append(Call(call_id, Endpoint(method, clean, headers, strip_pairs(form, config)), None, call_id))
    return calls


def _har_form(post: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(post, dict):
        return ()
    params = post.get("params")
    if isinstance(params, list) and params:
        return tuple((str(p.get("name", "")), str(p.get("value", ""))) for p in params if isinstance(p, dict))
    text = post.get("text")
    if isinstance(text, str) and "urlencoded" in str(post.get("mimeType", "")):
        return tuple(parse_qsl(text, keep_blank_values=True))
    return ()
