"""One side of a call on the wire: credentials added, every page fetched, replies parsed (safely) or refused.

The legacy side gets the parameters/headers of `verify.legacy_auth`; the OAuth side the access token (refreshed
once on a 401) and the organization id. Pages are followed as the record spec's paging says. Each failure
becomes a SideError carrying the side, the last HTTP status and one line of explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from migrate.ruleset.endpoints import EndpointMatch
from migrate.verify.config import VerifyConfig
from migrate.verify.fetch import Fetcher, FetchError, Outgoing, Reply
from migrate.verify.legacy import first_page_params, json_to_element, legacy_error, legacy_next_page
from migrate.verify.model import Call, Endpoint, ReplyError
from migrate.verify.options import Credentials, Options
from migrate.verify.recordspec import RecordSpec
from migrate.verify.redact import SecretBag
from migrate.verify.safexml import XMLRefused, parse_xml
from migrate.verify.tokens import TokenProvider
from migrate.verify.urls import query_of, with_params
from migrate.verify.v3 import json_error, json_next_page, parse_json

GENERIC_PAGING = "page_context"


class SideError(Exception):
    """One side of a call failed; carries the last HTTP status (0: none) and a one-line reason."""

    def __init__(self, side: str, status: int, message: str) -> None:
        self.side = side
        self.status = status
        super().__init__(f"{side}: {message}")


@dataclass
class SideReply:
    status: int
    pages: list[Any]  # parsed pages: lxml roots (XML) or JSON objects
    xml: bool


@dataclass
class Plan:
    """A call ready to send: its endpoint match, the OAuth side (given or derived) and the record spec."""

    call: Call
    match: EndpointMatch | None
    oauth: Endpoint
    spec: RecordSpec | None


def status_of(error: BaseException) -> int:
    """The HTTP status a failed side got (0 when none)."""
    return error.status if isinstance(error, SideError) else 0


class Sides:
    """Fetches both sides of planned calls through one Fetcher (and TokenProvider, unless replaying)."""

    def __init__(self, config: VerifyConfig, credentials: Credentials, options: Options, bag: SecretBag,
                 fetcher: Fetcher, tokens: TokenProvider | None) -> None:
        self.config = config
        self.credentials = credentials
        self.options = options
        self.bag = bag
        self.fetcher = fetcher
        self.tokens = tokens
        self.replaying_legacy = options.replaying_legacy
        self.replaying_oauth = options.replaying_oauth
        assert options.http is not None

    async def default_organization(self, plan: Plan, path: str) -> tuple[str, str] | None:
        """(id, name) of the token's default organization, from the product's organizations list (`path`).

        The legacy XML API works on the user's default organization unless told otherwise, so this is the
        organization the OAuth side must read to compare like with like.
        """
        assert plan.match is not None
        url = f"https://{plan.match.datacenter.api_domain}{path}"
        reply = await self._send_oauth(Plan(Call("organizations", Endpoint("GET", url)), plan.match,
                                            Endpoint("GET", url), None), "GET", url, {}, None)
        parsed, xml = self._parse("oauth", reply)
        orgs = parsed.get("organizations") if isinstance(parsed, dict) and not xml else None
        if not isinstance(orgs, list) or not orgs:
            return None
        chosen = next((o for o in orgs if isinstance(o, dict) and o.get("is_default_org")), orgs[0])
        if not isinstance(chosen, dict) or not chosen.get("organization_id"):
            return None
        return str(chosen["organization_id"]), str(chosen.get("name") or "")

    def _rate_key(self, plan: Plan) -> str:
        if self.credentials.organization_id:
            return f"org:{self.credentials.organization_id}"
        return f"host:{urlsplit(plan.call.legacy.url).hostname}"

    def _legacy_auth(self, plan: Plan) -> tuple[dict[str, str], dict[str, str]]:
        """The credential parameters and headers this call's family/product wants (rules/verify.yaml)."""
        table = self.config.legacy_auth
        match = plan.match
        entry = None
        if match is not None:
            entry = table.get(match.family.id) or table.get(match.product.name)
        entry = entry or table.get("default") or {}
        values = {"authtoken": self.credentials.authtoken, "apikey": self.credentials.apikey,
                  "organization_id": self.credentials.organization_id,
                  "scope_param": match.product.scope_param if match is not None else None}
        params: dict[str, str] = {}
        for name, source in (entry.get("params") or {}).items():
            value = values.get(str(source))
            if not value and source == "scope_param":
                continue
            if not value and self.replaying_legacy:  # a recording is matched without credentials
                value = self.config.scrubbed
            if not value:
                env = {"authtoken": "ZOHO_AUTHTOKEN", "apikey": "ZOHO_APIKEY",
                       "organization_id": "ZOHO_ORGANIZATION_ID"}.get(str(source), str(source))
                raise SideError("legacy", 0, f"this call needs `{name}`: set {env}")
            params[str(name)] = value
        headers = {str(k): str(v).format(**{k2: v2 or "" for k2, v2 in values.items()})
                   for k, v in (entry.get("headers") or {}).items()}
        return params, headers

    async def fetch_legacy(self, plan: Plan) -> SideReply:
        call = plan.call
        params, auth_headers = self._legacy_auth(plan)
        endpoint = call.legacy
        headers = {**dict(endpoint.headers), **auth_headers}
        form = dict(endpoint.form) if endpoint.form else None
        if form is not None and not endpoint.is_read:
            form.update(params)
            url = endpoint.url
        else:
            url = with_params(endpoint.url, params)
        if endpoint.method.upper() == "GET":
            url = with_params(url, first_page_params(plan.spec, self.config), replace=False)
        paging_name = (plan.spec.legacy_paging if plan.spec else None)
        return await self._pages("legacy", plan, endpoint.method, url, headers, form, paging_name)

    async def fetch_oauth(self, plan: Plan) -> SideReply:
        endpoint = plan.oauth
        url = endpoint.url
        headers = dict(endpoint.headers)
        org = plan.match.product.org if plan.match is not None else {}
        org_id = self.credentials.organization_id
        if org_id and org.get("param"):
            url = with_params(url, {org["param"]: org_id}, replace=False)
        elif org_id and org.get("header"):
            headers.setdefault(org["header"], org_id)
        elif org.get("param") and not self.replaying_oauth:
            raise SideError("oauth", 0, "this call needs the organization id: set ZOHO_ORGANIZATION_ID")
        paging_name = plan.spec.oauth_paging if plan.spec else GENERIC_PAGING
        return await self._pages("oauth", plan, endpoint.method, url, headers,
                                 dict(endpoint.form) if endpoint.form else None, paging_name)

    async def _pages(self, side: str, plan: Plan, method: str, url: str, headers: dict[str, str],
                     form: dict[str, str] | None, paging_name: str | None) -> SideReply:
        pages: list[Any] = []
        status = 0
        xml = False
        for _ in range(max(1, self.options.http.max_pages)):
            reply = await (self._send_oauth(plan, method, url, headers, form) if side == "oauth" else
                           self._send(plan, side, method, url, headers, form))
            status = reply.status
            parsed, xml = self._parse(side, reply)
            if side == "legacy" and plan.spec is not None and not xml and isinstance(parsed, dict) and parsed:
                parsed, xml = json_to_element(parsed), True  # CRM v1 `json`: same shape as its XML twin
                failure = legacy_error(parsed, self.config)
                if failure:
                    raise SideError(side, reply.status, failure)
            pages.append(parsed)
            next_params = self._next_page(plan, parsed, xml, paging_name, query_of(url))
            if next_params is None or method.upper() != "GET":
                break
            url = with_params(url, next_params)
        else:
            raise SideError(side, status, f"more than {self.options.http.max_pages} pages (verify.max_pages)")
        return SideReply(status, pages, xml)

    async def _send(self, plan: Plan, side: str, method: str, url: str, headers: dict[str, str],
                    form: dict[str, str] | None) -> Reply:
        base = self.options.legacy_base if side == "legacy" else self.options.oauth_base
        out = Outgoing(plan.call.id, side, method, url, headers, form, self._rate_key(plan), base)
        try:
            return await self.fetcher.send(out)
        except FetchError as error:
            raise SideError(side, 0, str(error)) from None

    async def _send_oauth(self, plan: Plan, method: str, url: str, headers: dict[str, str],
                          form: dict[str, str] | None) -> Reply:
        if self.tokens is None:  # replay: the recording answers, no token needed
            return await self._send(plan, "oauth", method, url, headers, form)
        token = await self.tokens.get()
        signed = {**headers, self.tokens.header_name: self.tokens.header_value(token)}
        reply = await self._send(plan, "oauth", method, url, signed, form)
        if reply.status != 401:
            return reply
        fresh = await self.tokens.refresh(token)
        if fresh == token:
            raise SideError("oauth", 401, "HTTP 401 with a token that a refresh just issued (scope or data center "
                            f"wrong?): {self._body_hint(reply)}")
        token = fresh
        signed = {**headers, self.tokens.header_name: self.tokens.header_value(token)}
        reply = await self._send(plan, "oauth", method, url, signed, form)
        if reply.status == 401:
            raise SideError("oauth", 401, f"HTTP 401 after one token refresh: {self._body_hint(reply)}")
        return reply

    def _body_hint(self, reply: Reply) -> str:
        text = reply.body[:300].decode("utf-8", errors="replace")
        return self.bag.mask(" ".join(text.split())) or "(empty reply)"

    def _parse(self, side: str, reply: Reply) -> tuple[Any, bool]:
        body = reply.body
        looks_xml = body.lstrip()[:1] == b"<"
        if 300 <= reply.status < 400:  # redirects are not followed (credentials would go along): say so
            location = reply.headers.get("location", "")
            where = f"redirect to {self.bag.mask(location)}" if location else "redirect without a Location"
            raise SideError(side, reply.status, f"HTTP {reply.status}: {where}; not followed, not compared")
        if reply.status >= 400:
            detail = ""
            if not looks_xml:
                try:
                    detail = json_error(parse_json(body, side), self.config, side) or ""
                except ReplyError:
                    detail = ""
            raise SideError(side, reply.status, f"HTTP {reply.status}"
                            + (f" after {reply.attempts} attempts" if reply.attempts > 1 else "")
                            + f": {detail or self._body_hint(reply)}")
        if reply.status == 204 or not body.strip():
            return {}, False
        if not looks_xml and body.lstrip()[:1] not in (b"{", b"["):
            kind = reply.headers.get("content-type", "unknown content type")
            raise SideError(side, reply.status, f"reply is neither XML nor JSON ({kind}, {len(body)} bytes); "
                            "only XML and JSON replies are compared")
        if looks_xml:
            try:
                root = parse_xml(body, max_bytes=self.options.http.max_response_bytes,
                                 max_depth=int(self.config.xml.get("max_depth", 64)))
            except XMLRefused as error:
                raise SideError(side, reply.status, str(error)) from None
            failure = legacy_error(root, self.config)
            if failure:
                raise SideError(side, reply.status, failure)
            return root, True
        try:
            obj = parse_json(body, side)
        except ReplyError as error:
            raise SideError(side, reply.status, str(error).removeprefix(f"{side} ")) from None
        failure = json_error(obj, self.config, "legacy" if side == "legacy" else "v3")
        if failure:
            raise SideError(side, reply.status, failure)
        return obj, False

    def _next_page(self, plan: Plan, parsed: Any, xml: bool, paging_name: str | None,
                   current: dict[str, str]) -> dict[str, str] | None:
        if xml:
            return legacy_next_page(parsed, plan.spec, self.config, current) if plan.spec else None
        return json_next_page(parsed, paging_name or GENERIC_PAGING, self.config)
