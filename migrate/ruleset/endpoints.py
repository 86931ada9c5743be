"""The endpoint map: legacy Zoho URL families and their OAuth/v3 equivalents, loaded from rules/endpoints/*.yaml.

One source of truth for every stage: the scanner recognises legacy URLs with it, the rewriter builds v3 URLs,
`scopes`/`auth` derive least-privilege scopes, and the verifier normalizes and compares replies with its field maps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from migrate.errors import RuleError
from migrate.ruleset.yamlload import line_of

_PLACEHOLDER = re.compile(r"\{(\w+)(\*?)\}")
PRODUCT_KEYS = {
    "product",
    "service",
    "legacy_hosts",
    "oauth_host",
    "credential_only",
    "legacy_format",
    "scope_param",
    "org",
    "module_scopes",
    "detect",
    "operations",
    "families",
    "records",
    "notes",
    "target",
}
FAMILY_KEYS = {"id", "legacy", "oauth", "scope", "response", "manual", "notes", "id_from", "base"}


@dataclass(frozen=True)
class DataCenter:
    """One Zoho data center: legacy host suffix, accounts server and API domain."""

    id: str
    domain: str
    accounts: str
    api_domain: str


class DataCenters:
    """Lookup of data centers by id, legacy host suffix, accounts host or API domain."""

    def __init__(self, centers: list[DataCenter], default: str) -> None:
        self.centers = centers
        self.by_id = {dc.id: dc for dc in centers}
        self.default = self.by_id[default]

    def get(self, dc_id: str) -> DataCenter:
        try:
            return self.by_id[dc_id.lower()]
        except KeyError:
            raise RuleError(f"unknown data center {dc_id!r}; known: {', '.join(self.by_id)}") from None

    def for_host(self, host: str) -> DataCenter | None:
        """The data center a host belongs to (`crm.zoho.eu` -> eu, `www.zohoapis.in` -> in); longest suffix wins."""
        host = host.lower().split(":")[0]
        best: DataCenter | None = None
        best_len = 0
        for dc in self.centers:
            for suffix in (dc.domain, dc.api_domain.removeprefix("www."), dc.accounts):
                if (host == suffix or host.endswith("." + suffix)) and len(suffix) > best_len:
                    best, best_len = dc, len(suffix)
        return best


@dataclass(frozen=True)
class PathTemplate:
    """A URL path with `{name}` (one segment) and `{name*}` (rest of path) placeholders."""

    template: str
    regex: re.Pattern[str]
    literal_prefix: str

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        parts = []
        position = 0
        for m in _PLACEHOLDER.finditer(template):
            literal = template[position : m.start()]
            if m.group(2) and literal.endswith("/") and m.end() == len(template):
                # a trailing `/{rest*}` may be absent entirely: `/api/v3/{module}/{rest*}` matches `/api/v3/invoices`
                parts.append(re.escape(literal[:-1]) + f"(?:/(?P<{m.group(1)}>.*?))?")
            else:
                parts.append(re.escape(literal))
                parts.append(f"(?P<{m.group(1)}>.*?)" if m.group(2) else f"(?P<{m.group(1)}>[^/?#]+)")
            position = m.end()
        tail = template[position:]
        parts.append(re.escape(tail.rstrip("/")) + "/?")
        prefix = template.split("{", 1)[0]
        return cls(template, re.compile("^" + "".join(parts) + "$", re.IGNORECASE), prefix)

    def fill(self, values: dict[str, str]) -> str:
        def replace(m: re.Match[str]) -> str:
            return values.get(m.group(1), m.group(0))

        path = _PLACEHOLDER.sub(replace, self.template)
        return re.sub(r"(?<!:)//+", "/", path).rstrip("/") if path != "/" else path


@dataclass(frozen=True)
class Family:
    """One legacy call shape and its OAuth equivalent."""

    id: str
    product: Product
    legacy_method: str | None
    legacy_path: PathTemplate
    oauth_method: str | None
    oauth_path: PathTemplate | None
    oauth_query: dict[str, str]
    scope: str | None
    response: dict[str, Any] | None
    manual: str | None
    id_from: str | None
    base: bool = False  # the API root: `legacy_candidates` swaps this prefix back to find half-migrated calls


@dataclass
class Product:
    """A Zoho product's legacy hosts, OAuth host and families (one rules/endpoints/*.yaml file)."""

    name: str
    service: str
    legacy_hosts: list[str]
    oauth_host: str
    credential_only: bool
    detect: bool
    legacy_format: str
    scope_param: str | None
    org: dict[str, str]
    module_scopes: dict[str, str]
    operations: dict[str, str]
    records: dict[str, dict[str, Any]]
    source: str
    families: list[Family] = field(default_factory=list)


