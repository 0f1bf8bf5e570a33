"""A small real HTTP server for the tests, a target under load: counts every request it receives, by method
and path.

`/fail` answers 500, `/slow` waits `delay` seconds, `/api/v1/auth/token` answers an access token, `/v1/traces`
stores OTLP/HTTP export bodies, everything else answers 200 with a small JSON body. Request headers are kept
(bounded) so tests can check the propagation headers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http_server import FakeHttpServer


class CountingServer(FakeHttpServer):
    protocol_version = "HTTP/1.1"

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.counts: Counter[tuple[str, str]] = Counter()
        self.headers: deque[dict[str, str]] = deque(maxlen=1000)
        self.trace_exports: list[bytes] = []
        self.lock = threading.Lock()
        super().__init__()

    def total(self, exclude: tuple[str, ...] = ("/v1/traces",)) -> int:
        with self.lock:
            return sum(n for (_method, path), n in self.counts.items() if path not in exclude)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        body = self.body(request)
        path = request.path.split("?", 1)[0]
        with self.lock:
            self.counts[(request.command, path)] += 1
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            if path == "/v1/traces":
                self.trace_exports.append(body)
        status, payload = self._route(path)
        self.reply(request, status, json.dumps(payload), "application/json")

    def _route(self, path: str) -> tuple[int, dict[str, Any]]:
        if path == "/fail":
            return 500, {"status": "error"}
        if path == "/api/v1/auth/token":
            return 200, {"access_token": "test-token"}
        if path == "/v1/traces":
            return 200, {}
        if path == "/slow":
            time.sleep(self.delay)
        return 200, {"status": "success"}
