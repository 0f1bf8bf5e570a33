"""A tiny exporter whose metric values are known, so Prometheus' answers (and verdicts) are known."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from tests.support.http_server import FakeHttpServer

# Gauges: fixed values. Counters: grow at a fixed rate per second, so rate() is known.
GAUGES = {
    'slocheck_test_latency_seconds{endpoint="/fast"}': 0.1,
    'slocheck_test_latency_seconds{endpoint="/slow"}': 0.7,
    'slocheck_test_nan_ratio{kind="zero"}': float("nan"),
    "slocheck_test_memory_bytes": 3 * 1024**3,
}
COUNTER_RATES = {
    'slocheck_test_requests_total{status="200"}': 99.0,
    'slocheck_test_requests_total{status="500"}': 1.0,
}


def exposition(elapsed: float) -> str:
    lines = ["# TYPE slocheck_test_latency_seconds gauge", "# TYPE slocheck_test_requests_total counter"]
    lines += [f"{name} {value}" for name, value in GAUGES.items()]
    lines += [f"{name} {rate * elapsed:.3f}" for name, rate in COUNTER_RATES.items()]
    return "\n".join(lines) + "\n"


class KnownExporter(FakeHttpServer):
    """Serves `render(seconds since start)` as Prometheus text on 127.0.0.1 (default: this module's metrics)."""

    methods = ("GET",)

    def __init__(self, render: Callable[[float], str] = exposition) -> None:
        self.render = render
        self.started = time.monotonic()
        super().__init__()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        body = self.render(time.monotonic() - self.started)
        self.reply(request, 200, body, "text/plain; version=0.0.4")
