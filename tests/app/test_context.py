"""context.py against a real Prometheus scraping an exporter with known values: every entry has the series
Prometheus returned or an explicit no-data/error note, and the document is strict JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from slocheck.app.context import (
    QUERIES,
    ContextQuery,
    collect_context,
    render_context,
)
from slocheck.config.settings import BackendSettings
from slocheck.core.model import Window
from slocheck.report.context_doc import window_value
from slocheck.report.hints import compute_hints
from slocheck.sources.prometheus import PrometheusBackend
from tests.support.context_exporter import CONTEXT_JOB

pytestmark = pytest.mark.integration


def recent_window(seconds: float = 6.0) -> Window:
    end = datetime.now(UTC) - timedelta(seconds=1)
    return Window(end - timedelta(seconds=seconds), end)


@pytest.fixture(scope="module")
def collected(context_prometheus: str) -> dict[str, Any]:
    backend = PrometheusBackend(BackendSettings(url=context_prometheus, retry_budget=5))
    bad = ContextQuery("bad", "extra", "a query Prometheus rejects", "number", "sum(rate(x[5m])")
    try:
        return collect_context(
            backend, recent_window(), job=CONTEXT_JOB, step_seconds=1.0, scrape_interval_seconds=1.0, extra=[bad]
        )
    finally:
        backend.close()


def entries(collected: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = collected["entries"]
    return found


def test_every_query_has_an_entry_with_its_resolved_query(collected: dict[str, Any]) -> None:
    found = entries(collected)
    assert list(found) == [q.id for q in QUERIES] + ["bad"]
    assert all(f'job="{CONTEXT_JOB}"' in str(found[q.id]["query"]) for q in QUERIES if "${job" in q.template)
    assert all(entry["status"] in ("ok", "no_data", "error") for entry in found.values())


def test_entries_with_data_keep_the_series_as_prometheus_returned_them(collected: dict[str, Any]) -> None:
    found = entries(collected)
    by_class = {s["labels"]["status_class"]: s["points"] for s in found["http_rps_by_status"]["series"]}
    assert set(by_class) == {"2xx", "5xx"}
    assert all(v == pytest.approx(9.0, rel=0.1) for _, v in by_class["2xx"])
    assert all(v == pytest.approx(0.1, rel=0.15) for _, v in found["http_error_ratio"]["series"][0]["points"])
    assert window_value(collected, "http_latency_p50_window")[0][1] == pytest.approx(0.15, rel=0.05)
    assert window_value(collected, "http_latency_avg_window")[0][1] == pytest.approx(0.15, rel=0.05)
    assert found["pool_in_use"]["status"] == "ok"


def test_metrics_nobody_exposes_are_no_data_with_a_note(collected: dict[str, Any]) -> None:
    found = entries(collected)
    for id in ("db_connections", "db_max_connections", "process_cpu", "llm_rps", "llm_tokens_window"):
        assert found[id]["status"] == "no_data", id
        assert found[id]["series"] == []
        assert found[id]["note"] == "no data: empty result, no series matched in the window"


def test_nan_points_become_null_and_the_entry_is_no_data(collected: dict[str, Any]) -> None:
    llm_p95 = entries(collected)["llm_p95"]
    assert llm_p95["status"] == "no_data"
    assert llm_p95["note"] == "no data: every point is NaN/Inf (no samples, or 0/0)"
    assert all(v is None for s in llm_p95["series"] for _, v in s["points"])


def test_a_rejected_query_is_an_error_entry_not_an_exception(collected: dict[str, Any]) -> None:
    bad = entries(collected)["bad"]
    assert bad["status"] == "error"
    assert str(bad["note"]).startswith("error: Prometheus: 400 bad_data")


def test_the_document_is_strict_json(collected: dict[str, Any]) -> None:
    assert json.loads(render_context(collected)) == collected


def test_hints_read_the_collected_context(collected: dict[str, Any]) -> None:
    [hint] = [h for h in compute_hints(collected) if h.kind == "saturation"]
    assert hint.title == "The application's DB pool at 90% of its limit"
    assert any("db_pool_connections" in s for s in hint.sources)


def test_an_unreachable_prometheus_makes_every_entry_an_error() -> None:
    backend = PrometheusBackend(BackendSettings(url="http://127.0.0.1:9", retry_budget=0.2))
    try:
        result = collect_context(backend, recent_window(), job=None, step_seconds=1.0)
    finally:
        backend.close()
    assert {e["status"] for e in entries(result).values()} == {"error"}
    assert "cannot reach" in str(entries(result)["pool_max"]["note"])
