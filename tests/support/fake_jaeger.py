"""A contract-faithful fake Jaeger query service on 127.0.0.1: real HTTP, behaviour from Jaeger's query API docs,
Jaeger's own api_v3 gateway and the fixtures in tests/fixtures/jaeger.

- api_v3 `GET /api/v3/traces`: snake_case `query.*` parameters; start_time_min/max required (400
  `{"error":{"httpCode":400,"message":"… are required"}}`, written with http.Error: text/plain), RFC3339Nano,
  `query.num_traces` honoured (default 100), `query.attributes` a JSON map; an empty search is 404
  `{"error":{"httpCode":404,"message":"No traces found"}}`. Bodies are OTLP-JSON like FindTraces.json: kind and
  status code as numbers, times as strings of nanoseconds.
- v1 `GET /api/traces`: `service` required (400 envelope), µs `start`/`end`, `limit`, `tags` JSON; the envelope
  `{"data":[…],"total":0,"limit":0,"offset":0,"errors":null}` of jaeger_v1_structured_response.json. Error spans
  carry `error`=true (bool) and `otel.status_code`=ERROR, as Jaeger writes them when it converts OTLP.
- Modes: "new" (main after jaeger#9260: v1 search gone, 404) and "old" (before api_v3: /api/v3 is a 404 from
  the router), "both" (v2.0–2.20: both), and "none" (not a Jaeger query service).
- Like Jaeger's stores, a search returns the most recent matching traces first, at most the limit.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import FakeHttpServer

KINDS = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
NOT_FOUND = "404 page not found\n"


@dataclass
class FakeSpan:
    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str
    start_ns: int
    duration_ns: int
    error: bool = False
    attributes: dict[str, object] = field(default_factory=dict)
    resource: dict[str, object] = field(default_factory=dict)

    def tag_map(self) -> dict[str, str]:
        merged = {**self.resource, **self.attributes}
        return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in merged.items()}


def _otlp_value(value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _otlp_attributes(values: dict[str, object]) -> list[dict[str, object]]:
    return [{"key": k, "value": _otlp_value(v)} for k, v in values.items()]


def _v1_tag(key: str, value: object) -> dict[str, object]:
    kind = "bool" if isinstance(value, bool) else "int64" if isinstance(value, int) else "string"
    kind = "float64" if isinstance(value, float) else kind
    return {"key": key, "type": kind, "value": value}


def v3_body(traces: list[list[FakeSpan]]) -> dict[str, Any]:
    resource_spans = []
    for spans in traces:
        by_service: dict[str, list[FakeSpan]] = {}
        for span in spans:
            by_service.setdefault(span.service, []).append(span)
        for service, members in by_service.items():
            resource = {"service.name": service, **members[0].resource}
            otlp = [_v3_span(span) for span in members]
            resource_spans.append({"resource": {"attributes": _otlp_attributes(resource)},
                                   "scopeSpans": [{"scope": {}, "spans": otlp}]})  # fmt: skip
    return {"result": {"resourceSpans": resource_spans}}


def _v3_span(span: FakeSpan) -> dict[str, object]:
    raw: dict[str, object] = {
        "traceId": span.trace_id,
        "spanId": span.span_id,
        "name": span.name,
        "kind": KINDS[span.kind],
        "startTimeUnixNano": str(span.start_ns),
        "endTimeUnixNano": str(span.start_ns + span.duration_ns),
        "attributes": _otlp_attributes(span.attributes),
        "status": {"code": 2} if span.error else {},
    }
    if span.parent_id:
        raw["parentSpanId"] = span.parent_id
    return raw


def v1_trace(spans: list[FakeSpan], legacy_error_string: bool = False) -> dict[str, Any]:
    services = sorted({s.service for s in spans})
    process_ids = {service: f"p{i + 1}" for i, service in enumerate(services)}
    processes = {
        process_ids[s.service]: {"serviceName": s.service, "tags": [_v1_tag(k, v) for k, v in s.resource.items()]}
        for s in spans
    }
    v1_spans = []
    for span in spans:
        tags = [_v1_tag(k, v) for k, v in span.attributes.items()] + [_v1_tag("span.kind", span.kind)]
        if span.error:
            tags += [{"key": "error", "type": "bool", "value": "true" if legacy_error_string else True},
                     _v1_tag("otel.status_code", "ERROR")]  # fmt: skip
        references = [{"refType": "CHILD_OF", "traceID": span.trace_id, "spanID": span.parent_id}]
        v1_spans.append({
            "traceID": span.trace_id, "spanID": span.span_id, "operationName": span.name,
            "references": references if span.parent_id else [], "startTime": span.start_ns // 1000,
            "duration": span.duration_ns // 1000, "tags": tags, "logs": [], "processID": process_ids[span.service],
            "warnings": None,
        })  # fmt: skip
    return {"traceID": spans[0].trace_id, "spans": v1_spans, "processes": processes, "warnings": None}


def envelope(data: object, errors: list[dict[str, object]] | None = None) -> dict[str, Any]:
    return {"data": data, "total": 0, "limit": 0, "offset": 0, "errors": errors}


def _rfc3339_ns(text: str) -> int:
    """Go's time.Parse(RFC3339Nano): any fraction length; Python's datetime keeps microseconds."""
    head, _, fraction = text.rstrip("Z").partition(".")
    whole = datetime.fromisoformat(head + "+00:00")
    return int(whole.timestamp()) * 10**9 + int((fraction + "000000000")[:9] or 0)


class BadRequest(Exception):
    pass


@dataclass
class FakeJaeger(FakeHttpServer):
    methods = ("GET",)

    mode: str = "both"
    legacy_error_string: bool = False
    traces: dict[str, list[FakeSpan]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        super().__init__()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        self.handle(request)

    def add(self, spans: list[FakeSpan]) -> None:
        with self.lock:
            self.traces.setdefault(spans[0].trace_id, []).extend(spans)

    def searches(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [params for p, params in self.requests if p == path]

    # --- HTTP ----------------------------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append((parts.path, params))
        if parts.path == "/api/v3/traces" and self.mode in ("both", "new"):
            return self.v3_search(request, params)
        if parts.path == "/api/traces" and self.mode in ("both", "old"):
            return self.v1_search(request, params)
        return self.reply(request, 404, NOT_FOUND, "text/plain; charset=utf-8")

    def v3_error(self, request: BaseHTTPRequestHandler, status: int, message: str) -> None:
        body = json.dumps({"error": {"httpCode": status, "message": message}}) + "\n"
        self.reply(request, status, body, "text/plain; charset=utf-8")  # http.Error

    def v3_search(self, request: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        low, high = params.get("query.start_time_min"), params.get("query.start_time_max")
        if not low or not high:
            message = "query.start_time_min and query.start_time_max are required"
            return self.v3_error(request, 400, message)
        try:
            start, end = _rfc3339_ns(low), _rfc3339_ns(high)
            limit = int(params.get("query.num_traces") or 100)
            attributes = json.loads(params.get("query.attributes") or "{}")
        except ValueError as exc:
            return self.v3_error(request, 400, f"malformed parameter: {exc}")
        found = self.find(params.get("query.service_name", ""), params.get("query.operation_name"), attributes,
                          start, end, limit)  # fmt: skip
        if not found:
            return self.v3_error(request, 404, "No traces found")
        return self.reply(request, 200, json.dumps(v3_body(found)), "application/json")

    def v1_search(self, request: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        service = params.get("service")
        if not service:
            errors = [{"code": 400, "msg": "parameter 'service' is required"}]
            return self.reply(request, 400, json.dumps(envelope(None, errors)) + "\n", "text/plain; charset=utf-8")
        start = int(params.get("start") or 0) * 1000
        end = int(params.get("end") or 2**62 // 1000) * 1000
        limit = int(params.get("limit") or 100)
        found = self.find(service, params.get("operation"), json.loads(params.get("tags") or "{}"), start, end, limit)
        data = [v1_trace(spans, self.legacy_error_string) for spans in found]
        return self.reply(request, 200, json.dumps(envelope(data)), "application/json")

    def find(
        self, service: str, operation: str | None, attributes: dict[str, str], start: int, end: int, limit: int
    ) -> list[list[FakeSpan]]:
        """Traces with a span of `service` (and the operation and attributes) starting within [start, end]."""

        def matches(span: FakeSpan) -> bool:
            tags = span.tag_map()
            named = span.service == service and (not operation or span.name == operation)
            return named and all(tags.get(k) == str(v) for k, v in attributes.items()) and start <= span.start_ns <= end

        with self.lock:
            hits = [spans for spans in self.traces.values() if any(matches(s) for s in spans)]
        hits.sort(key=lambda spans: -min(s.start_ns for s in spans))
        return hits[:limit]
