"""The OAuth protocol as data (rules/oauth.yaml, `oauth:`) and where the accounts server and API domain are.

rules/oauth.yaml is the single source of truth: this module and the rewriter's generated token helpers read the
same keys (documented in docs/AUTH.md). A missing or wrong key is a RuleError naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from migrate.errors import ConfigError, RuleError
from migrate.ruleset import RuleSet
from migrate.ruleset.endpoints import DataCenter, DataCenters
from migrate.ruleset.loader import builtin_rules_dir
from migrate.ruleset.yamlload import load_yaml

REQUIRED = ("header", "header_scheme", "paths", "authorize_params", "scope_separator", "grants", "revoke",
            "reply", "refresh_margin_seconds", "default_expires_in_seconds", "http", "env", "loopback",
            "organizations", "errors")
PATHS = ("authorize", "token", "revoke", "authtooauth")
GRANTS = ("authorization_code", "refresh_token", "authtooauth")


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retry policy for the accounts server (and the generated helpers)."""

    timeout_seconds: float
    connect_timeout_seconds: float
    retries: int
    backoff_seconds: float
    backoff_max_seconds: float
    retry_statuses: frozenset[int]


@dataclass(frozen=True)
class OAuthConfig:
    """Typed view of `oauth:` in rules/oauth.yaml plus the data centers."""

    raw: dict[str, Any]
    datacenters: DataCenters
    http: HttpPolicy
    source: str = "rules/oauth.yaml"
    grants: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def header(self) -> str:
        return str(self.raw["header"])

    @property
    def header_scheme(self) -> str:
        return str(self.raw["header_scheme"])

    def header_value(self, access_token: str) -> str:
        return f"{self.header_scheme} {access_token}"

    def path(self, name: str) -> str:
        return str(self.raw["paths"][name])

    @property
    def refresh_margin_seconds(self) -> float:
        return float(self.raw["refresh_margin_seconds"])

    @property
    def default_expires_in(self) -> int:
        return int(self.raw["default_expires_in_seconds"])

    @property
    def scope_separator(self) -> str:
        return str(self.raw["scope_separator"])

    @property
    def authorize_params(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.raw["authorize_params"].items()}

    def reply_key(self, name: str) -> str:
        return str(self.raw["reply"][name])

    def env(self, name: str) -> str:
        return str(self.raw["env"][name])

    @property
    def loopback(self) -> dict[str, Any]:
        return dict(self.raw["loopback"])

    def organizations_path(self, product: str) -> str:
        paths = self.raw["organizations"]
        if product not in paths:
            raise ConfigError(f"--product {product!r}: expected one of {', '.join(sorted(paths))}")
        return str(paths[product])

    @property
    def products_with_orgs(self) -> list[str]:
        return sorted(self.raw["organizations"])

    def grant_form(self, grant: str, values: dict[str, str | None]) -> dict[str, str]:
        """The form for `grant`: its fixed grant_type plus exactly the fields the rules list, all required."""
        spec = self.grants[grant]
        form = {"grant_type": str(spec["grant_type"])}
        for name in spec["fields"]:
            value = values.get(name)
            if value is None:
                raise ConfigError(f"{grant}: {name} is required")
            form[name] = value
        for name in spec["optional"]:
            if values.get(name):
                form[name] = str(values[name])
        return form

    def error_message(self, error: str, grant: str | None = None) -> str | None:
        """What a token-endpoint `error` value means, grant-specific first; None when the rules do not say."""
        specific = (self.raw.get("grant_errors") or {}).get(grant or "", {}) or {}
        return specific.get(error) or (self.raw.get("errors") or {}).get(error)


def load_config(ruleset: RuleSet | None = None) -> OAuthConfig:
    """Validate `oauth:` from a RuleSet (user rule folders can override keys), or, without one, straight from
    the built-in rules/oauth.yaml and rules/datacenters.yaml: auth needs no detectors, so a token for a script
    costs two small files and a broken detector rule elsewhere cannot stop it."""
    if ruleset is None:
        return _load_builtin()
    raw = ruleset.data.get("oauth")
    source = next((str(p) for p in ruleset.sources if p.name == "oauth.yaml"), "rules/oauth.yaml")
    return _parse(raw, ruleset.endpoints.datacenters, source)


def _load_builtin() -> OAuthConfig:
    rules = builtin_rules_dir()
    oauth_doc = load_yaml(rules / "oauth.yaml") or {}
    centers_doc = load_yaml(rules / "datacenters.yaml") or {}
    try:
        centers = DataCenters([DataCenter(**dc) for dc in centers_doc["datacenters"]],
                              centers_doc.get("default", "us"))
    except (KeyError, TypeError) as error:
        raise RuleError(f"datacenters: malformed ({error})", path=str(rules / "datacenters.yaml")) from None
    return _parse(oauth_doc.get("oauth") if isinstance(oauth_doc, dict) else None, centers,
                  str(rules / "oauth.yaml"))


