"""context.py without a backend: how its queries are resolved, stepped and chosen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from slocheck.app.context import QUERIES, context_step, job_of, objective_range_queries, rate_window_seconds, resolve
from slocheck.core.model import Window
from slocheck.core.spec.loader import load_slo_files
from tests.support.paths import REPORT_DATA as DATA

WINDOW = Window(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
REPO = Path(__file__).resolve().parents[2]


def test_without_a_job_the_selectors_have_no_job_matcher() -> None:
    query = next(q for q in QUERIES if q.id == "pool_max")
    assert resolve(query, None, 4, WINDOW) == "max(db_pool_max_connections)"
    assert resolve(query, 'a"b', 4, WINDOW) == 'max(db_pool_max_connections{job="a\\"b"})'


def test_window_entries_cover_the_whole_window() -> None:
    query = next(q for q in QUERIES if q.id == "http_latency_p95_window")
    assert "[300s]" in resolve(query, "api", 4, WINDOW)


def test_the_step_and_rate_window_follow_the_window_and_the_scrape_interval() -> None:
    assert context_step(20, 1) == 1
    assert context_step(3600, 15) == 15
    assert context_step(86400, 15) == 360
    assert rate_window_seconds(1, 1) == 4
    assert rate_window_seconds(60, 15) == 75


def test_range_objectives_are_asked_again_for_their_points() -> None:
    document = {
        "objectives": [
            {"key": "s/ranged", "backend": "prometheus", "query": 'max(x{a="$y"})', "unit": "duration",
             "details": {"step_seconds": 5.0, "reduce_over_time": "max"}},
            {"key": "s/instant", "backend": "prometheus", "query": "x", "unit": "number", "details": {}},
            {"key": "s/client", "backend": "locust", "query": "p95 of Aggregated", "unit": "duration", "details": {}},
        ]
    }  # fmt: skip
    [query] = objective_range_queries(document)
    assert query.id == "objective:s/ranged"
    assert query.step_seconds == 5.0
    assert resolve(query, "job", 4, WINDOW) == 'max(x{a="$y"})'


def test_the_job_comes_from_the_command_line_or_the_slo_files() -> None:
    objectives = [o for s in load_slo_files([REPO / "slo" / "demo.yaml", DATA / "slo-over-time.yaml"], {})
                  for o in s.objectives]  # fmt: skip
    assert job_of(objectives) == "paracle-api"
    assert job_of(objectives, {"job": "checkout"}) == "checkout"
    assert job_of([]) is None
