"""Starter objectives from metric names and labels (pure: no Prometheus)."""

from __future__ import annotations

from slocheck.core.starter import Discovered, relevant_metrics, starter_objectives

JOB = 'job="${job}"'


def _names(found: Discovered, selector: str = JOB) -> dict[str, str]:
    return {c.name: c.query for c in starter_objectives(found, selector)}


def test_nothing_recognised_gives_no_objectives() -> None:
    assert starter_objectives(Discovered(frozenset({"process_cpu_seconds_total", "up"})), JOB) == []


def test_a_millisecond_histogram_is_converted_to_seconds() -> None:
    found = Discovered(frozenset({"http_server_duration_milliseconds_bucket", "http_request_duration_ms_bucket"}))
    queries = _names(found)
    assert queries["http-p95-latency"].endswith("[$__range]))) / 1000")
    assert 'http_request_duration_ms_bucket{job="${job}"}' in queries["http-p95-latency"]


def test_the_error_rate_uses_the_label_that_carries_the_status_code() -> None:
    series = {"http_server_requests_total": [{"code": "200", "job": "api"}, {"code": "503", "job": "api"}]}
    found = Discovered(frozenset({"http_server_requests_total"}), {"http_server_requests_total": "counter"}, series)
    assert 'code=~"5.."' in _names(found)["http-error-rate"]


def test_without_a_status_label_there_is_throughput_but_no_error_rate() -> None:
    found = Discovered(frozenset({"http_requests_total"}), {}, {"http_requests_total": [{"job": "api"}]})
    assert set(_names(found)) == {"http-throughput"}


def test_postgres_exporter_connections_are_not_filtered_by_the_service_job() -> None:
    found = Discovered(frozenset({"pg_stat_activity_count", "pg_settings_max_connections"}))
    query = _names(found)["db-pool-utilisation"]
    assert "job=" not in query
    assert query.endswith("/ max(pg_settings_max_connections)")


def test_a_pool_gauge_uses_its_in_use_state() -> None:
    names = frozenset({"db_pool_connections", "db_pool_max_connections"})
    found = Discovered(names, {}, {"db_pool_connections": [{"state": "idle"}, {"state": "active"}]})
    assert 'state="active"' in _names(found)["db-pool-utilisation"]


def test_llm_errors_come_from_an_error_status_when_there_is_no_error_counter() -> None:
    names = frozenset({"llm_requests_total"})
    found = Discovered(names, {}, {"llm_requests_total": [{"status": "success"}, {"status": "error"}]})
    assert _names(found)["llm-error-rate"].startswith('(sum(rate(llm_requests_total{job="${job}",status="error"}')


def test_label_sets_are_asked_for_only_the_metrics_recipes_inspect() -> None:
    names = frozenset({"http_requests_total", "http_request_duration_seconds_bucket", "go_goroutines", "up"})
    assert relevant_metrics(names) == ["http_request_duration_seconds_bucket", "http_requests_total"]