def _parse(raw: Any, centers: DataCenters, source: str) -> OAuthConfig:
    if not isinstance(raw, dict):
        raise RuleError("no `oauth:` section in any rules folder", path=source)
    missing = [k for k in REQUIRED if k not in raw]
    missing += [f"paths.{p}" for p in PATHS if p not in (raw.get("paths") or {})]
    missing += [f"grants.{g}" for g in GRANTS if g not in (raw.get("grants") or {})]
    if missing:
        raise RuleError(f"oauth: missing keys: {', '.join(missing)}", path=source)
    try:
        http_raw = raw["http"]
        policy = HttpPolicy(
            timeout_seconds=float(http_raw["timeout_seconds"]),
            connect_timeout_seconds=float(http_raw["connect_timeout_seconds"]),
            retries=int(http_raw["retries"]),
            backoff_seconds=float(http_raw["backoff_seconds"]),
            backoff_max_seconds=float(http_raw["backoff_max_seconds"]),
            retry_statuses=frozenset(int(s) for s in http_raw["retry_statuses"]),
        )
        float(raw["refresh_margin_seconds"])
        grants = {name: {"grant_type": str(g["grant_type"]), "fields": [str(f) for f in g["fields"]],
                         "optional": [str(f) for f in g.get("optional") or ()]}
                  for name, g in raw["grants"].items()}
    except (KeyError, TypeError, ValueError) as error:
        raise RuleError(f"oauth: malformed value ({type(error).__name__}: {error})", path=source) from None
    return OAuthConfig(raw=dict(raw), datacenters=centers, http=policy, source=source, grants=grants)


@dataclass(frozen=True)
class Servers:
    """Where to talk: the accounts server URL and the API domain URL (scheme included, no trailing slash)."""

    accounts_url: str
    api_domain: str
    datacenter: str | None
    reason: str  # how it was chosen, for the notes on stderr


def _url(value: str) -> str:
    value = value.strip().rstrip("/")
    return value if "://" in value else f"https://{value}"


def check_url(value: str, option: str) -> str:
    """A usable http(s) base URL, or a ConfigError naming the option."""
    url = _url(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{option} {value!r}: expected an http(s) URL such as https://accounts.zoho.eu")
    return url


def datacenter_of_url(config: OAuthConfig, url: str) -> DataCenter | None:
    """The data center a URL's host belongs to (accounts host, API domain or legacy host)."""
    host = urlsplit(_url(url)).hostname or ""
    return config.datacenters.for_host(host)


def resolve_servers(
    config: OAuthConfig,
    *,
    accounts_url: str | None = None,
    dc: str | None = None,
    api_domain: str | None = None,
    hosts: list[str] | tuple[str, ...] = (),
) -> Servers:
    """Pick the servers, most explicit first: --accounts-url / --api-url, --dc, the token's own record
    (`api_domain`, passed as `api_domain`), the legacy hosts a scan found, else the default data center."""
    center: DataCenter | None = None
    reason = "default data center"
    if dc:
        try:
            center = config.datacenters.get(dc)
        except RuleError as error:
            raise ConfigError(f"--dc: {error}") from None
        reason = f"--dc {center.id}"
    elif api_domain and datacenter_of_url(config, api_domain):
        center = datacenter_of_url(config, api_domain)
        reason = f"the token's api_domain ({center.id})" if center else reason
    elif hosts:
        found = {c.id: c for c in (config.datacenters.for_host(h) for h in hosts) if c}
        if len(found) > 1:
            raise ConfigError(
                f"the scanned code talks to several data centers ({', '.join(sorted(found))}); pick one with --dc"
            )
        if found:
            center = next(iter(found.values()))
            reason = f"the legacy hosts in the scanned code ({center.id})"
    if center is None:
        center = config.datacenters.default
    accounts = check_url(accounts_url, "--accounts-url") if accounts_url else f"https://{center.accounts}"
    if accounts_url:
        reason = "--accounts-url"
    api = _url(api_domain) if api_domain else f"https://{center.api_domain}"
    return Servers(accounts_url=accounts, api_domain=api, datacenter=center.id, reason=reason)


def accounts_matching_api_domain(config: OAuthConfig, accounts_url: str, api_domain: str | None) -> str:
    """The accounts server a grant should refresh at, given the reply's authoritative `api_domain`.

    When `accounts_url` is a known Zoho accounts host of another data center than `api_domain` (a user whose
    account lives in the EU signed in through accounts.zoho.com), the EU accounts server is the right one.
    Anything else (an emulator, a proxy, an unknown host) is kept as given.
    """
    if not api_domain:
        return accounts_url
    used = datacenter_of_url(config, accounts_url)
    meant = datacenter_of_url(config, api_domain)
    host = urlsplit(_url(accounts_url)).hostname
    if used is None or meant is None or used.id == meant.id or host != used.accounts:
        return accounts_url
    return f"https://{meant.accounts}"
