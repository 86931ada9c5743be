"""The replay transport: httpx async with bounded concurrency, a per-organization rate limit, timeouts, and
retries with exponential backoff on 429/5xx and connection failures (Retry-After honoured).

Every request names the Zoho URL it means; a base URL (`--legacy-base`, ...) replaces scheme and host on the way
out and the meant host travels as `X-Zoho-Host` (how the emulator, and proxies that care, learn it). When a
Player is set (`--replay`), the replayed sides' answers come from cassettes, and when every side is replayed no
client is created at all.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from migrate.auth.http import retry_after_seconds
from migrate.verify.cassette import Player, Recorder
from migrate.verify.config import HttpSettings, VerifyConfig
from migrate.verify.hosts import HostPolicy
from migrate.verify.ratelimit import RateLimiter
from migrate.verify.redact import SecretBag
from migrate.verify.urls import key_url, rebase

HOST_HEADER = "X-Zoho-Host"


class FetchError(Exception):
    """A request that could not be completed; the message is one line with secrets masked."""


@dataclass
class Outgoing:
    call_id: str
    side: str  # legacy | oauth | accounts
    method: str
    url: str  # the Zoho URL meant, credentials included
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    rate_key: str | None = None
    base: str | None = None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    attempts: int = 1


@dataclass
class Stats:
    requests: int = 0
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds_waiting: float = 0.0


class Fetcher:
    """Sends Outgoing requests under the run's limits; use as `async with Fetcher(...) as fetcher`."""

    def __init__(self, settings: HttpSettings, config: VerifyConfig, bag: SecretBag, *,
                 recorder: Recorder | None = None, player: Player | None = None,
                 replay_sides: frozenset[str] = frozenset({"legacy", "oauth", "accounts"}),
                 transport: httpx.AsyncBaseTransport | None = None,
                 note: Callable[[str], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 policy: HostPolicy | None = None) -> None:
        self.settings = settings
        self.config = config
        self.bag = bag
        self.recorder = recorder
        self.player = player
        self.replay_sides = replay_sides if player is not None else frozenset()
        self.transport = transport
        self.note = note
        self.sleep = sleep
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_window_seconds)
        self.semaphore = asyncio.Semaphore(max(1, settings.concurrency))
        self.client: httpx.AsyncClient | None = None
        self.stats = Stats()
        self.policy = policy
        self.call_bytes: Counter[str] = Counter()  # bytes received per call id, every page and side together

    async def __aenter__(self) -> Fetcher:
        if not self.replay_sides >= {"legacy", "oauth", "accounts"}:  # something goes live
            limits = httpx.Limits(max_connections=max(1, self.settings.concurrency),
                                  max_keepalive_connections=max(1, self.settings.concurrency))
            self.client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.timeout_seconds, connect=self.settings.connect_timeout_seconds),
                limits=limits, transport=self.transport, follow_redirects=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def _what(self, out: Outgoing) -> str:
        """The request as the user can check it: the URL actually sent (after --*-base / --accounts-url)."""
        return f"{out.method.upper()} {key_url(rebase(out.url, out.base)[0], self.config)}"

    async def send(self, out: Outgoing) -> Reply:
        """The final reply after retries (a retryable status on the last attempt is returned, not raised)."""
        if self.player is not None and out.side in self.replay_sides:
            try:
                rec = self.player.answer(out.call_id, out.side, out.method, out.url, out.form)
            except LookupError as error:
                raise FetchError(self.bag.mask(str(error))) from None
            return Reply(rec.status, {k.lower(): v for k, v in rec.headers.items()}, rec.body)
        if self.policy is not None:  # second line of defence; calls are checked when planned
            refusal = self.policy.refusal(out.url, base=out.base)
            if refusal:
                raise FetchError(f"refused before sending: {refusal}")
        reply = await self._send_with_retries(out)
        if self.recorder is not None:
            self.recorder.add(out.call_id, out.side, out.method, out.url, out.headers, out.form, reply.status,
                              reply.headers, reply.body)
        return reply

    async def _send_with_retries(self, out: Outgoing) -> Reply:
        settings = self.settings
        attempts = settings.retries + 1
        url, meant_host = rebase(out.url, out.base)
        headers = dict(out.headers)
        if meant_host:
            headers[HOST_HEADER] = meant_host
        for attempt in range(attempts):
            last = attempt == attempts - 1
            slot = None
            if out.rate_key:
                before = time.monotonic()
                slot = await self.limiter.acquire(out.rate_key)
                self.stats.seconds_waiting += time.monotonic() - before
            try:
                async with self.semaphore:
                    self.stats.requests += 1
                    status, reply_headers, body = await self._once(out.call_id, out.method, url, headers, out.form)
            except httpx.TransportError as error:
                self.limiter.release(slot)
                reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                if last:
                    raise FetchError(self.bag.mask(f"{self._what(out)}: {reason} (after {attempts} attempts)")) \
                        from None
                await self._wait(out, self._backoff(attempt), reason)
                continue
            self.limiter.release(slot)
            self.stats.statuses[status] += 1
            if status not in settings.retry_statuses or last:
                return Reply(status, reply_headers, body, attempt + 1)
            wait = retry_after_seconds(httpx.Response(status, headers=reply_headers))
            if wait is None:
                wait = self._backoff(attempt)
            elif wait > settings.retry_after_max_seconds:
                raise FetchError(f"{self._what(out)}: HTTP {status}; the server asks to retry after {wait:.0f}s, "
                                 f"more than the {settings.retry_after_max_seconds:.0f}s allowed")
            await self._wait(out, wait, f"HTTP {status}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.backoff_max_seconds, self.settings.backoff_seconds * (2 ** attempt))
        return base + random.uniform(0, self.settings.backoff_seconds / 2)  # noqa: S311 - jitter only

    async def _wait(self, out: Outgoing, seconds: float, reason: str) -> None:
        self.stats.retries += 1
        if self.note:
            self.note(self.bag.mask(f"{out.call_id}: {self._what(out)}: {reason}; retrying in {seconds:.1f}s"))
        await self.sleep(seconds)

    async def _once(self, call_id: str, method: str, url: str, headers: dict[str, str],
                    form: dict[str, str] | None) -> tuple[int, dict[str, str], bytes]:
        assert self.client is not None, "use the Fetcher as an async context manager"
        limit = self.settings.max_response_bytes
        budget = self.settings.max_call_bytes
        request = self.client.build_request(method.upper(), url, headers=headers,
                                            data=form if form else None)
        response = await self.client.send(request, stream=True)
        try:
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                self.call_bytes[call_id] += len(chunk)
                if self.call_bytes[call_id] > budget:  # a paging bomb: stop reading, keep nothing more
                    raise FetchError(f"{method.upper()} {key_url(url, self.config)}: call too large: its replies "
                                     f"exceed the {budget}-byte budget per call (--max-call-bytes)")
                if size > limit:
                    raise FetchError(f"{method.upper()} {key_url(url, self.config)}: reply larger than the "
                                     f"{limit}-byte limit (verify.max_response_bytes)")
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, b"".join(chunks)
