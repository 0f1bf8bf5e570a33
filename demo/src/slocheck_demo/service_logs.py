"""The demo service's logs, shipped to Loki as JSON lines (`--loki-url`), labelled `app` and `level`.

A request never waits for Loki: a line is appended to an in-memory queue (O(1)), and a background task pushes
the queue in batches every second. A push that fails is dropped and counted (`loki_push_batches_total
{result="dropped"}`, `loki_dropped_lines_total`), never raised into a request; a full queue drops new lines
the same way. Off by default: without `--loki-url` nothing here is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

APP_LABEL = "paracle-api"
PUSH_PATH = "/loki/api/v1/push"
FLUSH_SECONDS = 1.0
BATCH_LINES = 1000
MAX_PENDING_LINES = 20_000
PUSH_TIMEOUT_SECONDS = 5.0
SERVICE_LOGGER = "slocheck.demo"

# Not under SERVICE_LOGGER: a failed push must never feed the queue it failed to empty.
push_log = logging.getLogger("slocheck.lokipush")


class LokiLogs(logging.Handler):
    """A logging handler (the service's own log records) plus `request()` for one access line per request."""

    def __init__(
        self,
        url: str,
        registry: CollectorRegistry,
        *,
        tenant: str | None = None,
        flush_seconds: float = FLUSH_SECONDS,
        max_pending: int = MAX_PENDING_LINES,
    ) -> None:
        super().__init__(level=logging.INFO)
        self.push_url = url.rstrip("/") + PUSH_PATH
        self.headers = {"X-Scope-OrgID": tenant} if tenant else {}
        self.flush_seconds = flush_seconds
        self.max_pending = max_pending
        self.pending: deque[tuple[str, str, str]] = deque()  # (level, unix ns as text, JSON line)
        self.batches = Counter(
            "loki_push_batches_total", "Log batches pushed to Loki, by result", ["result"], registry=registry
        )
        self.dropped = Counter(
            "loki_dropped_lines_total", "Log lines never delivered to Loki, by reason", ["reason"], registry=registry
        )
        for result in ("sent", "dropped"):
            self.batches.labels(result)
        for reason in ("push_failed", "queue_full"):
            self.dropped.labels(reason)
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    # --- producing lines (in the request's path: cheap, never blocking) ---------------------------------------

    def ship(self, level: str, message: str, fields: Mapping[str, object]) -> None:
        if len(self.pending) >= self.max_pending:
            self.dropped.labels("queue_full").inc()
            return
        line = json.dumps({"level": level, "msg": message, **fields}, separators=(",", ":"), default=str)
        self.pending.append((level, str(time.time_ns()), line))

    def emit(self, record: logging.LogRecord) -> None:
        fields: dict[str, object] = {"logger": record.name}
        if record.exc_info and record.exc_info[0] is not None:
            fields["exception"] = record.exc_info[0].__name__
        level = "warning" if record.levelname == "WARN" else record.levelname.lower()
        self.ship(level, record.getMessage(), fields)

    def request(self, method: str, route: str, status: int, seconds: float, trace_id: str | None) -> None:
        """The access line of one answered request (level info: the status says how it went)."""
        fields: dict[str, object] = {"method": method, "route": route, "status": status,
                                     "duration_ms": round(seconds * 1000, 3)}  # fmt: skip
        if trace_id:
            fields["trace_id"] = trace_id
        self.ship("info", "request", fields)

    # --- pushing (a background task on the service's loop) ----------------------------------------------------

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=PUSH_TIMEOUT_SECONDS)
        self._session = aiohttp.ClientSession(timeout=timeout)
        self._task = asyncio.create_task(self._run(), name="loki-push")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.push_pending()  # what the last second logged
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self.push_pending()

    async def push_pending(self) -> None:
        while self.pending:
            batch = [self.pending.popleft() for _ in range(min(BATCH_LINES, len(self.pending)))]
            await self._push(batch)

    async def _push(self, batch: list[tuple[str, str, str]]) -> None:
        problem = await self._post(push_body(batch))
        if problem is None:
            self.batches.labels("sent").inc()
            return
        self.batches.labels("dropped").inc()
        self.dropped.labels("push_failed").inc(len(batch))
        push_log.warning("dropped a batch of %d log lines: %s", len(batch), problem)

    async def _post(self, body: dict[str, object]) -> str | None:
        if self._session is None:
            return "the pusher is not running"
        try:
            async with self._session.post(self.push_url, json=body, headers=self.headers) as response:
                if response.status // 100 == 2:
                    return None
                return f"Loki answered HTTP {response.status}: {(await response.text())[:200]}"
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return f"cannot reach {self.push_url}: {error or type(error).__name__}"


def push_body(batch: list[tuple[str, str, str]]) -> dict[str, object]:
    """Loki's push JSON: one stream per level, timestamps as strings of unix nanoseconds."""
    streams: dict[str, list[list[str]]] = {}
    for level, timestamp, line in batch:
        streams.setdefault(level, []).append([timestamp, line])
    return {
        "streams": [
            {"stream": {"app": APP_LABEL, "level": level}, "values": values} for level, values in streams.items()
        ]
    }


LOGS = web.AppKey("loki_logs", LokiLogs)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    logs = app[LOGS]
    logger = logging.getLogger(SERVICE_LOGGER)
    await logs.start()
    logger.addHandler(logs)
    try:
        yield
    finally:
        logger.removeHandler(logs)
        await logs.stop()


def install_logs(app: web.Application, url: str | None, tenant: str | None, registry: CollectorRegistry) -> None:
    """Ship the service's logs to Loki at `url`; nothing at all when `url` is None."""
    if not url:
        return
    app[LOGS] = LokiLogs(url, registry, tenant=tenant)
    app.cleanup_ctx.append(_lifecycle)
