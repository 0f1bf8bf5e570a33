"""The demo service's Prometheus metrics: names, labels and buckets as docs/metrics.md documents them."""

from __future__ import annotations

import pytest

from tests.demo.helpers import DemoClient, samples, value

HTTP_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.2", "0.3", "0.5", "0.75", "1.0", "1.5", "2.0",
                "2.5", "5.0", "10.0", "+Inf"]  # fmt: skip
LLM_BUCKETS = ["0.1", "0.25", "0.5", "1.0", "2.0", "3.0", "5.0", "8.0", "10.0", "15.0", "20.0", "30.0", "60.0",
               "+Inf"]  # fmt: skip


@pytest.fixture(scope="module")
def exposition(service: DemoClient, token: str) -> str:
    """Metrics after a known set of requests: two lookups of one agent, one of another, one agent run."""
    for agent_id in ("tester", "tester", "astronaut"):
        service.request("GET", f"/api/v1/agents/{agent_id}", token=token)
    service.run_agent(token, "coder", "openai/gpt-4o-mini")
    service.request("GET", "/api/v1/agents")
    return service.metrics()


def test_requests_are_counted_by_route_template_not_raw_path(exposition: str) -> None:
    ok = value(exposition, "http_requests_total", method="GET", endpoint="/api/v1/agents/{id}", status="200")
    missing = value(exposition, "http_requests_total", method="GET", endpoint="/api/v1/agents/{id}", status="404")

    assert ok is not None
    assert ok >= 2
    assert missing is not None
    assert missing >= 1
    assert not [labels for labels, _ in samples(exposition, "http_requests_total") if "tester" in labels["endpoint"]]


def test_rejected_requests_are_counted_with_their_status(exposition: str) -> None:
    unauthorized = value(exposition, "http_requests_total", method="GET", endpoint="/api/v1/agents", status="401")

    assert unauthorized is not None
    assert unauthorized >= 1


def test_server_errors_are_exposed_at_zero_before_any_happen(exposition: str) -> None:
    errors = value(exposition, "http_requests_total", method="POST", endpoint="/api/v1/agents/run", status="500")

    assert errors == 0


def test_request_durations_use_the_documented_buckets(exposition: str) -> None:
    buckets = [
        labels["le"]
        for labels, _ in samples(exposition, "http_request_duration_seconds_bucket")
        if labels == {**labels, "method": "POST", "endpoint": "/api/v1/agents/run"}
    ]

    assert buckets == HTTP_BUCKETS


def test_the_agent_run_duration_is_observed(exposition: str) -> None:
    count = value(exposition, "http_request_duration_seconds_count", method="POST", endpoint="/api/v1/agents/run")

    assert count is not None
    assert count >= 1


def test_requests_in_flight_is_a_gauge_at_zero_when_idle(exposition: str) -> None:
    assert value(exposition, "http_requests_in_flight") == 0


def test_metrics_and_health_requests_are_not_counted(exposition: str) -> None:
    endpoints = {labels["endpoint"] for labels, _ in samples(exposition, "http_requests_total")}

    assert "/metrics" not in endpoints
    assert "/health" not in endpoints


def test_llm_calls_are_counted_by_provider_model_and_status(exposition: str) -> None:
    calls = value(exposition, "llm_requests_total", provider="openai", model="gpt-4o-mini", status="success")

    assert calls is not None
    assert calls >= 1


def test_llm_tokens_are_counted_by_type(exposition: str) -> None:
    prompt = value(exposition, "llm_tokens_total", provider="openai", model="gpt-4o-mini", type="prompt")
    completion = value(exposition, "llm_tokens_total", provider="openai", model="gpt-4o-mini", type="completion")

    assert prompt is not None
    assert prompt > 0
    assert completion is not None
    assert completion > 0


def test_llm_durations_use_the_documented_buckets(exposition: str) -> None:
    buckets = [
        labels["le"]
        for labels, _ in samples(exposition, "llm_request_duration_seconds_bucket")
        if labels == {**labels, "provider": "openai", "model": "gpt-4o-mini"}
    ]

    assert buckets == LLM_BUCKETS


def test_cache_lookups_are_counted_as_hits_and_misses(exposition: str) -> None:
    hits = value(exposition, "cache_requests_total", result="hit")
    misses = value(exposition, "cache_requests_total", result="miss")

    assert hits is not None
    assert hits >= 1
    assert misses is not None
    assert misses >= 1


def test_the_pool_gauges_report_in_use_idle_and_maximum_connections(exposition: str) -> None:
    assert value(exposition, "db_pool_max_connections") == 10
    assert value(exposition, "db_pool_connections", state="in_use") == 0
    assert value(exposition, "db_pool_connections", state="idle") == 10
