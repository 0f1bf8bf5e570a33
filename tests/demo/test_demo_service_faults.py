"""The demo service's fault knobs, its options and its shutdown."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from slocheck_demo.service import ServiceOptions
from tests.demo.helpers import DemoClient, running, value


@pytest.fixture(scope="module")
def failing_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    with running(DemoClient(tmp_path_factory.mktemp("failing"), ["--error-rate", "1.0"])) as client:
        yield client


@pytest.fixture(scope="module")
def failing_llm_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    with running(DemoClient(tmp_path_factory.mktemp("failing-llm"), ["--llm-error-rate", "1.0"])) as client:
        yield client


@pytest.fixture(scope="module")
def slow_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    with running(DemoClient(tmp_path_factory.mktemp("slow"), ["--latency", "300"])) as client:
        yield client


def test_with_error_rate_one_every_api_request_answers_500(failing_service: DemoClient) -> None:
    reply = failing_service.request("POST", "/api/v1/auth/token", {"username": "a", "password": "b"})

    assert reply.status == 500
    assert reply.body["error"]["code"] == "injected_fault"


def test_injected_500s_are_counted_in_http_requests_total(failing_service: DemoClient) -> None:
    for _ in range(3):
        failing_service.request("POST", "/api/v1/auth/token", {"username": "a", "password": "b"})

    errors = value(
        failing_service.metrics(), "http_requests_total", method="POST", endpoint="/api/v1/auth/token", status="500"
    )
    assert errors is not None
    assert errors >= 3


def test_with_error_rate_one_health_still_answers(failing_service: DemoClient) -> None:
    assert failing_service.request("GET", "/health").status == 200


def test_with_llm_error_rate_one_an_agent_run_fails_with_an_upstream_error(failing_llm_service: DemoClient) -> None:
    reply = failing_llm_service.run_agent(failing_llm_service.token())

    assert reply.status in {429, 502, 504}
    assert reply.body["error"]["code"].startswith("llm_")


def test_failed_llm_calls_are_counted_as_errors_with_their_type(failing_llm_service: DemoClient) -> None:
    failing_llm_service.run_agent(failing_llm_service.token())
    exposition = failing_llm_service.metrics()

    failed = value(exposition, "llm_requests_total", provider="openai", model="gpt-4o-mini", status="error")
    assert failed is not None
    assert failed >= 1
    assert "llm_errors_total{" in exposition


def test_with_llm_error_rate_one_a_workflow_reports_failed(failing_llm_service: DemoClient) -> None:
    body = {"workflow_id": "documentation", "inputs": {}}
    reply = failing_llm_service.request("POST", "/api/v1/workflows/run", body, failing_llm_service.token())

    assert reply.status == 200
    assert reply.body["status"] == "failed"
    assert len(reply.body["steps"]) == 1  # the first stage failed, so the second never ran


def test_added_latency_delays_every_api_request(slow_service: DemoClient) -> None:
    reply = slow_service.request("GET", "/api/v1/agents")

    assert reply.status == 401
    assert reply.seconds >= 0.3


def test_added_latency_does_not_delay_health(slow_service: DemoClient) -> None:
    assert slow_service.request("GET", "/health").seconds < 0.3


def test_an_error_rate_above_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        ServiceOptions(error_rate=1.5)


def test_a_pool_minimum_above_its_maximum_is_rejected() -> None:
    with pytest.raises(ValueError, match="db_pool_min_size"):
        ServiceOptions(db_pool_min_size=20, db_pool_max_size=10)


def test_sigterm_stops_the_service_with_exit_code_zero(tmp_path_factory: pytest.TempPathFactory) -> None:
    client = DemoClient(tmp_path_factory.mktemp("sigterm")).start()
    try:
        process = client.process.process
        assert process is not None
        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=10) == 0
    finally:
        client.stop()
