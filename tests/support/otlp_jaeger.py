"""A fake Jaeger that also ingests OTLP/HTTP (POST, protobuf), as Jaeger v2's collector does on :4318: spans a
service exports become searchable through the query APIs of `FakeJaeger`. For ground truth: what was exported is
exactly what the count objective must find."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.fake_jaeger import KINDS, FakeJaeger, FakeSpan
from tests.support.otlp_receiver import ReceivedSpan, decode

STATUS_ERROR = 2  # OTLP Status.STATUS_CODE_ERROR
_KIND_NAMES = {number: name for name, number in KINDS.items()}


@dataclass
class OtlpJaeger(FakeJaeger):
    methods = ("GET", "POST")  # type: ignore[assignment]  # the base fake speaks GET only

    exported: list[ReceivedSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.export_lock = threading.Lock()
        super().__post_init__()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        if request.command != "POST":
            return self.handle(request)
        spans = decode(ExportTraceServiceRequest.FromString(self.body(request)))
        with self.export_lock:
            self.exported.extend(spans)
        for span in spans:
            self.add([_fake_span(span)])
        return self.reply(request, 200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def exported_spans(self) -> list[ReceivedSpan]:
        with self.export_lock:
            return list(self.exported)


def _fake_span(span: ReceivedSpan) -> FakeSpan:
    return FakeSpan(
        span.trace_id, span.span_id, span.parent_id or None, span.service, span.name,
        _KIND_NAMES.get(span.kind, "internal"), span.start_ns, span.end_ns - span.start_ns,
        error=span.status_code == STATUS_ERROR, attributes=dict(span.attributes),
        resource={"service.name": span.service},
    )  # fmt: skip