@dataclass(frozen=True)
class EndpointMatch:
    """A concrete legacy URL resolved against the map."""

    family: Family
    datacenter: DataCenter
    host: str
    params: dict[str, str]
    query: dict[str, str]
    method: str

    @property
    def product(self) -> Product:
        return self.family.product

    @property
    def operation(self) -> str:
        op_source = self.family.legacy_method or self.method
        return self.product.operations.get(op_source.upper(), "READ")

    @property
    def scope(self) -> str | None:
        template = self.family.scope
        if not template:
            return None
        module = self.params.get("module", "")
        values = {
            "module": module,
            "module_lower": module.lower(),
            "module_scope": self.product.module_scopes.get(module.lower(), module.lower()),
            "op": self.operation,
            "service": self.product.service,
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return None

    @property
    def oauth_method(self) -> str:
        return (self.family.oauth_method or self.family.legacy_method or self.method).upper()

    def oauth_url(self, datacenter: DataCenter | None = None) -> str | None:
        """The v3/OAuth URL for this call (without credentials), or None when no automatic equivalent exists."""
        if self.family.oauth_path is None:
            return None
        dc = datacenter or self.datacenter
        host_template = self.product.oauth_host
        host = (
            self.host
            if host_template == "same"
            else host_template.format(api_domain=dc.api_domain, domain=dc.domain, accounts=dc.accounts)
        )
        values = dict(self.params)
        values.update({k: v for k, v in self.query.items() if k not in values})
        path = self.family.oauth_path.fill(values)
        try:
            query = {k: v.format(**values) if "{" in v else v for k, v in self.family.oauth_query.items()}
        except (KeyError, IndexError, ValueError):
            # the v3 query needs a value the legacy call did not carry in its URL (`search_text={searchtext}`
            # for a search URL without ?searchtext=): no mechanical equivalent, a manual step (issue 12's fuzzing)
            return None
        url = f"https://{host}{path}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return url


class EndpointMap:
    """All products' families with host lookup; first matching family wins (specific before generic)."""

    def __init__(self, products: list[Product], datacenters: DataCenters) -> None:
        self.products = products
        self.datacenters = datacenters
        self.host_index: dict[str, tuple[Product, DataCenter]] = {}
        for product in products:
            for template in product.legacy_hosts:
                for dc in datacenters.centers:
                    host = template.format(domain=dc.domain, accounts=dc.accounts, api_domain=dc.api_domain)
                    self.host_index.setdefault(host.lower(), (product, dc))

    def product(self, name: str) -> Product | None:
        return next((p for p in self.products if p.name == name), None)

    def match(self, url: str, method: str = "GET") -> EndpointMatch | None:
        """Resolve a legacy URL (scheme optional) to its family, data center and path parameters."""
        if "://" not in url:
            url = "https://" + url.lstrip("/")
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        entry = self.host_index.get(host)
        if entry is None:
            return None
        product, dc = entry
        path = parts.path or "/"
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for family in product.families:
            if (
                family.legacy_method
                and method.upper() not in (family.legacy_method, "ANY")
                and method != "GET"
            ):
                continue
            m = family.legacy_path.regex.match(path)
            if m:
                params = {k: v or "" for k, v in m.groupdict().items()}
                return EndpointMatch(family, dc, host, params, query, method.upper())
        return None

    def detection_pattern(self) -> str:
        """A regex source matching legacy URLs in source text: host plus the literal start of a family path."""
        alternatives = []
        for product in self.products:
            if not product.detect or product.credential_only:  # credential-only URLs are not legacy
                continue
            hosts = sorted(
                {h for h, (p, _) in self.host_index.items() if p is product}, key=lambda h: (-len(h), h)
            )
            prefixes = sorted(
                {f.legacy_path.literal_prefix.rstrip("/") for f in product.families},
                key=lambda p: (-len(p), p),
            )
            host_re = "|".join(re.escape(h) for h in hosts)
            prefix_re = "|".join(re.escape(p) for p in prefixes if p) or ""
            tail = f"(?:{prefix_re})(?![\\w-])" if prefix_re else ""
            # an explicit port (`reportsapi.zoho.com:443/api`) is the same host
            alternatives.append(f"(?<![\\w.-])(?:{host_re})(?::\\d{{2,5}})?{tail}")
        return "|".join(alternatives)

    def legacy_candidates(self, url: str) -> list[str]:
        """Legacy URLs that a base-URL migration would have turned into `url` (undoes `/api/` -> `/invoice/v3/`).

        Lets the scanner see a half-migrated call: a v3 base constant joined to a path only the legacy API had
        (`V3_BASE + "items/update"`), whose real v3 equivalent is a different path or method.
        """
        bare = url.split("://", 1)[-1]
        lowered = bare.lower()
        candidates = []
        for product in self.products:
            if product.oauth_host == "same" or not product.legacy_hosts:
                continue
            for family in product.families:
                oauth_path = family.oauth_path
                if not family.base or oauth_path is None:
                    continue
                for dc in self.datacenters.centers:
                    values = {"domain": dc.domain, "accounts": dc.accounts, "api_domain": dc.api_domain}
                    prefix = product.oauth_host.format(**values) + oauth_path.template.rstrip("/") + "/"
                    if lowered.startswith(prefix.lower()):
                        legacy = product.legacy_hosts[0].format(**values) + family.legacy_path.template
                        candidates.append(legacy.rstrip("/") + "/" + bare[len(prefix) :])
        return candidates


def _family(raw: Any, product: Product, path: Path) -> Family:
    line = line_of(raw, 1)

    def fail(reason: str) -> RuleError:
        return RuleError(f"endpoint family: {reason}", path=str(path), line=line)

    if not isinstance(raw, dict):
        raise fail("each family must be a mapping")
    unknown = set(raw) - FAMILY_KEYS
    if unknown:
        raise fail(f"unknown keys: {', '.join(sorted(unknown))}")
    legacy = raw.get("legacy")
    if not isinstance(legacy, dict) or not isinstance(legacy.get("path"), str):
        raise fail(f"{raw.get('id', '?')}: `legacy.path` is required")
    oauth = raw.get("oauth")
    if oauth is not None and (not isinstance(oauth, dict) or not isinstance(oauth.get("path"), str)):
        raise fail(f"{raw.get('id', '?')}: `oauth` must be a mapping with `path` (or null for a manual step)")
    response = raw.get("response")
    if isinstance(response, str):
        if response not in product.records:
            raise fail(f"{raw.get('id', '?')}: `response` names unknown record type {response!r}")
        response = product.records[response]
    return Family(
        id=str(raw.get("id") or f"{product.name}.{legacy['path']}"),
        product=product,
        legacy_method=(legacy.get("method") or None) and str(legacy["method"]).upper(),
        legacy_path=PathTemplate.parse(legacy["path"]),
        oauth_method=(oauth or {}).get("method") and str(oauth["method"]).upper(),
        oauth_path=PathTemplate.parse(oauth["path"]) if oauth else None,
        oauth_query={str(k): str(v) for k, v in ((oauth or {}).get("query") or {}).items()},
        scope=raw.get("scope"),
        response=response,
        manual=raw.get("manual"),
        id_from=raw.get("id_from"),
        base=bool(raw.get("base", False)),
    )


def parse_product(raw: Any, path: Path) -> Product:
    """Validate one `endpoints:` document into a Product with its families."""
    line = line_of(raw, 1)
    if not isinstance(raw, dict):
        raise RuleError("`endpoints` must be a mapping", path=str(path), line=line)
    unknown = set(raw) - PRODUCT_KEYS
    if unknown:
        raise RuleError(f"endpoints: unknown keys: {', '.join(sorted(unknown))}", path=str(path), line=line)
    for required in ("product", "service", "legacy_hosts", "oauth_host", "families"):
        if required not in raw:
            raise RuleError(f"endpoints: missing `{required}`", path=str(path), line=line)
    product = Product(
        name=str(raw["product"]),
        service=str(raw["service"]),
        legacy_hosts=[str(h) for h in raw["legacy_hosts"]],
        oauth_host=str(raw["oauth_host"]),
        credential_only=bool(raw.get("credential_only", False)),
        detect=bool(raw.get("detect", True)),
        legacy_format=str(raw.get("legacy_format", "json")),
        scope_param=raw.get("scope_param"),
        org=dict(raw.get("org") or {}),
        module_scopes={str(k).lower(): str(v) for k, v in (raw.get("module_scopes") or {}).items()},
        operations={str(k).upper(): str(v) for k, v in (raw.get("operations") or {}).items()}
        or {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "DELETE": "DELETE"},
        records=dict(raw.get("records") or {}),
        source=str(path),
    )
    families = raw["families"]
    if not isinstance(families, list) or not families:
        raise RuleError("endpoints: `families` must be a non-empty list", path=str(path), line=line)
    product.families = [_family(f, product, path) for f in families]
    return product
