"""The "OAuth setup" section: which scopes to request (least privilege, from the findings) and which data center
(from the legacy hosts the code calls), so the reviewer knows exactly what client and consent to set up."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from migrate.ruleset import RuleSet
from migrate.ruleset.endpoints import DataCenter
from migrate.scan.finding import Finding

# a Zoho host in a (masked) snippet: invoice.zoho.eu, crm.zohocloud.ca, www.zohoapis.com.au
HOST = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+(?:zoho|zohoapis|zohocloud)\.[a-z]{2,3}(?:\.[a-z]{2})?)\b")


@dataclass
class DataCenterUse:
    datacenter: DataCenter
    hosts: list[str]


@dataclass
class OAuthPlan:
    scopes: list[str]
    by_product: dict[str, list[str]]
    datacenters: list[DataCenterUse]
    assumed: bool = False  # no Zoho host in the code: the default data center is a guess
    notes: list[str] = field(default_factory=list)

    @property
    def scope_param(self) -> str:
        return ",".join(self.scopes)

    @property
    def primary(self) -> DataCenter:
        return self.datacenters[0].datacenter


def oauth_plan(findings: list[Finding], ruleset: RuleSet) -> OAuthPlan:
    by_product: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        for scope in f.scopes:
            by_product[f.product or "other"].add(scope)
    scopes = sorted({s for values in by_product.values() for s in values})
    centers = ruleset.endpoints.datacenters
    hosts_by_dc: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        for m in HOST.finditer(f.snippet):
            dc = centers.for_host(m.group(1))
            if dc is not None:
                hosts_by_dc[dc.id].add(m.group(1).lower())
    uses = [
        DataCenterUse(centers.get(dc_id), sorted(hosts))
        for dc_id, hosts in sorted(hosts_by_dc.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    plan = OAuthPlan(scopes, {k: sorted(v) for k, v in sorted(by_product.items())}, uses)
    if not uses:
        plan.datacenters = [DataCenterUse(centers.default, [])]
        plan.assumed = True
    return plan
