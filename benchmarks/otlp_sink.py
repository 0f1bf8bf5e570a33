"""A tiny OTLP/HTTP trace receiver for the tracing benchmark: answers 200 to POST /v1/traces and counts the
spans it received (GET /count → {"requests": n, "spans": n}).

    python -m benchmarks.otlp_sink --port 4318
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


class _Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.spans = 0


COUNTS = _Counts()


def span_count(body: bytes) -> int:
    """Spans in one OTLP/HTTP protobuf export request."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    return sum(len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        spans = span_count(body) if self.path.rstrip("/").endswith("/v1/traces") else 0
        with COUNTS.lock:
            COUNTS.requests += 1
            COUNTS.spans += spans
        self._answer(200, b"", "application/x-protobuf")

    def do_GET(self) -> None:
        with COUNTS.lock:
            body = json.dumps({"requests": COUNTS.requests, "spans": COUNTS.spans}).encode()
        self._answer(200, body, "application/json")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), _Handler)
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
