"""Per-request CPU costs inside the generator, measured in-process (they explain the load ratios):

- recording one request: slocheck's `ClientStats.on_request` (the listener `slocheck run` adds) and Locust's own
  `RequestStats.log_request` (which both tools run);
- tracing one request: `RequestTracer.traced` around a request that costs nothing, at several sampling ratios
  (span start and end, header injection, queueing the span; not its export);
- exporting one span: OTLP protobuf encoding of a batch of 512 spans (what the BatchSpanProcessor sends).

    python -m benchmarks.costs     (JSON on stdout; microseconds)
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests

import json
import timeit
from collections.abc import Callable, Sequence
from typing import Any

from locust.stats import RequestStats
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult

from slocheck.load.stats import ClientStats
from slocheck.load.tracing import RequestTracer, TraceSettings

CALLS = 100_000
SAMPLES = (1.0, 0.1, 0.0)
FAST_HEADERS_POSITION = 4


class _Kept(SpanExporter):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


class _Response:
    status_code = 200


def _request(_session: object, _method: str, _url: str, *_args: object, **_kwargs: object) -> _Response:
    return _Response()


def microseconds(call: Callable[[], object], calls: int = CALLS) -> float:
    """Best of three: the least disturbed estimate of the cost of one call."""
    return min(timeit.repeat(call, number=calls, repeat=3)) / calls * 1e6


def record_costs() -> dict[str, float]:
    """Each listener called the way `events.request.fire(...)` calls it: every argument by keyword."""
    stats = ClientStats()
    locust_stats: Any = RequestStats()  # annotated int, called with float milliseconds by Locust itself
    fired: dict[str, Any] = {
        "request_type": "GET",
        "name": "/",
        "response_time": 3.2,
        "response_length": 3,
        "response": None,
        "context": {},
        "exception": None,
        "start_time": 0.0,
        "url": "/",
    }
    return {
        "slocheck_on_request_us": microseconds(lambda: stats.on_request(**fired)),
        "locust_log_request_us": microseconds(lambda: locust_stats.log_request("GET", "/", 3.2, 3)),
    }


def _traced_call(tracer: RequestTracer, args: tuple[Any, ...]) -> Callable[[], object]:
    return lambda: tracer.traced(_request, FAST_HEADERS_POSITION, None, "GET", "/", args, {})


def trace_costs() -> dict[str, float]:
    costs = {}
    args: tuple[Any, ...] = ()
    for sample in SAMPLES:
        # as in a run: spans queue in a BatchSpanProcessor (its export greenlet does not run during the loop)
        processor = BatchSpanProcessor(_Kept(), max_queue_size=CALLS, schedule_delay_millis=3_600_000)
        tracer = RequestTracer(TraceSettings("bench", sample), processor)
        costs[f"{sample:g}"] = microseconds(_traced_call(tracer, args), CALLS // 4)
        tracer.close()
    return costs


def encode_cost() -> float:
    kept = _Kept()
    tracer = RequestTracer(TraceSettings("bench", 1.0), SimpleSpanProcessor(kept))
    for _ in range(512):
        tracer.traced(_request, FAST_HEADERS_POSITION, None, "GET", "/", (), {})
    tracer.close()
    batch = kept.spans[:512]
    return microseconds(lambda: encode_spans(batch).SerializeToString(), 20) / len(batch)


def main() -> int:
    print(json.dumps({**record_costs(), "trace_us": trace_costs(), "otlp_encode_us_per_span": encode_cost()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
