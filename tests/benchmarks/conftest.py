"""A small, fixed result set in the shape `python -m benchmarks` saves, for the BENCHMARKS.md writer's tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest


def _run(variant: str, rps: float, **extra: Any) -> dict[str, Any]:
    run = {
        "variant": variant,
        "rps": rps,
        "requests": int(rps * 10),
        "failures": 0,
        "window_seconds": 10.0,
        "wall_seconds": 11.0,
        "target_cpu_seconds": 1.0,
        "generator_cpu_percent": 99.0,
        "spans_received": None,
        "extra": {},
    }
    run.update(extra)
    return run


def _pair(ratio: float) -> dict[str, Any]:
    return {"base": {}, "other": {}, "ratio": ratio, "seconds": 9.0, "base_rps": 3000.0, "other_rps": 3000.0 * ratio}


def _round(locust: float, slocheck: float) -> list[dict[str, Any]]:
    return [
        _run("locust --headless", locust),
        _run("slocheck run", slocheck),
        _run("slocheck run --trace --trace-sample 0.1", slocheck * 0.9, spans_received=int(slocheck * 0.9)),
        _run("slocheck run --trace", slocheck * 0.6, spans_received=int(slocheck * 6)),
    ]


def _arrival_round(late: str) -> dict[str, Any]:
    return {
        "capacity": _run("closed", 7000.0),
        "target_rate": 6300.0,
        "hold": _run("open", 6287.4, extra={"achieved_rate": 6287.4, "dropped": 0.0, "scheduled": 75600.0}),
        "cost": {"ratio": 1.02, "seconds": 9.0, "base_cpu_us": 140.0, "other_cpu_us": 142.8, "late": late},
    }


RESULTS: dict[str, Any] = {
    "meta": {
        "date": "2026-11-23 23:00 UTC",
        "quick": False,
        "repetitions": 3,
        "load_seconds": 15.0,
        "users": 64,
        "sections": ["costs", "accuracy", "driver", "scaling", "verdict", "memory"],
        "total_seconds": 1500.0,
        "background_cpu_percent": 12.0,
    },
    "machine": {"CPU": "Test CPU", "cores": "2", "Locust": "2.47.0"},
    "errors": {},
    "costs": {
        "slocheck_on_request_us": 2.5,
        "locust_log_request_us": 2.4,
        "trace_us": {"1": 40.0, "0.1": 15.0, "0": 12.0},
        "otlp_encode_us_per_span": 30.0,
        "background_cpu_percent": 1.0,
    },
    "driver": {
        "load": {"users": 64, "seconds": 15.0, "spawn_rate": 640, "generator_cpus": "0", "target_cpus": "1"},
        "side_by_side": {
            "control": [_pair(1.0), _pair(0.99), _pair(1.01)],
            "efficiency": [_pair(0.96), _pair(0.97), _pair(0.95)],
            "trace_tenth": [_pair(0.70), _pair(0.72), _pair(0.69)],
            "trace_all": [_pair(0.50), _pair(0.49), _pair(0.51)],
        },
        "sequential": [_round(7000.0, 6800.0), _round(7200.0, 7100.0), _round(6000.0, 6100.0)],
        "background_cpu_percent": 10.0,
    },
    "arrivals": {
        "load": {"users": 64, "seconds": 15.0, "spawn_rate": 640, "generator_cpus": "0", "target_cpus": "1"},
        "hold_share": 0.9,
        "cost_share": 0.45,
        "abort": {"after": "2s", "every": "1s"},
        "rounds": [_arrival_round("other"), _arrival_round("base")],
        "background_cpu_percent": 4.0,
    },
    "master": {
        "report_bytes": 24000.0,
        "requests_per_report": 3000,
        "endpoints": 10,
        "master_cpu_ms_per_report": 1.25,
        "workers_at_10pct_core": 240,
        "background_cpu_percent": 1.0,
    },
    "scaling": {
        "load": {"users": 64, "seconds": 15.0, "spawn_rate": 640, "generator_cpus": None, "target_cpus": None},
        "sequential": [
            [_run("slocheck run", 7000.0), _run("slocheck run --workers 2", 12600.0, target_cpu_seconds=2.0)],
            [_run("slocheck run --workers 2", 11900.0, target_cpu_seconds=2.0), _run("slocheck run", 7000.0)],
            [_run("slocheck run", 7000.0), _run("slocheck run --workers 2", 13300.0, target_cpu_seconds=2.0)],
        ],
        "background_cpu_percent": 5.0,
    },
    "accuracy": {
        "distributions": [
            {
                "distribution": "5 ms",
                "samples": 1000,
                "rows": [{"stat": "p50", "exact": 0.005, "slocheck": 0.00502, "locust": 0.005, "prometheus": 0.006}],
                "max_error": {"slocheck": 0.004, "locust": 0.02, "prometheus": 0.2},
            },
            {
                "distribution": "1.2 s",
                "samples": 1000,
                "rows": [{"stat": "p50", "exact": 1.2, "slocheck": 1.205, "locust": 1.2, "prometheus": 1.4}],
                "max_error": {"slocheck": 0.0045, "locust": 0.013, "prometheus": 0.36},
            },
        ],
        "background_cpu_percent": 0.0,
    },
    "verdict": {
        "dataset": {
            "services": 50,
            "series": 800,
            "samples": 2880800,
            "seconds": 3600,
            "step": 1,
            "prepare_seconds": 12.0,
        },
        "settle": {"settle": 3.0, "scrape_interval": 1.0, "ingest_lag": 2.0},
        "sizes": {
            "10": [
                {"verdict_seconds": 0.05, "evidence_seconds": 0.06, "cli_seconds": 0.5, "prometheus_cpu_seconds": 0.1}
            ],
            "100": [
                {"verdict_seconds": 0.4, "evidence_seconds": 0.45, "cli_seconds": 0.9, "prometheus_cpu_seconds": 0.5},
                {"verdict_seconds": 0.6, "evidence_seconds": 0.65, "cli_seconds": 1.1, "prometheus_cpu_seconds": 0.5},
            ],
            "1000": [
                {"verdict_seconds": 6.5, "evidence_seconds": 6.7, "cli_seconds": 7.5, "prometheus_cpu_seconds": 4.0}
            ],
        },
        "background_cpu_percent": 3.0,
    },
    "memory": {
        "load": {"users": 64, "seconds": 600.0},
        "run": _run("slocheck run", 7000.0),
        "samples": [{"t": float(t), "rss": 70.0 * 2**20 + t * 1000.0, "requests": t * 7000} for t in range(601)],
        "background_cpu_percent": 2.0,
    },
}


@pytest.fixture
def results() -> dict[str, Any]:
    return copy.deepcopy(RESULTS)
