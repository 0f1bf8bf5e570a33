"""The one base for every fake HTTP server in the tests: a real threaded `http.server` on 127.0.0.1, a free port,
optional TLS (a (certificate, key) pair, e.g. from `tests.support.tls.self_signed_certificate`), start/stop as a
context manager, and `.url`.

A fake subclasses `FakeHttpServer` and implements `serve(request)`, answering with `reply(...)` (or writing to the
request itself). Class attributes pick what the real server speaks: `methods` (others get http.server's 501),
`protocol_version` ("HTTP/1.1" keeps connections open) and `server_version` (the Server header).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self, TypeVar


class FakeHttpServer:
    methods: tuple[str, ...] = ("GET", "POST")
    protocol_version = "HTTP/1.0"
    server_version = "BaseHTTP/0.6"

    def __init__(self, *, tls: tuple[str, str] | None = None) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._running = False

    # --- lifecycle --------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        port: int = self.httpd.server_address[1]
        return port

    @property
    def address(self) -> str:
        """host:port, as a Prometheus scrape target is written."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.address}"

    def start(self) -> Self:
        if not self._running:
            self._running = True
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (once; a server never started is only closed)."""
        if self._running:
            self._running = False
            self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # --- HTTP -------------------------------------------------------------------------------------------------

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one request (`request.command`, `.path`, `.headers`, `.rfile`); subclasses implement it."""
        raise NotImplementedError

    @staticmethod
    def body(request: BaseHTTPRequestHandler) -> bytes:
        length = int(request.headers.get("Content-Length") or 0)
        return request.rfile.read(length) if length else b""

    @staticmethod
    def reply(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes | str,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        request.send_response(status)
        if content_type:
            request.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


def _handler(fake: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    def answer(request: BaseHTTPRequestHandler) -> None:
        fake.serve(request)

    def log_message(request: BaseHTTPRequestHandler, format: str, *args: object) -> None:
        return

    attributes: dict[str, object] = {f"do_{method}": answer for method in fake.methods}
    attributes.update(
        log_message=log_message, protocol_version=fake.protocol_version, server_version=fake.server_version
    )
    return type(f"{type(fake).__name__}Handler", (BaseHTTPRequestHandler,), attributes)


Fake = TypeVar("Fake", bound=FakeHttpServer)


def serving(fake: Fake) -> Iterator[Fake]:
    """For a pytest fixture: `yield from serving(FakeLoki())` starts it, yields it, stops it afterwards."""
    with fake:
        yield fake
