"""A per-organization rate limit for async replay: at most N requests in any sliding window of W seconds.

Why a sliding window and not a token bucket: Zoho counts requests per organization per minute; a bucket that
starts full lets 2N requests through in the first minute and earns 429s. The window mirrors the server's rule.
A request counts from when it is sent until `release` moves its mark to when its reply arrived: the server saw
it somewhere in between, so counting from the later time can never undercount by network delay.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Slot:
    """One request's mark in the window (a handle for `release`)."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateLimiter:
    """`slot = await limiter.acquire(key)` waits until one more request for `key` fits; `release(slot)` after."""

    def __init__(self, per_window: int, window_seconds: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_window = per_window
        self.window = window_seconds
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[str, list[Slot]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.waited = 0.0  # total seconds spent waiting

    @property
    def enabled(self) -> bool:
        return self.per_window > 0

    async def acquire(self, key: str) -> Slot | None:
        if not self.enabled:
            return None
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one waiter per key at a time keeps the order fair
            while True:
                now = self.clock()
                sent = [s for s in self._sent.get(key, []) if now - s.at < self.window]
                self._sent[key] = sent
                if len(sent) < self.per_window:
                    slot = Slot(now)
                    sent.append(slot)
                    return slot
                wait = self.window - (now - min(s.at for s in sent))
                self.waited += wait
                await self.sleep(wait)

    def release(self, slot: Slot | None) -> None:
        """The reply arrived: the request counts from now (never earlier than it was sent)."""
        if slot is not None:
            slot.at = max(slot.at, self.clock())
