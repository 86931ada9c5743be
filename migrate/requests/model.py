"""The request model's data types: one legacy request and the plan of one file's requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from migrate.requests.structure import Scope, Send
from migrate.scan.finding import Finding


@dataclass
class LegacyRequest:
    """One legacy HTTP request: where its URL is built, where its credential travels, the call that sends it.

    `findings` are every finding that is part of it (URL, credential, header, reply reader, and shared
    definitions such as a base-URL constant). `blocked` is the first part that cannot be done mechanically; a
    request with a reason is never edited, so every byte of it stays as it was.
    """

    index: int
    scope: Scope
    send: Send | None
    first_line: int
    last_line: int
    findings: list[Finding] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # legacy Zoho URLs as written (base + tail joined)
    products: set[str] = field(default_factory=set)
    accounts: bool = False  # an accounts / token-generation / login URL is sent by this request
    method: str = "GET"
    via: str | None = None  # the shared request function (in this file) that sends it
    blocked: str | None = None

    def feasible(self) -> tuple[bool, str]:
        """(True, "") when every part of the request can be migrated, else (False, what blocks it)."""
        return (self.blocked is None, self.blocked or "")

    @property
    def lines(self) -> set[int]:
        spans = {f.line for f in self.findings} | set(range(self.first_line, self.last_line + 1))
        if self.send is not None:
            spans.add(self.send.line)
        return spans

    @property
    def anchor(self) -> int:
        """The line a TODO comment for this request goes above: its first finding's line."""
        return min((f.line for f in self.findings), default=self.first_line)


@dataclass
class RequestPlan:
    """One file's requests, and which request(s) each finding belongs to."""

    requests: list[LegacyRequest] = field(default_factory=list)
    member_of: dict[str, list[int]] = field(default_factory=dict)  # fingerprint -> request indexes
    # definitions requests only use (the variable holding the token): fixed when all of them are, never withheld
    soft_of: dict[str, list[int]] = field(default_factory=dict)
    holders: set[str] = field(default_factory=set)  # credential findings that only name the variable holding it
    # findings of a helper function several requests go through (fingerprint -> its name): each caller shares them
    shared_by: dict[str, str] = field(default_factory=dict)

    def requests_of(self, finding: Finding) -> list[LegacyRequest]:
        return [self.requests[i] for i in self.member_of.get(finding.fingerprint, ())]

    def blocked_by(self, finding: Finding) -> LegacyRequest | None:
        """The first infeasible request this finding is part of (None: free to fix)."""
        return next((r for r in self.requests_of(finding) if r.blocked), None)

    def fixable(self, finding: Finding) -> bool:
        """Not part of, nor used only by, a request that is left as it was."""
        soft = [self.requests[i] for i in self.soft_of.get(finding.fingerprint, ())]
        return self.blocked_by(finding) is None and not any(r.blocked for r in soft)

    @property
    def blocked(self) -> list[LegacyRequest]:
        return [r for r in self.requests if r.blocked]

    def block(self, request: LegacyRequest, reason: str) -> None:
        """Mark a request infeasible, and every request sharing a finding with it (a shared base constant)."""
        # every request reached names the first request's own reason, not a chain of "shares ... (shares ... (...))"
        pending = [(request, reason)]
        while pending:
            current, why = pending.pop()
            if current.blocked:
                continue
            current.blocked = why
            for finding in current.findings:
                for other in self.requests_of(finding):
                    if not other.blocked:
                        where = f"line {finding.line}"
                        if finding.fingerprint in self.shared_by:
                            where = f"`{self.shared_by[finding.fingerprint]}` (line {finding.line}), a function it goes through,"
                        pending.append((other, f"shares {where} with a request that is not migrated ({reason})"))
