"""Per-request CPU costs inside the generator, measured in-process (they explain the load ratios):

- recording one request: slocheck's `ClientStats.on_request` (the listener `slocheck run` adds) and Locust's own
  `RequestStats.log_request` (which both tools run);
- tracing one request: `RequestTracer.traced` around a request that costs nothing, at several sampling ratios
  (ids, sampling decision, header injection, queueing the span record; not its export);
- exporting one span: OTLP protobuf encoding of a batch of 512 spans (what the export greenlet sends).

    python -m benchmarks.costs     (JSON on stdout; microseconds)
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests

import json
import timeit
from collections.abc import Callable
from typing import Any

from locust.stats import RequestStats

from slocheck.load.otlp import encode
from slocheck.load.stats import ClientStats
from slocheck.load.tracing import RequestTracer, TraceSettings

CALLS = 100_000
SAMPLES = (1.0, 0.1, 0.0)
FAST_HEADERS_POSITION = 4


def _discard(_body: bytes) -> None:
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
        # as in a run: records queue in a list (the export greenlet does not run during the loop)
        tracer = RequestTracer(TraceSettings("bench", sample), _discard)
        costs[f"{sample:g}"] = microseconds(_traced_call(tracer, args), CALLS // 4)
        tracer.batches.pending.clear()
    return costs


def encode_cost() -> float:
    tracer = RequestTracer(TraceSettings("bench", 1.0), _discard)
    for _ in range(512):
        tracer.traced(_request, FAST_HEADERS_POSITION, None, "GET", "/", (), {})
    batch = tracer.batches.pending[:512]
    resource = tracer.batches.resource
    return microseconds(lambda: encode(batch, resource, "bench"), 20) / len(batch)


def main() -> int:
    print(json.dumps({**record_costs(), "trace_us": trace_costs(), "otlp_encode_us_per_span": encode_cost()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
