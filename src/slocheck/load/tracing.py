"""Trace every load request: W3C `traceparent` + baggage `slocheck.run_id=<id>`, and a client span per request.

Only installed when tracing is on (`LoadPlan.trace`, or `OTEL_EXPORTER_OTLP_ENDPOINT` set): with tracing off no
hook exists and a request costs exactly what it costs in plain Locust. When on, `request()` of Locust's two HTTP
clients (`HttpSession` for HttpUser, `FastHttpSession` for FastHttpUser) is wrapped: one span start, one header
injection and one span end per request (~10-20 µs); spans leave in batches over OTLP/HTTP from a background
worker (`BatchSpanProcessor`). Sampling is `ParentBased(TraceIdRatioBased(trace_sample))`: unsampled requests
still carry `traceparent` (flags 00), so the service does not sample them either.

The tracer provider is local to the run (the global OpenTelemetry provider is left alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import baggage, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

SERVICE = "slocheck-load"
RUN_ID_KEY = "slocheck.run_id"
_FAST_HEADERS_POSITION = 4  # FastHttpSession.request(method, url, name, data, catch_response, stream, headers, ...)


@dataclass(frozen=True)
class TraceSettings:
    run_id: str
    sample: float = 1.0
    endpoint: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "sample": self.sample, "endpoint": self.endpoint}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> TraceSettings:
        return cls(str(data["run_id"]), float(data["sample"]), data.get("endpoint"))


def traces_url(endpoint: str) -> str:
    """`http://collector:4318` → `http://collector:4318/v1/traces`; a URL with a path is kept as given."""
    return endpoint.rstrip("/") + "/v1/traces" if urlsplit(endpoint).path in ("", "/") else endpoint


def _exporter(settings: TraceSettings) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=traces_url(settings.endpoint)) if settings.endpoint else OTLPSpanExporter()


class RequestTracer:
    """Wraps the Locust HTTP clients while installed; `close()` restores them and flushes the spans."""

    def __init__(self, settings: TraceSettings, processor: SpanProcessor | None = None) -> None:
        if not 0.0 <= settings.sample <= 1.0:
            raise ValueError(f"trace sample ratio must be between 0 and 1 (got {settings.sample})")
        resource = Resource.create({SERVICE_NAME: SERVICE, RUN_ID_KEY: settings.run_id})
        self.provider = TracerProvider(
            resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.sample)), shutdown_on_exit=False
        )  # close() shuts it down; no atexit reference
        self.provider.add_span_processor(processor or BatchSpanProcessor(_exporter(settings)))
        self.tracer = self.provider.get_tracer("slocheck.load")
        self.run_id = settings.run_id
        self.propagator = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
        self.base = baggage.set_baggage(RUN_ID_KEY, settings.run_id, context=Context())
        self._originals: list[tuple[type[Any], Callable[..., Any]]] = []

    def install(self) -> RequestTracer:
        from locust.clients import HttpSession
        from locust.contrib.fasthttp import FastHttpSession

        if self._originals:
            return self
        for cls, headers_position in ((HttpSession, None), (FastHttpSession, _FAST_HEADERS_POSITION)):
            original = cls.request
            self._originals.append((cls, original))
            setattr(cls, "request", self._wrap(original, headers_position))  # noqa: B010 - patching a method
        return self

    def close(self) -> None:
        for cls, original in reversed(self._originals):
            setattr(cls, "request", original)  # noqa: B010 - restoring a patched method
        self._originals.clear()
        self.provider.shutdown()

    def _wrap(self, original: Callable[..., Any], headers_position: int | None) -> Callable[..., Any]:
        tracer = self

        def request(session: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return tracer.traced(original, headers_position, session, method, url, args, kwargs)

        request.__wrapped__ = original  # type: ignore[attr-defined]
        return request

    def traced(
        self,
        original: Callable[..., Any],
        headers_position: int | None,
        session: Any,
        method: str,
        url: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        name = kwargs.get("name") or (args[0] if args and isinstance(args[0], str) else None) or url
        attributes = {
            "http.request.method": str(method).upper(),
            "url.full": str(url),
            "locust.request.name": str(name),
            RUN_ID_KEY: self.run_id,
        }
        span = self.tracer.start_span(
            f"{str(method).upper()} {name}", context=self.base, kind=SpanKind.CLIENT, attributes=attributes
        )
        carrier: dict[str, str] = {}
        self.propagator.inject(carrier, context=trace.set_span_in_context(span, self.base))
        args, kwargs = _with_headers(args, kwargs, carrier, headers_position)
        try:
            response = original(session, method, url, *args, **kwargs)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.end()
            raise
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            span.set_attribute("http.response.status_code", status)
            if status == 0 or status >= 400:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {status}" if status else "no response"))
        span.end()
        return response


def _with_headers(
    args: tuple[Any, ...], kwargs: dict[str, Any], carrier: dict[str, str], position: int | None
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Add the propagation headers to the caller's own headers (keyword, or FastHttp's positional slot)."""
    if position is not None and len(args) > position and "headers" not in kwargs:
        merged = {**(args[position] or {}), **carrier}
        return (*args[:position], merged, *args[position + 1 :]), kwargs
    kwargs["headers"] = {**(kwargs.get("headers") or {}), **carrier}
    return args, kwargs
