"""`--max-concurrency N --service-time S`: a target whose capacity is N/S requests per second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from slocheck_demo.service_options import parse_options
from tests.demo.helpers import DemoClient, running


@pytest.fixture(scope="module")
def limited_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    args = ["--max-concurrency", "2", "--service-time", "200ms"]
    with running(DemoClient(tmp_path_factory.mktemp("limited"), args)) as client:
        yield client


def test_service_time_accepts_milliseconds_seconds_and_bare_numbers() -> None:
    assert parse_options(["--service-time", "50ms"]).service_time_ms == 50
    assert parse_options(["--service-time", "0.05s"]).service_time_ms == 50
    assert parse_options(["--service-time", "20"]).service_time_ms == 20


def test_requests_beyond_max_concurrency_queue_for_a_slot(limited_service: DemoClient) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: limited_service.request("GET", "/api/v1/agents").status, range(4)))
    elapsed = time.monotonic() - started

    assert len(statuses) == 4
    assert elapsed >= 0.4  # 4 requests, 2 at a time, 200 ms each: two rounds


def test_health_is_not_limited(limited_service: DemoClient) -> None:
    started = time.monotonic()
    assert limited_service.request("GET", "/health").status == 200
    assert time.monotonic() - started < 0.2
