"""A fake Prometheus HTTP API on 127.0.0.1 for the tests: real HTTP, answers replayed from the responses
recorded from Prometheus 2.42 (tests/fixtures/prometheus-2.42), and test hooks for what happens to a
real Prometheus or the proxy in front of it:

- `fail_next(path, statuses)`: the next requests to `path` get these statuses (503 while it restarts, 429 from a
  rate-limiting proxy), with the error envelope Prometheus (or a plain body a proxy) sends;
- `delay(path, seconds)`: answers to `path` come that late (an overloaded server); `stop()` releases every
  waiting request at once;
- `token`: requests without `Authorization: Bearer <token>` get a proxy's 401 (`echo_auth`: whose body quotes the
  credential it rejected, as some gateways do);
- `tls`: (certificate, key) to serve HTTPS.

Every request is recorded (path, query parameters, headers) so a test can check exactly what slocheck sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import FakeHttpServer
from tests.support.recorded import PROMETHEUS

FIXTURES = PROMETHEUS
INSTANT = "/api/v1/query"
RANGE = "/api/v1/query_range"
FORMAT = "/api/v1/format_query"
# The recorded instant answer: one series, demo:error_ratio:rate1m = 0.04608501118568232.
RECORDED_VALUE = 0.04608501118568232
EMPTY_VECTOR = {"status": "success", "data": {"resultType": "vector", "result": []}}


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass(frozen=True)
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class FakePrometheus(FakeHttpServer):
    protocol_version = "HTTP/1.1"

    def __init__(
        self,
        *,
        instant_body: bytes | None = None,
        token: str | None = None,
        echo_auth: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.instant_body = instant_body if instant_body is not None else recorded("query_recording_rule.json")
        self.range_body = recorded("query_range_error_ratio.json")
        self.token = token
        self.echo_auth = echo_auth
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.requests: list[Seen] = []
        self._failures: dict[str, deque[int]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        super().__init__(tls=tls)

    def stop(self) -> None:
        self.released.set()
        super().stop()

    # --- hooks --------------------------------------------------------------------------------------------------

    def fail_next(self, path: str, statuses: list[int]) -> None:
        with self.lock:
            self._failures[path].extend(statuses)

    def delay(self, path: str, seconds: float) -> None:
        with self.lock:
            self._delays[path] = seconds

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append(Seen(path, params, headers))
            failure = self._failures[path].popleft() if self._failures[path] else None
            delay = self._delays.get(path, 0.0)
        if delay:
            self.released.wait(delay)
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            if self.echo_auth:  # some gateways quote the credential they rejected
                return 401, f"invalid credential: {headers.get('authorization', '')}\n".encode()
            return 401, b"Unauthorized\n"  # what an authenticating proxy in front of Prometheus answers
        if failure == 429:
            return 429, b"Too Many Requests\n"
        if failure is not None:
            body = {"status": "error", "errorType": "unavailable", "error": "Service Unavailable"}
            return failure, json.dumps(body).encode()
        if path == "/-/ready":
            return 200, b"Prometheus Server is Ready.\n"
        if path == FORMAT:
            return 200, json.dumps({"status": "success", "data": params.get("query", "")}).encode()
        if path == INSTANT:
            return 200, self.instant_body
        if path == RANGE:
            return 200, self.range_body
        return 404, b"404 page not found\n"

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw = self.body(request)
        if raw:  # prometheus-api-client may POST a form
            params.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, body = self.answer(parts.path, params, headers)
        kind = "application/json" if body.startswith(b"{") else "text/plain; charset=utf-8"
        with contextlib.suppress(OSError):  # the client gave up (its timeout) before the answer
            self.reply(request, status, body, kind)
