"""An exporter with known values for some of the metrics the report's context reads, and none of the others.

Counters grow at fixed rates, so Prometheus' rate() answers are known: 9 requests/s answered 200 and 1/s
answered 500 (5xx ratio 0.1), every request between 100 and 200 ms (p50 150 ms, average 150 ms); the DB pool
has 9 of 10 connections in use; Redis uses 100 MiB without maxmemory; 3 requests in flight. The LLM latency
histogram exists but never moves, so its quantiles are NaN (0/0). No pg_*, process_* or other llm_* metrics.
"""

from __future__ import annotations

from tests.support.known_exporter import KnownExporter

# The job name Prometheus scrapes the exporter under.
CONTEXT_JOB = "ctx"

GAUGES = {
    'db_pool_connections{state="in_use"}': 9,
    'db_pool_connections{state="idle"}': 1,
    "db_pool_max_connections": 10,
    "redis_memory_used_bytes": 100 * 1024**2,
    "redis_memory_max_bytes": 0,
    "http_requests_in_flight": 3,
    'llm_request_duration_seconds_bucket{provider="p",model="m",le="1"}': 0,
    'llm_request_duration_seconds_bucket{provider="p",model="m",le="+Inf"}': 0,
}
COUNTER_RATES = {
    'http_requests_total{method="GET",endpoint="/x",status="200"}': 9.0,
    'http_requests_total{method="GET",endpoint="/x",status="500"}': 1.0,
    'http_request_duration_seconds_bucket{method="GET",endpoint="/x",le="0.1"}': 0.0,
    'http_request_duration_seconds_bucket{method="GET",endpoint="/x",le="0.2"}': 10.0,
    'http_request_duration_seconds_bucket{method="GET",endpoint="/x",le="+Inf"}': 10.0,
    'http_request_duration_seconds_sum{method="GET",endpoint="/x"}': 1.5,
    'http_request_duration_seconds_count{method="GET",endpoint="/x"}': 10.0,
}
TYPES = {
    "http_requests_total": "counter",
    "http_request_duration_seconds": "histogram",
    "llm_request_duration_seconds": "histogram",
}


def exposition(elapsed: float) -> str:
    lines = [f"# TYPE {name} {kind}" for name, kind in TYPES.items()]
    lines += [f"{name} {value}" for name, value in GAUGES.items()]
    lines += [f"{name} {rate * elapsed:.3f}" for name, rate in COUNTER_RATES.items()]
    return "\n".join(lines) + "\n"


def context_exporter() -> KnownExporter:
    """The shared known-values exporter, serving this module's metrics."""
    return KnownExporter(exposition)
