"""Trace every load request: W3C `traceparent` on every request, and a client span per sampled request.

Only installed when tracing is on (`LoadPlan.trace`, or `OTEL_EXPORTER_OTLP_ENDPOINT` set): with tracing off no
hook exists and a request costs exactly what it costs in plain Locust. When on, `request()` of Locust's two HTTP
clients (`HttpSession` for HttpUser, `FastHttpSession` for FastHttpUser) is wrapped. No OpenTelemetry SDK call is on
the request path: the wrapper draws the trace and span ids itself (`random.getrandbits`, as the SDK's id generator),
decides sampling with `TraceIdRatioBased`'s rule (the low 64 bits of the trace id under
`get_bound_for_rate(trace_sample)`), adds `traceparent` (flags 01 or 00, so the service samples the same requests)
and, on a sampled request only, the baggage `slocheck.run_id=<id>` (an unsampled request leaves no span anywhere,
so nothing downstream needs the run id). A sampled request appends one tuple to a list; a greenlet encodes the
pending spans every second as OTLP/HTTP protobuf and POSTs them (`otlp.py`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slocheck.load.otlp import SpanBatches, SpanRecord, post, traces_url

SERVICE = "slocheck-load"
RUN_ID_KEY = "slocheck.run_id"
_FAST_HEADERS_POSITION = 4  # FastHttpSession.request(method, url, name, data, catch_response, stream, headers, ...)
_LOW_64 = (1 << 64) - 1
__all__ = ["RUN_ID_KEY", "SERVICE", "RequestTracer", "TraceSettings", "traces_url"]


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


def _baggage(run_id: str) -> str:
    """The W3C baggage header, formatted once by OpenTelemetry's own propagator."""
    from opentelemetry import baggage
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.context import Context

    carrier: dict[str, str] = {}
    W3CBaggagePropagator().inject(carrier, context=baggage.set_baggage(RUN_ID_KEY, run_id, context=Context()))
    return carrier["baggage"]


def _bound(sample: float) -> int:
    from opentelemetry.sdk.trace.sampling import TraceIdRatioBased

    return TraceIdRatioBased.get_bound_for_rate(sample)


class RequestTracer:
    """Wraps the Locust HTTP clients while installed; `close()` restores them and exports the last spans.

    `export` receives each OTLP/HTTP protobuf body (default: POST to the settings' endpoint or the OTLP
    environment variables); tests and benchmarks pass their own.
    """

    def __init__(self, settings: TraceSettings, export: Callable[[bytes], None] | None = None) -> None:
        if not 0.0 <= settings.sample <= 1.0:
            raise ValueError(f"trace sample ratio must be between 0 and 1 (got {settings.sample})")
        self.run_id = settings.run_id
        self.bound = _bound(settings.sample)
        self.baggage = _baggage(settings.run_id)
        resource = {"service.name": SERVICE, RUN_ID_KEY: settings.run_id, "telemetry.sdk.language": "python"}
        self.batches = SpanBatches(export or post(traces_url(settings.endpoint)), resource, settings.run_id)
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
        self.batches.start()
        return self

    def close(self) -> None:
        for cls, original in reversed(self._originals):
            setattr(cls, "request", original)  # noqa: B010 - restoring a patched method
        self._originals.clear()
        self.batches.close()

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
        trace_id = random.getrandbits(128) or 1
        span_id = random.getrandbits(64) or 1
        if (trace_id & _LOW_64) >= self.bound:
            carrier = {"traceparent": f"00-{trace_id:032x}-{span_id:016x}-00"}
            args, kwargs = _with_headers(args, kwargs, carrier, headers_position)
            return original(session, method, url, *args, **kwargs)
        carrier = {"traceparent": f"00-{trace_id:032x}-{span_id:016x}-01", "baggage": self.baggage}
        args, kwargs = _with_headers(args, kwargs, carrier, headers_position)
        name = str(kwargs.get("name") or (args[0] if args and isinstance(args[0], str) else None) or url)
        start = time.time_ns()
        try:
            response = original(session, method, url, *args, **kwargs)
        except Exception as exc:  # a failed request; one cancelled by the stop (GreenletExit) is not counted by
            # Locust, so it leaves no span either: spans exported == requests counted
            record = SpanRecord(
                trace_id, span_id, start, time.time_ns(), str(method), name, str(url), None, type(exc).__name__
            )
            self.batches.pending.append(record)
            raise
        status = getattr(response, "status_code", None)
        code = status if isinstance(status, int) else None
        record = SpanRecord(trace_id, span_id, start, time.time_ns(), str(method), name, str(url), code, None)
        self.batches.pending.append(record)
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
