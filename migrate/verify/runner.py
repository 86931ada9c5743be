"""Verify calls: replay each legacy call and its OAuth equivalent, normalize both replies, compare.

Like Scientist/Diffy, specialised for Zoho: the legacy call is the control, the OAuth call the candidate. The
verifier adds the credentials itself, follows paging on both sides so whole collections compare, and reports
each call as match | mismatch | error | skipped. Writes are never sent unless allowed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from migrate.auth.config import load_config as load_oauth_config
from migrate.auth.store import open_store
from migrate.auth.token import Token
from migrate.errors import ConfigError, MigrateError
from migrate.ruleset import RuleSet
from migrate.ruleset.endpoints import EndpointMatch
from migrate.verify.cassette import Player, Recorder
from migrate.verify.compare import Comparison, compare_json, compare_records
from migrate.verify.config import VerifyConfig, load_verify_config
from migrate.verify.fetch import Fetcher, FetchError
from migrate.verify.hosts import HostPolicy
from migrate.verify.legacy import LegacyRecords, legacy_records
from migrate.verify.model import Call, CallResult, Endpoint, ReplyError
from migrate.verify.options import Credentials, Options
from migrate.verify.recordspec import record_spec
from migrate.verify.redact import SecretBag
from migrate.verify.safexml import XMLRefused
from migrate.verify.sides import Plan, SideError, SideReply, Sides, status_of
from migrate.verify.tokens import TokenProvider, pick_stored
from migrate.verify.urls import query_of, with_params
from migrate.verify.v3 import OAuthRecords, oauth_records
from migrate.verify.values import Canon

__all__ = ["Credentials", "Options", "RunReport", "Verifier"]


@dataclass
class RunReport:
    """Results in input order plus what the run measured."""

    results: list[CallResult]
    seconds: float = 0.0
    requests: int = 0
    retries: int = 0
    refreshes: int = 0
    rate_limit_wait: float = 0.0
    cassettes: list[Path] = field(default_factory=list)


class Verifier:
    """Runs calls through both API styles (see module docstring). `run(calls)` is the synchronous entry point."""

    def __init__(self, ruleset: RuleSet, credentials: Credentials, options: Options, *,
                 config: VerifyConfig | None = None, note: Callable[[str], None] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.ruleset = ruleset
        self.config = config or load_verify_config(ruleset)
        self.credentials = dataclasses.replace(credentials)  # the run may fill in the organization id
        self.http = options.http or self.config.http
        self.options = dataclasses.replace(options, http=self.http)
        self.note = note
        self.transport = transport
        self.canon = Canon(self.config)
        self.bag = SecretBag(credentials.secrets(), ruleset.scan.secret_patterns)
        # credentials go only to Zoho hosts of the endpoint map over HTTPS, the base overrides and --allow-host
        self.hosts = HostPolicy(ruleset.endpoints, options.allow_hosts,
                                (options.legacy_base, options.oauth_base, options.accounts_url))
        self.tokens: TokenProvider | None = None
        self.fetcher: Fetcher | None = None
        self.sides: Sides | None = None

    # ---- entry points

    def run(self, calls: list[Call]) -> RunReport:
        return asyncio.run(self.run_async(calls))

    async def run_async(self, calls: list[Call]) -> RunReport:
        started = time.perf_counter()
        player = Player(self.options.replay, self.config) if self.options.replay else None
        recorder = Recorder(self.options.record, self.config, self.bag) if self.options.record else None
        plans = [self._plan(call) for call in calls]
        sending = [p for p in plans if isinstance(p, Plan)]
        live_oauth = bool(sending) and not self.options.replaying_oauth
        if sending:
            self._check_credentials(sending)
        replay_sides = frozenset({"legacy"} if self.options.live_oauth else {"legacy", "oauth", "accounts"})
        async with Fetcher(self.http, self.config, self.bag, recorder=recorder, player=player,
                           replay_sides=replay_sides, transport=self.transport, note=self.note,
                           policy=self.hosts) as fetcher:
            self.fetcher = fetcher
            if live_oauth:
                self.tokens = self._token_provider(sending)
            self.sides = Sides(self.config, self.credentials, self.options, self.bag, fetcher, self.tokens)
            if live_oauth and not self.credentials.organization_id:
                await self._discover_organization(sending)
            results = await asyncio.gather(*(self._run_plan(p) for p in plans))
        report = RunReport(list(results), time.perf_counter() - started, fetcher.stats.requests,
                           fetcher.stats.retries, self.tokens.refreshes if self.tokens else 0,
                           fetcher.stats.seconds_waiting)
        if recorder is not None:
            report.cassettes = recorder.save()
        return report

    # ---- planning: what each call becomes before anything is sent

    def _plan(self, call: Call) -> Plan | CallResult:
        match = self.ruleset.endpoints.match(call.legacy.url, call.legacy.method)
        oauth = call.oauth
        if oauth is None:
            if match is None:
                return CallResult(call.id, "error", message=f"{call.legacy.url}: not a legacy Zoho URL the endpoint "
                                  "map knows; give its `oauth:` URL in the calls file")
            url = match.oauth_url()
            if url is None:
                why = match.family.manual or "the endpoint map has no automatic OAuth equivalent"
                return CallResult(call.id, "skipped", message=f"not verified: {why} (family {match.family.id})")
            url = self._carry_paging(call.legacy.url, url, match)
            oauth = Endpoint(match.oauth_method, url)
        refusal = self._host_refusal(call, oauth, match)
        if refusal:
            return CallResult(call.id, "error", message=f"not sent: {refusal}")
        writes = [e.method for e in (call.legacy, oauth) if not e.is_read]
        if writes and not self.options.allow_writes:
            return CallResult(call.id, "skipped", message=f"{'/'.join(sorted(set(writes)))} call not sent: "
                              "it would change data (use --allow-writes against a sandbox)")
        spec = None
        if match is not None and isinstance(match.family.response, dict):
            spec = record_spec(match.family.response, f"{match.product.source}: family {match.family.id} response",
                               match.params)
        return Plan(call, match, oauth, spec)

    def _host_refusal(self, call: Call, oauth: Endpoint, match: EndpointMatch | None) -> str | None:
        """Why this call's credentials must not be sent (None when both live sides go to trusted hosts)."""
        datacenter = match.datacenter if match is not None else self.hosts.datacenter_of(call.legacy.url)
        sides = []
        if not self.options.replaying_legacy:
            sides.append(("legacy", call.legacy.url, self.options.legacy_base))
        if not self.options.replaying_oauth:
            sides.append(("oauth", oauth.url, self.options.oauth_base))
        for side, url, base in sides:
            refusal = self.hosts.refusal(url, base=base, datacenter=datacenter)
            if refusal:
                return f"{side}: {refusal}"
        return None

    def _carry_paging(self, legacy_url: str, oauth_url: str, match: EndpointMatch) -> str:
        """A page size given on the legacy URL (`Per_Page=2`) carries over to the OAuth URL (`per_page=2`)."""
        response = match.family.response if isinstance(match.family.response, dict) else {}
        legacy_paging = self.config.paging.get(str((response.get("legacy") or {}).get("paging")), {})
        oauth_paging = self.config.paging.get(str((response.get("oauth") or {}).get("paging")), {})
        query = query_of(legacy_url)
        size = query.get(str(legacy_paging.get("per_page_param")))
        if size and oauth_paging.get("per_page_param"):
            return with_params(oauth_url, {oauth_paging["per_page_param"]: size})
        return oauth_url

    def _check_credentials(self, plans: list[Plan]) -> None:
        creds = self.credentials
        if not creds.authtoken and not self.options.replaying_legacy:
            raise ConfigError("no legacy credentials: set ZOHO_AUTHTOKEN (or --authtoken)")
        if self.options.replaying_oauth:
            return
        if not (creds.access_token or creds.store or (creds.client_id and creds.client_secret
                                                       and creds.refresh_token)):
            raise ConfigError("no OAuth credentials: set ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN "
                              "(or ZOHO_ACCESS_TOKEN, or --store)")

    def _accounts_url(self, plans: list[Plan]) -> str:
        for plan in plans:
            if plan.match is not None:
                return f"https://{plan.match.datacenter.accounts}"
        return f"https://{self.ruleset.endpoints.datacenters.default.accounts}"

    def _token_provider(self, plans: list[Plan]) -> TokenProvider:
        creds = self.credentials
        config = load_oauth_config(self.ruleset)
        accounts = self._accounts_url(plans)
        token = Token(client_id=creds.client_id, client_secret=creds.client_secret,
                      refresh_token=creds.refresh_token, access_token=creds.access_token,
                      accounts_url=self.options.accounts_url or accounts)
        store = None
        if creds.store:
            store = open_store(creds.store)
            stored = pick_stored(store, creds.client_id, creds.refresh_token)
            if stored is not None:
                self.bag.add(*stored.secrets())  # masked everywhere, logs included
                if creds.client_secret and not stored.client_secret:
                    stored.client_secret = creds.client_secret
                token = stored
            elif not (creds.client_id and creds.client_secret and creds.refresh_token):
                raise ConfigError(f"--store {creds.store}: no stored token for this client; set ZOHO_CLIENT_ID, "
                                  "ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN to create one")
        assert self.fetcher is not None
        return TokenProvider(config, token, accounts_url=accounts, fetcher=self.fetcher, bag=self.bag,
                             accounts_base=self.options.accounts_url, store=store)

    async def _discover_organization(self, plans: list[Plan]) -> None:
        """Without ZOHO_ORGANIZATION_ID, use the default organization, as the legacy XML API itself does."""
        assert self.sides is not None
        oauth_config = load_oauth_config(self.ruleset)
        for plan in plans:
            match = plan.match
            if match is None or not match.product.org or match.product.name not in oauth_config.products_with_orgs:
                continue
            try:
                found = await self.sides.default_organization(plan, oauth_config.organizations_path(
                    match.product.name))
            except SideError as error:
                raise ConfigError(f"no ZOHO_ORGANIZATION_ID, and listing the organizations failed: {error}") \
                    from None
            if found is None:
                raise ConfigError("no ZOHO_ORGANIZATION_ID, and the token sees no organization; set it "
                                  "(`zoho-migrate auth orgs` lists them)")
            self.credentials.organization_id = found[0]
            if self.note:
                self.note(f"no ZOHO_ORGANIZATION_ID: using the default organization {found[0]} ({found[1]}), as "
                          "the legacy API does; set it to choose another")
            return

    # ---- running one call

    async def _run_plan(self, plan: Plan | CallResult) -> CallResult:
        if isinstance(plan, CallResult):
            return plan
        try:
            return await self._verify(plan)
        except (FetchError, ReplyError, XMLRefused) as error:
            return CallResult(plan.call.id, "error", message=self.bag.mask(str(error)))
        except MigrateError:
            raise  # bad configuration or credentials: the whole run stops with exit code 2
        except Exception as error:  # a bug must not hide the other calls' results; it is reported, not swallowed
            return CallResult(plan.call.id, "error", message=self.bag.mask(
                f"internal error (please report): {type(error).__name__}: {error}"))

    async def _verify(self, plan: Plan) -> CallResult:
        call = plan.call
        assert self.sides is not None
        legacy_task = self.sides.fetch_legacy(plan)
        oauth_task = self.sides.fetch_oauth(plan)
        calibration_task = self.sides.fetch_legacy(plan) if self.options.calibrate else None
        tasks = [legacy_task, oauth_task] + ([calibration_task] if calibration_task else [])
        replies = await asyncio.gather(*tasks, return_exceptions=True)
        for reply in replies:
            if isinstance(reply, ConfigError):
                raise reply
            if isinstance(reply, BaseException) and not isinstance(reply, (SideError, FetchError, ReplyError,
                                                                              XMLRefused)):
                raise reply
        legacy, oauth = replies[0], replies[1]
        result = CallResult(call.id, "match",
                            legacy_status=legacy.status if isinstance(legacy, SideReply) else status_of(legacy),
                            oauth_status=oauth.status if isinstance(oauth, SideReply) else status_of(oauth))
        errors = [self._describe(side, r) for side, r in (("legacy", legacy), ("oauth", oauth))
                  if not isinstance(r, SideReply)]
        if errors:
            result.status = "error"
            result.message = self.bag.mask("; ".join(errors))
            return result
        assert isinstance(legacy, SideReply) and isinstance(oauth, SideReply)
        skip = dict.fromkeys((*self.config.ignore_fields, *self.options.ignore), "ignored")
        if calibration_task is not None and isinstance(replies[2], SideReply):
            skip.update(dict.fromkeys(self._volatile(plan, legacy, replies[2]), "volatile"))
        try:
            comparison = self._compare(plan, legacy, oauth, skip)
        except (ReplyError, XMLRefused) as error:
            result.status = "error"
            result.message = self.bag.mask(str(error))
            return result
        result.differences = [d.__class__(d.path, self.bag.mask_data(d.legacy), self.bag.mask_data(d.oauth))
                              for d in comparison.differences]
        result.additions = sorted(comparison.additions)
        result.not_compared = sorted(comparison.not_compared)
        result.status = "mismatch" if result.differences else "match"
        pages = f"{len(legacy.pages)} legacy page(s), {len(oauth.pages)} OAuth page(s)"
        result.message = (f"{len(result.differences)} difference(s); {pages}" if result.differences
                          else f"same data; {pages}")
        return result

    def _describe(self, side: str, error: BaseException) -> str:
        text = str(error)
        return text if text.startswith(f"{side}:") else f"{side}: {text}"

    # ---- comparing

    def _legacy_side(self, plan: Plan, reply: SideReply) -> LegacyRecords:
        assert plan.spec is not None
        merged = LegacyRecords([], False)
        for index, root in enumerate(reply.pages):
            if not isinstance(root, etree._Element):
                if root in ({}, None):
                    continue  # an empty reply: no records on this page
                raise ReplyError("legacy: the reply is neither XML nor the JSON form of the field map's records")
            page = legacy_records(root, plan.spec, self.canon, self.config)
            merged.records.extend(page.records)
            merged.not_compared |= page.not_compared
            merged.single = page.single if index == 0 else merged.single
        return merged

    def _oauth_side(self, plan: Plan, reply: SideReply) -> OAuthRecords:
        assert plan.spec is not None
        if reply.xml:
            raise ReplyError("oauth: an XML reply where v3 JSON was expected")
        merged = OAuthRecords([], False)
        for index, obj in enumerate(reply.pages):
            page = oauth_records(obj, plan.spec)
            merged.records.extend(page.records)
            merged.single = page.single if index == 0 else merged.single
        return merged

    def _compare(self, plan: Plan, legacy: SideReply, oauth: SideReply, skip: dict[str, str]) -> Comparison:
        if plan.spec is not None:
            return compare_records(self._legacy_side(plan, legacy), self._oauth_side(plan, oauth), plan.spec,
                                   self.canon, skip)
        if legacy.xml or oauth.xml:
            family = plan.match.family.id if plan.match else "this call"
            raise ReplyError(f"{family} has no field map (`response:` in the endpoint map), so its XML reply "
                             "cannot be compared with JSON; add one under `records:` in rules/endpoints/")
        envelope = set(self.config.json.get("envelope_keys") or ())
        return compare_json(_merge_json(legacy.pages), _merge_json(oauth.pages), envelope, skip)

    def _volatile(self, plan: Plan, first: SideReply, second: SideReply) -> set[str]:
        """Fields whose value changed between two identical legacy calls: noise, not migration errors."""
        try:
            if plan.spec is not None:
                a, b = self._legacy_side(plan, first), self._legacy_side(plan, second)
                key = plan.spec.key or ""
                second_by_key = {str(r.get(key)): r for r in b.records}
                pairs = [(r, second_by_key.get(str(r.get(key)), {})) for r in a.records]
                changed = {t for x, y in pairs for t in set(x) | set(y) if x.get(t) != y.get(t)}
                if plan.spec.lines:
                    changed.discard(plan.spec.lines.oauth)
                return changed
            envelope = set(self.config.json.get("envelope_keys") or ())
            diff = compare_json(_merge_json(first.pages), _merge_json(second.pages), envelope, {})
            return {d.path.rsplit(".", 1)[-1].split("[", 1)[0] for d in diff.differences}
        except (ReplyError, XMLRefused):
            return set()


def _merge_json(pages: list[Any]) -> Any:
    """Pages of one JSON collection as one reply: list-valued keys concatenated."""
    if not pages:
        return None
    first = pages[0]
    if not isinstance(first, dict) or len(pages) == 1:
        return first
    merged = dict(first)
    for page in pages[1:]:
        if not isinstance(page, dict):
            continue
        for key, value in page.items():
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
    return merged
