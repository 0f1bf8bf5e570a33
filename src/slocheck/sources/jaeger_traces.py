"""Jaeger's answers as slocheck's own trace types: pure `parse_*` functions for api_v3 (OTLP-JSON) and the v1
JSON of jaeger-ui, tested on Jaeger's own fixtures. Nothing here does I/O.

An error span is OTLP status ERROR (api_v3 `status.code` 2), or a tag `error` that is true (the bool, or the
string "true" that legacy data holds), or `otel.status_code=ERROR` (what Jaeger writes when it converts OTLP).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# OTLP span kinds by number; Jaeger's v1 `span.kind` tag uses the same words. Unspecified counts as internal.
SPAN_KINDS = {0: "internal", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
STATUS_ERROR = 2
NO_TRACES_FOUND = "no traces found"


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str
    start_ns: int
    duration_ns: int
    error: bool
    # The span's attributes over its resource's (process tags in v1), values as text.
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Trace:
    trace_id: str
    spans: tuple[Span, ...]


class JaegerAnswerError(ValueError):
    """The body is not what the API promises; the adapter names the backend and the URL."""


def attribute_text(value: object) -> str:
    """Attribute values compare as text: booleans `true`/`false`, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def is_error(attributes: Mapping[str, str], status_code: object = None) -> bool:
    return (
        status_code in (STATUS_ERROR, str(STATUS_ERROR), "STATUS_CODE_ERROR")
        or attributes.get("error", "").lower() == "true"
        or attributes.get("otel.status_code", "").upper() == "ERROR"
    )


def _group(spans: Iterable[Span]) -> list[Trace]:
    """Spans by trace, exact duplicates dropped (Jaeger's own fixtures hold some; a span ID may repeat)."""
    by_trace: dict[str, dict[tuple[object, ...], Span]] = {}
    for span in spans:
        key = (span.span_id, span.name, span.start_ns, span.duration_ns, span.parent_id, span.service)
        by_trace.setdefault(span.trace_id, {}).setdefault(key, span)
    return [Trace(trace_id, tuple(unique.values())) for trace_id, unique in by_trace.items()]


# --- api_v3 (OTLP-JSON) ---------------------------------------------------------------------------------------


def _otlp_value(value: Any) -> object:
    if not isinstance(value, dict) or not value:
        return ""
    kind, inner = next(iter(value.items()))
    if kind == "arrayValue":
        return [_otlp_value(v) for v in (inner or {}).get("values") or ()]
    if kind == "kvlistValue":
        return {str(kv.get("key")): _otlp_value(kv.get("value")) for kv in (inner or {}).get("values") or ()}
    if kind == "intValue":
        return int(inner)
    return inner


def otlp_attributes(items: Any) -> dict[str, str]:
    """`[{"key": "k", "value": {"stringValue": "v"}}]` → {"k": "v"}."""
    return {str(item.get("key")): attribute_text(_otlp_value(item.get("value"))) for item in items or ()}


def _v3_kind(kind: object) -> str:
    if isinstance(kind, str):
        return kind.removeprefix("SPAN_KIND_").lower().replace("unspecified", "internal")
    return SPAN_KINDS.get(kind if isinstance(kind, int) else 0, "internal")


def _v3_span(raw: dict[str, Any], resource: Mapping[str, str]) -> Span:
    attributes = {**resource, **otlp_attributes(raw.get("attributes"))}
    start = int(raw.get("startTimeUnixNano") or 0)
    end = int(raw.get("endTimeUnixNano") or start)
    status = (raw.get("status") or {}).get("code")
    return Span(
        trace_id=str(raw["traceId"]).lower(),
        span_id=str(raw["spanId"]).lower(),
        parent_id=str(raw.get("parentSpanId") or "").lower() or None,
        service=resource.get("service.name", ""),
        name=str(raw.get("name", "")),
        kind=_v3_kind(raw.get("kind")),
        start_ns=start,
        duration_ns=max(0, end - start),
        error=is_error(attributes, status),
        attributes=attributes,
    )


def parse_v3_traces(body: Any) -> list[Trace]:
    """`GET /api/v3/traces` → traces. The spans of several traces arrive merged per resource."""
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise JaegerAnswerError("the answer has no result object")
    spans: list[Span] = []
    for resource_spans in result.get("resourceSpans") or ():
        resource = otlp_attributes((resource_spans.get("resource") or {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans") or ():
            spans.extend(_v3_span(raw, resource) for raw in scope_spans.get("spans") or ())
    return _group(spans)


def v3_error_message(text: str) -> str:
    """`{"error":{"httpCode":400,"message":"…"}}` → the message; any other body as it is."""
    try:
        error = json.loads(text).get("error")
        return str(error["message"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return " ".join(text.split())


def is_no_traces_found(text: str) -> bool:
    """api_v3 answers an empty search with 404 and this message; a 404 without it means no api_v3 route."""
    return v3_error_message(text).strip().lower() == NO_TRACES_FOUND


# --- v1 (jaeger-ui's JSON) -------------------------------------------------------------------------------------


def _tags(items: Any) -> dict[str, str]:
    return {str(tag.get("key")): attribute_text(tag.get("value")) for tag in items or ()}


def _v1_parent(raw: dict[str, Any], trace_id: str) -> str | None:
    references = [r for r in raw.get("references") or () if str(r.get("traceID", "")).lower() == trace_id]
    for kind in ("CHILD_OF", "FOLLOWS_FROM"):
        for reference in references:
            if reference.get("refType") == kind:
                return str(reference.get("spanID", "")).lower() or None
    return None


def _v1_span(raw: dict[str, Any], processes: Mapping[str, Any]) -> Span:
    process = processes.get(str(raw.get("processID")), {}) or {}
    attributes = {**_tags(process.get("tags")), **_tags(raw.get("tags"))}
    trace_id = str(raw["traceID"]).lower()
    return Span(
        trace_id=trace_id,
        span_id=str(raw["spanID"]).lower(),
        parent_id=_v1_parent(raw, trace_id),
        service=str(process.get("serviceName", "")),
        name=str(raw.get("operationName", "")),
        kind=attributes.get("span.kind", "internal").lower(),
        start_ns=int(raw.get("startTime") or 0) * 1000,
        duration_ns=int(raw.get("duration") or 0) * 1000,
        error=is_error(attributes),
        attributes=attributes,
    )


def parse_v1_trace(trace: Any) -> list[Span]:
    """One element of the v1 envelope's `data`: `{"traceID", "spans", "processes"}`."""
    if not isinstance(trace, dict):
        raise JaegerAnswerError("a trace is not an object")
    processes = trace.get("processes") or {}
    return [_v1_span(raw, processes) for raw in trace.get("spans") or ()]


def v1_errors(body: Any) -> list[str]:
    """The messages of the v1 envelope's `errors` (null when there are none)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in errors or ()]


def parse_v1_traces(body: Any) -> list[Trace]:
    """`GET /api/traces` → traces, from the envelope `{"data": [...], "errors": null, ...}`."""
    if not isinstance(body, dict) or "data" not in body:
        raise JaegerAnswerError("the answer is not a Jaeger envelope (no data)")
    spans = [span for trace in body.get("data") or () for span in parse_v1_trace(trace)]
    return _group(spans)


def v1_error_message(text: str) -> str:
    """The envelope's error messages, or the plain body."""
    try:
        messages = v1_errors(json.loads(text))
    except ValueError:
        messages = []
    return "; ".join(messages) if messages else " ".join(text.split())
