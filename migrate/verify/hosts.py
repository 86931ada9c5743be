"""Where the verifier may send credentials: Zoho hosts of the endpoint map, over HTTPS, and nothing else.

Why: a calls file or HAR comes from elsewhere. A legacy URL on a non-Zoho host with an explicit `oauth:` URL
would otherwise get the authtoken and the OAuth access token sent to that host, and an `http://` Zoho URL sends
them in clear text through any proxy. So every destination is checked before anything is sent:

- allowed: HTTPS to a legacy or OAuth host of the endpoint map, or an accounts server, of the data center the
  call's legacy host belongs to (rules/endpoints/*.yaml, rules/datacenters.yaml);
- allowed: any host named with `--allow-host HOST` (HTTP too: the user said so);
- allowed: the explicit base overrides `--legacy-base`, `--oauth-base`, `--accounts-url` (the request goes to
  that base, not to the URL's host; emulators on 127.0.0.1 are reached this way);
- anything else is refused with one line, per call, before any request.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from migrate.ruleset.endpoints import DataCenter, EndpointMap


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostPolicy:
    """Decides whether a URL (and its base override, if any) may receive this run's credentials."""

    def __init__(self, endpoints: EndpointMap, allow_hosts: Iterable[str] = (),
                 bases: Iterable[str | None] = ()) -> None:
        self.endpoints = endpoints
        self.allowed = {h.lower().strip() for h in allow_hosts if h and h.strip()}
        self.bases = {b.rstrip("/") for b in bases if b}
        self._zoho: dict[str, set[str]] = {}
        for host, (_, dc) in endpoints.host_index.items():
            self._zoho.setdefault(dc.id, set()).add(host)
        for dc in endpoints.datacenters.centers:
            hosts = self._zoho.setdefault(dc.id, set())
            hosts |= {dc.accounts.lower(), dc.api_domain.lower()}
            for product in endpoints.products:
                if product.oauth_host != "same":
                    hosts.add(product.oauth_host.format(api_domain=dc.api_domain, domain=dc.domain,
                                                        accounts=dc.accounts).lower())

    def datacenter_of(self, url: str) -> DataCenter | None:
        host = _host(url)
        return next((self.endpoints.datacenters.get(dc_id) for dc_id, hosts in self._zoho.items()
                     if host in hosts), None)

    def refusal(self, url: str, *, base: str | None = None, datacenter: DataCenter | None = None) -> str | None:
        """Why credentials must not go to `url` (None when they may). With a base override the request goes to
        the base, which the user named explicitly."""
        if base and base.rstrip("/") in self.bases:
            return None
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.allowed:
            return None
        zoho = self._zoho.get(datacenter.id, set()) if datacenter else set().union(*self._zoho.values())
        if host not in zoho:
            where = f" of data center {datacenter.id}" if datacenter else ""
            return (f"{host or url} is not a Zoho host of the endpoint map{where}: credentials are not sent there "
                    f"(pass --allow-host {host or 'HOST'} if you trust it)")
        if parts.scheme != "https":
            return (f"{parts.scheme}://{host}: credentials are only sent over HTTPS (pass --allow-host {host} to "
                    "send them in clear text anyway)")
        return None
