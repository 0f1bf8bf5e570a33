"""The demo service's cache: real Redis, or an in-process stand-in that says it is one.

The service keeps tokens, cached agent lookups, per-token rate-limit counters and recent run results here,
all with a TTL, so Redis memory rises under load and falls back when the keys expire.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

STAND_IN = "in-process stand-in"


class Cache(Protocol):
    kind: str

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_seconds: float) -> None: ...
    async def incr(self, key: str, ttl_seconds: float) -> int: ...


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisCache:
    kind = "redis"

    def __init__(self, url: str, *, max_connections: int) -> None:
        # A blocking pool caps the connections like a production client would; under load callers queue
        # for a connection instead of opening hundreds.
        self._pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, decode_responses=True, timeout=10
        )
        self._client = aioredis.Redis(connection_pool=self._pool)

    async def start(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        await self._client.aclose()
        await self._pool.disconnect()

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def get(self, key: str) -> str | None:
        value = await self._client.get(key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        await self._client.set(key, value, px=_milliseconds(ttl_seconds))

    async def incr(self, key: str, ttl_seconds: float) -> int:
        """INCR, and start the expiry on the first increment so the window is fixed, not sliding."""
        count = int(await self._client.incr(key))
        if count == 1:
            await self._client.pexpire(key, _milliseconds(ttl_seconds))
        return count


class StandInCache:
    """A dict with expiry times; expired entries are swept every `sweep_every` writes to bound memory."""

    kind = STAND_IN

    def __init__(self, clock: Callable[[], float] = time.monotonic, sweep_every: int = 1024) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}
        self._sweep_every = sweep_every
        self._writes = 0

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._entries.clear()

    async def ping(self) -> bool:
        return True

    async def get(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        return value

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        self._entries[key] = (value, self._clock() + ttl_seconds)
        self._after_write()

    async def incr(self, key: str, ttl_seconds: float) -> int:
        current = await self.get(key)
        if current is None:
            count, expires_at = 1, self._clock() + ttl_seconds
        else:
            count, expires_at = int(current) + 1, self._entries[key][1]
        self._entries[key] = (str(count), expires_at)
        self._after_write()
        return count

    def _after_write(self) -> None:
        self._writes += 1
        if self._writes % self._sweep_every == 0:
            now = self._clock()
            for key in [key for key, (_, expires_at) in self._entries.items() if expires_at <= now]:
                del self._entries[key]
