"""A per-organization rate limit for async replay: at most N requests in any sliding window of W seconds.

Why a sliding window and not a token bucket: Zoho counts requests per organization per minute; a bucket that
starts full lets 2N requests through in the first minute and earns 429s. The window mirrors the server's rule.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class RateLimiter:
    """`await limiter.acquire(key)` waits until one more request for `key` fits in the window."""

    def __init__(self, per_window: int, window_seconds: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_window = per_window
        self.window = window_seconds
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.waited = 0.0  # total seconds spent waiting (reported in the summary)

    @property
    def enabled(self) -> bool:
        return self.per_window > 0

    async def acquire(self, key: str) -> None:
        if not self.enabled:
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one waiter per key at a time keeps the order fair
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self.clock()
                while sent and now - sent[0] >= self.window:
                    sent.popleft()
                if len(sent) < self.per_window:
                    sent.append(now)
                    return
                wait = self.window - (now - sent[0])
                self.waited += wait
                await self.sleep(wait)
