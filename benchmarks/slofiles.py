"""SLO files for the benchmarks: a locust-only gate for the load runs, and N Prometheus objectives over the
synthetic services of `openmetrics.py` for the time-to-verdict benchmark."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from benchmarks.openmetrics import LATENCY, REQUESTS, job

CLIENT_ONLY = {
    "apiVersion": "slocheck/v1",
    "kind": "SLOSet",
    "metadata": {"name": "bench-client"},
    "spec": {
        "service": "nginx-static",
        "objectives": [
            {"name": "client-throughput", "indicator": {"locust": {"stat": "rps"}}, "pass": ">= 1/s"},
            {"name": "client-p99", "indicator": {"locust": {"stat": "p99"}}, "pass": "< 10s"},
        ],
    },
}

_HQ = "histogram_quantile({q}, sum by (le) (rate(" + LATENCY + '_bucket{{job="{job}"}}[$__range])))'
_KINDS: tuple[tuple[str, dict[str, object]], ...] = (
    ("p95", {"query": _HQ.replace("{q}", "0.95"), "pass": "< 500ms", "warn": "< 800ms"}),
    (
        "error-ratio",
        {
            "query": f'sum(rate({REQUESTS}_total{{{{job="{{job}}",status=~"5.."}}}}[$__range])) '
            f'/ sum(rate({REQUESTS}_total{{{{job="{{job}}"}}}}[$__range]))',
            "pass": "< 1%",
        },
    ),
    ("p99", {"query": _HQ.replace("{q}", "0.99"), "pass": "< 2s"}),
    ("throughput", {"query": f'sum(rate({REQUESTS}_total{{{{job="{{job}}"}}}}[$__range]))', "pass": ">= 10/s"}),
    (
        "mean-latency",
        {
            "query": f'sum(rate({LATENCY}_sum{{{{job="{{job}}"}}}}[$__range])) '
            f'/ sum(rate({LATENCY}_count{{{{job="{{job}}"}}}}[$__range]))',
            "pass": "< 300ms",
        },
    ),
    (
        "under-500ms",
        {
            "query": f'sum(rate({LATENCY}_bucket{{{{job="{{job}}",le="0.5"}}}}[$__range])) '
            f'/ sum(rate({LATENCY}_count{{{{job="{{job}}"}}}}[$__range]))',
            "pass": ">= 95%",
        },
    ),
    ("p50", {"query": _HQ.replace("{q}", "0.5"), "pass": "< 200ms"}),
    (
        "p90-per-minute",
        {
            "query": "histogram_quantile(0.9, sum by (le) (rate(" + LATENCY + '_bucket{{job="{job}"}}[1m])))',
            "pass": "< 1s",
            "range": {"step": "60s", "reduce": "max"},
        },
    ),
)


def objective(index: int, services: int) -> dict[str, object]:
    """Objective `index`: kinds cycle (p95, error ratio, p99, throughput, mean, share under 500 ms, p50, p90 per
    minute over a range), services cycle with them."""
    kind, spec = _KINDS[index % len(_KINDS)]
    name = job((index // len(_KINDS)) % services)
    prometheus: dict[str, object] = {"query": str(spec["query"]).format(job=name)}
    if "range" in spec:
        prometheus["range"] = spec["range"]
    result: dict[str, object] = {"name": f"{name}-{kind}-{index}", "indicator": {"prometheus": prometheus}}
    result["pass"] = spec["pass"]
    if "warn" in spec:
        result["warn"] = spec["warn"]
    return result


def prometheus_slo(objectives: int, services: int) -> dict[str, object]:
    return {
        "apiVersion": "slocheck/v1",
        "kind": "SLOSet",
        "metadata": {"name": f"bench-{objectives}"},
        "spec": {"service": "bench", "objectives": [objective(i, services) for i in range(objectives)]},
    }


def write_yaml(document: Mapping[str, object], path: Path) -> Path:
    path.write_text(yaml.safe_dump(dict(document), sort_keys=False), encoding="utf-8")
    return path
