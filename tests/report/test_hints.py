"""report/hints.py on hand-made context documents: each rule fires on its pattern, names its series, and stays
quiet on healthy or missing data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from slocheck.report.hints import compute_hints, growth
from slocheck.report.html_inputs import HistoryPoint

T0 = 1_800_000_000.0


def series(values: Sequence[float | None], **labels: str) -> dict[str, Any]:
    return {"labels": labels, "points": [[T0 + i, v] for i, v in enumerate(values)]}


def ok(query: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "note": "", "query": query, "series": list(items)}


def context(**entries: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "slocheck.app.context/v1", "entries": entries}


def kinds(hints: list[Any]) -> list[str]:
    return [h.kind for h in hints]


def test_a_pool_at_90_percent_of_its_size_is_a_saturation_hint_naming_both_series() -> None:
    ctx = context(
        pool_in_use=ok('sum(db_pool_connections{state="in_use"})', series([2, 5, 9, 4])),
        pool_max=ok("max(db_pool_max_connections)", series([10, 10, 10, 10])),
    )
    [hint] = compute_hints(ctx)
    assert hint.kind == "saturation"
    assert "90%" in hint.title
    assert hint.sources == ('sum(db_pool_connections{state="in_use"})', "max(db_pool_max_connections)")


def test_a_pool_below_80_percent_is_not_a_hint() -> None:
    ctx = context(
        pool_in_use=ok("in_use", series([2, 5, 7.9, 4])),
        pool_max=ok("max", series([10, 10, 10, 10])),
    )
    assert compute_hints(ctx) == []


def test_database_connections_are_added_up_across_databases_before_comparing_with_max() -> None:
    ctx = context(
        db_connections=ok(
            "sum by (datname) (pg_stat_activity_count)",
            series([40, 45, 45], datname="app"),
            series([30, 40, 40], datname="reports"),
        ),
        db_max_connections=ok("max(pg_settings_max_connections)", series([100, 100, 100])),
    )
    [hint] = compute_hints(ctx)
    assert "PostgreSQL connections at 85%" in hint.title
    assert any('datname="reports"' in s for s in hint.sources)


def test_redis_without_maxmemory_has_no_limit_to_be_near() -> None:
    ctx = context(
        redis_memory_used=ok("redis_memory_used_bytes", series([9e9, 9e9, 9e9], instance="r:9121")),
        redis_memory_max=ok("redis_memory_max_bytes", series([0, 0, 0], instance="r:9121")),
    )
    assert compute_hints(ctx) == []


def test_redis_near_maxmemory_is_a_hint() -> None:
    ctx = context(
        redis_memory_used=ok("redis_memory_used_bytes", series([200e6, 240e6, 250e6], instance="r:9121")),
        redis_memory_max=ok("redis_memory_max_bytes", series([256e6, 256e6, 256e6], instance="r:9121")),
    )
    [hint] = compute_hints(ctx)
    assert hint.kind == "saturation"
    assert hint.title == "Redis memory at 98% of maxmemory"


def test_memory_that_keeps_growing_is_a_hint() -> None:
    climbing = [100, 104, 110, 115, 118, 126, 130, 137, 140]
    ctx = context(process_memory=ok("process_resident_memory_bytes", series(climbing, job="api")))
    [hint] = compute_hints(ctx)
    assert hint.kind == "memory-growth"
    assert 'job="api"' in hint.detail
    assert hint.sources == ('process_resident_memory_bytes {job="api"}',)


@pytest.mark.parametrize(
    "values",
    [
        [100, 101, 99, 100, 102, 100, 101, 99, 100],  # flat with noise
        [100, 180, 100, 180, 100, 180, 100, 180, 140],  # sawtooth: not climbing
        [100, 300, 300, 150, 150, 150, 140, 140, 140],  # a spike that went away
        [100, 110, 120],  # too short to call a trend
    ],
)
def test_memory_that_does_not_climb_through_the_run_is_not_a_hint(values: list[float]) -> None:
    assert growth([(T0 + i, v) for i, v in enumerate(values)]) is None


def test_error_bursts_that_line_up_with_latency_spikes_are_a_hint() -> None:
    errors = [0.01, 0.0, 0.01, 0.2, 0.25, 0.01, 0.0, 0.01]
    p95 = [0.1, 0.11, 0.1, 0.9, 1.2, 0.1, 0.12, 0.1]
    ctx = context(
        http_error_ratio=ok("error ratio query", series(errors)),
        http_latency_p95=ok("p95 query", series(p95)),
    )
    [hint] = compute_hints(ctx)
    assert hint.kind == "error-latency-burst"
    assert "2 time bucket(s)" in hint.detail
    assert "0:03, 0:04" in hint.detail
    assert hint.sources == ("error ratio query", "p95 query")


def test_error_bursts_at_other_times_than_latency_spikes_are_not_a_hint() -> None:
    errors = [0.01, 0.3, 0.01, 0.0, 0.01, 0.0, 0.01, 0.0]
    p95 = [0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1]
    ctx = context(http_error_ratio=ok("e", series(errors)), http_latency_p95=ok("l", series(p95)))
    assert compute_hints(ctx) == []


def test_client_side_bursts_come_from_the_locust_history() -> None:
    totals = [(0, 0), (10, 0), (20, 0), (30, 5), (40, 10), (50, 10), (60, 10), (70, 10)]
    p95 = [None, 0.1, 0.1, 0.8, 0.9, 0.1, 0.1, 0.1]
    history = [
        HistoryPoint(T0 + i, 10, 10, 0, None, p95[i], None, float(done), float(failed))
        for i, (done, failed) in enumerate(totals)
    ]
    [hint] = compute_hints(None, None, history)
    assert hint.kind == "error-latency-burst"
    assert "client side" in hint.title
    assert "locust_stats_history.csv" in hint.sources[0]


def test_a_saturated_load_generator_is_a_hint() -> None:
    run = {"load": {"generator_cpu": {"peak_percent": 96.0, "avg_percent": 80.0}}}
    [hint] = compute_hints(None, run)
    assert hint.kind == "generator-cpu"
    assert "latency verdicts are unreliable" in hint.detail
    assert hint.sources == ("run.json load.generator_cpu.peak_percent",)


@pytest.mark.parametrize("run", [None, {}, {"load": {"generator_cpu": {"peak_percent": 50.0}}}])
def test_a_load_generator_with_headroom_or_unknown_cpu_is_not_a_hint(run: dict[str, Any] | None) -> None:
    assert compute_hints(None, run) == []


def test_entries_without_data_are_ignored() -> None:
    ctx = context(
        pool_in_use={"status": "no_data", "note": "no data: empty result", "query": "q", "series": []},
        pool_max={"status": "error", "note": "error: Prometheus: 400 bad_data", "query": "q", "series": []},
        process_memory=ok("m", series([None, None, None, None, None, None])),
    )
    assert compute_hints(ctx) == []


def test_hints_are_plain_data() -> None:
    run = {"load": {"generator_cpu": {"peak_percent": 99.0}}}
    assert kinds(compute_hints(None, run)) == ["generator-cpu"]
    assert set(compute_hints(None, run)[0].to_dict()) == {"kind", "title", "detail", "sources"}
