"""A small real HTTP server for the load tests: counts every request it receives, by method and path.

`/fail` answers 500, `/slow` waits `delay` seconds, `/api/v1/auth/token` answers an access token, `/v1/traces`
stores OTLP/HTTP export bodies, everything else answers 200 with a small JSON body. Request headers are kept
(bounded) so tests can check the propagation headers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class CountingServer:
    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.counts: Counter[tuple[str, str]] = Counter()
        self.headers: deque[dict[str, str]] = deque(maxlen=1000)
        self.trace_exports: list[bytes] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def total(self, exclude: tuple[str, ...] = ("/v1/traces",)) -> int:
        with self.lock:
            return sum(n for (_method, path), n in self.counts.items() if path not in exclude)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: CountingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            with server.lock:
                server.counts[(self.command, path)] += 1
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if path == "/v1/traces":
                    server.trace_exports.append(body)
            status, payload = self._route(path)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, path: str) -> tuple[int, dict[str, Any]]:
            if path == "/fail":
                return 500, {"status": "error"}
            if path == "/api/v1/auth/token":
                return 200, {"access_token": "test-token"}
            if path == "/v1/traces":
                return 200, {}
            if path == "/slow":
                time.sleep(server.delay)
            return 200, {"status": "success"}

    return Handler
