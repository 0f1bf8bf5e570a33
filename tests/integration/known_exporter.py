"""A tiny exporter whose metric values are known, so Prometheus' answers (and verdicts) are known."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class KnownExporter:
    """Serves `render(seconds since start)` as Prometheus text on 127.0.0.1 (default: this module's metrics)."""

    def __init__(self, render: Callable[[float], str] = exposition) -> None:
        started = time.monotonic()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = render(time.monotonic() - started).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> KnownExporter:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
