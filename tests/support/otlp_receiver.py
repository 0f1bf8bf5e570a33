"""An OTLP/HTTP trace receiver on 127.0.0.1 (POST /v1/traces, protobuf), decoding with opentelemetry-proto."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.support.http_server import FakeHttpServer


def _value(value: AnyValue) -> object:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    status_code: int
    attributes: dict[str, object]
    start_ns: int = 0
    end_ns: int = 0


def decode(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    """Every span of an OTLP export request, with its resource's service.name."""
    received = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                received.append(ReceivedSpan(
                    str(resource.get("service.name")), span.trace_id.hex(), span.span_id.hex(),
                    span.parent_span_id.hex(), span.name, span.kind, span.status.code,
                    {a.key: _value(a.value) for a in span.attributes},
                    span.start_time_unix_nano, span.end_time_unix_nano,
                ))  # fmt: skip
    return received


@dataclass
class OtlpReceiver(FakeHttpServer):
    methods = ("POST",)

    spans: list[ReceivedSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        super().__init__()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        self.accept(ExportTraceServiceRequest.FromString(self.body(request)))
        self.reply(request, 200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def accept(self, request: ExportTraceServiceRequest) -> None:
        received = decode(request)
        with self.lock:
            self.spans.extend(received)

    def wait_for(self, predicate: Callable[[list[ReceivedSpan]], bool], timeout: float = 20.0) -> list[ReceivedSpan]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                spans = list(self.spans)
            if predicate(spans) or time.monotonic() > deadline:
                return spans
            time.sleep(0.1)
