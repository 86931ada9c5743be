"""The replay transport in isolation (httpx.MockTransport): retries, Retry-After, limits; and the rate limiter."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from migrate.verify.config import load_verify_config
from migrate.verify.fetch import Fetcher, FetchError, Outgoing
from migrate.verify.ratelimit import RateLimiter
from migrate.verify.redact import SecretBag

SECRET = "a8b6de25b5bf481824c9c4173c56231a"


def run_fetch(ruleset, handler, **settings):
    config = load_verify_config(ruleset)
    http = dataclasses.replace(config.http, **{"backoff_seconds": 0.01, **settings})
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go():
        async with Fetcher(http, config, SecretBag([SECRET]), transport=httpx.MockTransport(handler),
                           sleep=fake_sleep) as fetcher:
            out = Outgoing("c", "legacy", "GET", f"https://invoice.zoho.com/api/items/?authtoken={SECRET}",
                           rate_key="org:1", base="http://emulator.test/prefix")
            return await fetcher.send(out), fetcher.stats

    return asyncio.run(go()), waits


def test_retry_after_is_honoured_and_rebasing_keeps_the_meant_host(ruleset):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, content=b"<ok/>")

    (reply, stats), waits = run_fetch(ruleset, handler)
    assert reply.status == 200 and reply.attempts == 3 and stats.retries == 2
    assert waits == [7.0, 7.0]
    assert str(seen[0].url).startswith("http://emulator.test/prefix/api/items/?authtoken=")
    assert seen[0].headers["X-Zoho-Host"] == "invoice.zoho.com"


def test_5xx_backs_off_exponentially_and_the_last_reply_is_returned(ruleset):
    (reply, stats), waits = run_fetch(ruleset, lambda r: httpx.Response(502), retries=3, backoff_seconds=1.0,
                                      backoff_max_seconds=3.0)
    assert reply.status == 502 and reply.attempts == 4
    assert [int(w) for w in waits] == [1, 2, 3]


def test_a_retry_after_beyond_the_limit_is_an_error(ruleset):
    with pytest.raises(FetchError, match="retry after 3600s"):
        run_fetch(ruleset, lambda r: httpx.Response(503, headers={"Retry-After": "3600"}))


def test_connection_failures_are_retried_then_reported_masked(ruleset):
    def handler(request):
        raise httpx.ConnectError(f"refused for {request.url}")

    with pytest.raises(FetchError) as caught:
        run_fetch(ruleset, handler, retries=2)
    text = str(caught.value)
    assert "ConnectError" in text and "after 3 attempts" in text
    assert SECRET not in text


def test_oversized_reply_is_refused(ruleset):
    with pytest.raises(FetchError, match="larger than the 100-byte limit"):
        run_fetch(ruleset, lambda r: httpx.Response(200, content=b"x" * 1000), max_response_bytes=100)


def test_rate_limiter_sliding_window_per_key():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def go():
        limiter = RateLimiter(3, 60.0, clock=lambda: now[0], sleep=sleep)
        first = await limiter.acquire("org:1")
        now[0] = 2.0
        limiter.release(first)  # its reply came 2 s later: it counts from there
        for _ in range(2):
            await limiter.acquire("org:1")
        await limiter.acquire("org:2")  # another organization has its own budget
        assert slept == []
        now[0] = 10.0
        await limiter.acquire("org:1")  # the 4th call in the window waits until the 1st leaves it
        assert slept == [52.0] and now[0] == 62.0
        disabled = RateLimiter(0)
        for _ in range(1000):
            await disabled.acquire("x")

    asyncio.run(go())
