"""A fake Prometheus HTTP API on 127.0.0.1 for the tests: real HTTP, answers replayed from the responses
recorded from Prometheus 2.42 (tests/fixtures/prometheus-2.42), and test hooks for what happens to a
real Prometheus or the proxy in front of it:

- `fail_next(path, statuses)`: the next requests to `path` get these statuses (503 while it restarts, 429 from a
  rate-limiting proxy), with the error envelope Prometheus (or a plain body a proxy) sends;
- `delay(path, seconds)`: answers to `path` come that late (an overloaded server); `stop()` releases every
  waiting request at once;
- `token`: requests without `Authorization: Bearer <token>` get a proxy's 401 (`echo_auth`: whose body quotes the
  credential it rejected, as some gateways do, after `echo_padding` characters of page);
- `tls`: (certificate, key) to serve HTTPS;
- `misbehave(path, Misbehaviour)`: what a broken server or proxy does to answers on `path` (or every path): trickle
  the body a byte at a time, stall in the middle of it, send a huge body, redirect, or wrap an error in a 200. These
  act on any path, so the Loki, Jaeger and Grafana clients' fault tests use this fake as well.

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
class Misbehaviour:
    """One way to answer badly; see the `trickle`, `stall`, … constructors below."""

    kind: str
    seconds_per_byte: float = 0.0
    size: int = 0
    location: str = ""
    declare_length: bool = True


def trickle(seconds_per_byte: float) -> Misbehaviour:
    """The answer's headers at once, then its body one byte every `seconds_per_byte`."""
    return Misbehaviour("trickle", seconds_per_byte=seconds_per_byte)


def stall() -> Misbehaviour:
    """The headers and half the body, then nothing until the server stops."""
    return Misbehaviour("stall")


def huge(size: int, declare_length: bool = True) -> Misbehaviour:
    """A 200 whose JSON body is `size` bytes (with Content-Length, or chunked with `declare_length=False`)."""
    return Misbehaviour("huge", size=size, declare_length=declare_length)


def redirect(location: str) -> Misbehaviour:
    """A 302 to `location` (`{path}` and `{query}` in it are replaced by the request's)."""
    return Misbehaviour("redirect", location=location)


def error_in_200() -> Misbehaviour:
    """A 200 whose envelope says `"status": "error"` (older versions and some proxies do this)."""
    return Misbehaviour("error_in_200")


ERROR_IN_200 = {"status": "error", "errorType": "execution", "error": "query processing would load too many samples"}
ANY_PATH = "*"


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
        echo_padding: int = 0,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.instant_body = instant_body if instant_body is not None else recorded("query_recording_rule.json")
        self.range_body = recorded("query_range_error_ratio.json")
        self.token = token
        self.echo_auth = echo_auth
        self.echo_padding = echo_padding
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.requests: list[Seen] = []
        self._failures: dict[str, deque[int]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._misbehaviours: dict[str, Misbehaviour] = {}
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

    def misbehave(self, path: str, how: Misbehaviour) -> None:
        """Answer requests to `path` (ANY_PATH: every path) this way from now on."""
        with self.lock:
            self._misbehaviours[path] = how

    def misbehaviour(self, path: str) -> Misbehaviour | None:
        with self.lock:
            return self._misbehaviours.get(path) or self._misbehaviours.get(ANY_PATH)

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
                padding = "x" * self.echo_padding  # a long page before the quote: where a client cuts the body
                return 401, f"{padding}invalid credential: {headers.get('authorization', '')}\n".encode()
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
        how = self.misbehaviour(parts.path)
        if how is not None and status in (200, 404):  # any path: every backend's client meets it
            _misbehave(request, self, how, body if status == 200 else self.instant_body)
            return
        kind = "application/json" if body.startswith(b"{") else "text/plain; charset=utf-8"
        with contextlib.suppress(OSError):  # the client gave up (its timeout) before the answer
            self.reply(request, status, body, kind)


def _misbehave(handler: BaseHTTPRequestHandler, fake: FakePrometheus, how: Misbehaviour, body: bytes) -> None:
    try:
        if how.kind == "redirect":
            parts = urlsplit(handler.path)
            handler.send_response(302)
            handler.send_header("Location", how.location.format(path=parts.path, query=parts.query))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if how.kind == "error_in_200":
            body = json.dumps(ERROR_IN_200).encode()
        if how.kind == "huge":
            _send_huge(handler, how)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if how.kind == "trickle":
            for byte in body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                if fake.released.wait(how.seconds_per_byte):
                    return
        elif how.kind == "stall":
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            fake.released.wait()
        else:
            handler.wfile.write(body)
    except OSError:
        pass  # the client gave up


def _send_huge(handler: BaseHTTPRequestHandler, how: Misbehaviour) -> None:
    """`{"status":"success","data":{"resultType":"vector","result":[]},"padding":"xxxx…"}`, `how.size` bytes."""
    head, tail = b'{"status":"success","data":{"resultType":"vector","result":[]},"padding":"', b'"}'
    remaining = how.size - len(head) - len(tail)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if how.declare_length:
        handler.send_header("Content-Length", str(how.size))
    else:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    block = b"x" * (1 << 20)
    pieces = [head]
    while remaining > 0:
        pieces.append(block[: min(remaining, len(block))])
        remaining -= len(pieces[-1])
    pieces.append(tail)
    for piece in pieces:
        if how.declare_length:
            handler.wfile.write(piece)
        else:
            handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    if not how.declare_length:
        handler.wfile.write(b"0\r\n\r\n")
