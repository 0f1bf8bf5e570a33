"""A tiny ground-truth target: every response's own handling time and status go to a JSON-lines log.

GET /work sleeps a latency from a fixed cycle and answers 500 on exactly every `--fail-every`-th request.
Its Prometheus metrics create label sets on first use (as most services do), so every series is born under
load. Run: python tests/truth/target.py --port P --log FILE [--fail-every N].
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from typing import IO

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

BUCKETS = (0.1, 0.25, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.0)
LATENCIES = tuple(0.4 + 0.05 * i for i in range(13))  # 400 ms … 1000 ms


def build(log: IO[str], fail_every: int) -> web.Application:
    registry = CollectorRegistry()
    requests = Counter("truth_requests_total", "requests answered", ["status"], registry=registry)
    duration = Histogram("truth_request_duration_seconds", "handling time", buckets=BUCKETS, registry=registry)
    numbers = itertools.count(1)

    async def work(_: web.Request) -> web.Response:
        started = time.perf_counter()
        number = next(numbers)
        await asyncio.sleep(LATENCIES[number % len(LATENCIES)])
        status = 500 if fail_every and number % fail_every == 0 else 200
        seconds = time.perf_counter() - started
        requests.labels(str(status)).inc()
        duration.observe(seconds)
        log.write(json.dumps({"n": number, "status": status, "seconds": seconds}) + "\n")
        log.flush()
        return web.Response(status=status, text="ok" if status == 200 else "fail")

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(registry), content_type="text/plain")

    app = web.Application()
    app.router.add_get("/work", work)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health", health)
    return app


async def health(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail-every", type=int, default=0)
    options = parser.parse_args()
    with open(options.log, "a", encoding="utf-8") as log:
        web.run_app(build(log, options.fail_every), host="127.0.0.1", port=options.port, print=None)


if __name__ == "__main__":
    main()
