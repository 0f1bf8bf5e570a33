"""Client spans of a load run as real OTLP/HTTP protobuf, encoded and sent in batches off the request path.

A sampled request leaves one `SpanRecord` tuple in a list (no SDK objects); `SpanBatches` encodes the pending
records every second in a greenlet as one `ExportTraceServiceRequest` (the fields the OpenTelemetry SDK sends:
resource `service.name` and `slocheck.run_id`, scope `slocheck.load`, span kind CLIENT, the request attributes,
`http.response.status_code`, an ERROR status) and POSTs it to the collector's `/v1/traces`, with the headers and
compression of the OpenTelemetry exporter environment variables (`exporter_options`).
"""

from __future__ import annotations

import gzip
import os
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from slocheck.core.errors import ConfigError

SCOPE = "slocheck.load"
DEFAULT_TRACES_URL = "http://localhost:4318/v1/traces"
_EXPORT_TIMEOUT_SECONDS = 10.0


class SpanRecord(NamedTuple):
    trace_id: int
    span_id: int
    start_ns: int
    end_ns: int
    method: str
    name: str
    url: str
    status: int | None  # the HTTP status, None when the request raised
    error: str | None  # the exception type when the request raised


def traces_url(endpoint: str | None) -> str:
    """`http://collector:4318` → `.../v1/traces` (a URL with a path is kept); else the OTLP environment variables."""
    if endpoint:
        return endpoint.rstrip("/") + "/v1/traces" if urlsplit(endpoint).path in ("", "/") else endpoint
    if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return base.rstrip("/") + "/v1/traces" if base else DEFAULT_TRACES_URL


def _setting(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """(variable, value) of `OTEL_EXPORTER_OTLP_TRACES_<name>`, else of `OTEL_EXPORTER_OTLP_<name>`: the
    signal-specific variable wins as a whole, as in the OpenTelemetry SDKs."""
    for variable in (f"OTEL_EXPORTER_OTLP_TRACES_{name}", f"OTEL_EXPORTER_OTLP_{name}"):
        if env.get(variable, "").strip():
            return variable, env[variable]
    return None


def parse_headers(variable: str, value: str) -> dict[str, str]:
    """`key1=value1,key2=value2` (the W3C baggage format the OpenTelemetry spec prescribes; values
    percent-decoded) → headers."""
    headers: dict[str, str] = {}
    for member in value.split(","):
        if not member.strip():
            continue
        key, equals, text = member.partition("=")
        if not equals or not key.strip():
            raise ConfigError(
                f'{variable}: "{member.strip()}" is not key=value; write headers as key1=value1,key2=value2 '
                "(percent-encode commas and spaces in values)"
            )
        headers[unquote(key.strip())] = unquote(text.strip())
    return headers


def exporter_options(env: Mapping[str, str] | None = None) -> tuple[dict[str, str], bool]:
    """(extra headers, gzip?) from `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS` and `…_COMPRESSION` (`gzip` or `none`)."""
    env = os.environ if env is None else env
    found = _setting(env, "HEADERS")
    headers = parse_headers(*found) if found else {}
    compression = _setting(env, "COMPRESSION")
    kind = compression[1].strip().lower() if compression else "none"
    if compression and kind not in ("gzip", "none"):
        raise ConfigError(f'{compression[0]}: "{compression[1]}" is not a supported compression; use gzip or none')
    return headers, kind == "gzip"


def _text(key: str, value: str) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(string_value=value))


def encode(records: list[SpanRecord], resource: dict[str, str], run_id: str) -> bytes:
    """One OTLP/HTTP protobuf export request holding every record."""
    spans = [_span(record, run_id) for record in records]
    scope = ScopeSpans(scope=InstrumentationScope(name=SCOPE), spans=spans)
    attributes = [_text(k, v) for k, v in resource.items()]
    body = ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(resource=Resource(attributes=attributes), scope_spans=[scope])]
    )
    serialized: bytes = body.SerializeToString()
    return serialized


def _span(record: SpanRecord, run_id: str) -> Span:
    method = record.method.upper()
    attributes = [
        _text("http.request.method", method),
        _text("url.full", record.url),
        _text("locust.request.name", record.name),
        _text("slocheck.run_id", run_id),
    ]
    status = Status()
    if record.status is not None:
        attributes.append(KeyValue(key="http.response.status_code", value=AnyValue(int_value=record.status)))
        if record.status == 0 or record.status >= 400:
            message = f"HTTP {record.status}" if record.status else "no response"
            status = Status(code=Status.STATUS_CODE_ERROR, message=message)
    elif record.error is not None:
        status = Status(code=Status.STATUS_CODE_ERROR, message=record.error)
    return Span(
        trace_id=record.trace_id.to_bytes(16, "big"),
        span_id=record.span_id.to_bytes(8, "big"),
        name=f"{method} {record.name}",
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=record.start_ns,
        end_time_unix_nano=record.end_ns,
        attributes=attributes,
        status=status,
    )


def post(url: str, headers: Mapping[str, str] | None = None, compress: bool | None = None) -> Callable[[bytes], None]:
    """An export function POSTing OTLP protobuf to `url` (a failed export loses that batch, never the run), with
    the headers and compression of `exporter_options()` unless given."""
    if headers is None or compress is None:
        env_headers, env_compress = exporter_options()
        headers = env_headers if headers is None else headers
        compress = env_compress if compress is None else compress
    fixed = {**headers, "Content-Type": "application/x-protobuf"}
    if compress:
        fixed["Content-Encoding"] = "gzip"

    def send(body: bytes) -> None:
        data = gzip.compress(body, compresslevel=6) if compress else body
        request = urllib.request.Request(url, data=data, method="POST", headers=fixed)
        try:
            with urllib.request.urlopen(request, timeout=_EXPORT_TIMEOUT_SECONDS) as response:
                response.read()
        except OSError:
            pass

    return send


class SpanBatches:
    """Pending span records, exported every `interval` seconds by a greenlet and on `close()`.

    Delivery is at most once: a collector has a batch before it answers, so a batch whose export was cut short is
    never sent again (a resent batch counted every span twice). `close()` lets an export in flight finish, within
    the export timeout, before it sends what is left.
    """

    def __init__(self, export: Callable[[bytes], None], resource: dict[str, str], run_id: str, interval: float = 1.0):
        self.pending: list[SpanRecord] = []
        self.export, self.resource, self.run_id, self.interval = export, resource, run_id, interval
        self._greenlet: Any = None
        self._stopping: Any = None

    def start(self) -> None:
        import gevent
        from gevent.event import Event

        self._stopping = Event()
        self._greenlet = gevent.spawn(self._loop)

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            self.flush()

    def flush(self) -> None:
        records, self.pending = self.pending, []
        if records:
            self.export(encode(records, self.resource, self.run_id))

    def close(self) -> None:
        if self._greenlet is not None:
            self._stopping.set()
            self._greenlet.join(timeout=_EXPORT_TIMEOUT_SECONDS + 1.0)
            self._greenlet.kill(block=True)  # an export still hanging: its batch is given up, not resent
            self._greenlet = None
        self.flush()
