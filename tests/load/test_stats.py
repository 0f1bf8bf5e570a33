import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import math
import random

import pytest

from slocheck.load.stats import ClientStats, client_measurement
from slocheck.core.model import Bar, Condition, LocustIndicator, MeasurementStatus, Objective
from slocheck.core.units import Kind


def objective(
    stat: str, request: str | None = None, method: str | None = None, include_failures: bool = False
) -> Objective:
    bar = Bar((Condition("<", 1.0, Kind.NUMBER, "< 1"),))
    return Objective("set", f"o-{stat}", LocustIndicator(stat, request, method, include_failures), bar)


@pytest.fixture
def stats() -> ClientStats:
    result = ClientStats()
    for ms in range(1, 101):  # 1..100 ms on GET /a
        result.on_request("GET", "/a", float(ms), 10)
    result.on_request("POST", "/a", 200.0, 0, exception=RuntimeError("boom"))
    result.on_request("GET", "/b", 50.0, 0, exception="HTTP 500")
    result.window_seconds = 10.0
    return result


def test_latencies_are_reported_in_seconds(stats: ClientStats) -> None:
    measurement = client_measurement(stats, objective("p50", "/a", "GET"))
    assert measurement.status is MeasurementStatus.OK
    assert measurement.series[0].labels == {"request": "/a", "method": "GET"}
    assert measurement.series[0].value == pytest.approx(0.050, rel=0.01)


def test_the_aggregate_is_labelled_aggregated(stats: ClientStats) -> None:
    measurement = client_measurement(stats, objective("max"))
    assert measurement.series[0].labels == {"request": "Aggregated"}
    assert measurement.series[0].value == pytest.approx(0.1)  # the slowest successful request
    assert measurement.backend == "locust"


def test_rps_is_the_count_of_successful_requests_over_the_window(stats: ClientStats) -> None:
    assert client_measurement(stats, objective("rps")).series[0].value == pytest.approx(100 / 10.0)


def test_include_failures_counts_failed_requests_in_latency_and_rps(stats: ClientStats) -> None:
    assert client_measurement(stats, objective("rps", include_failures=True)).series[0].value == pytest.approx(10.2)
    assert client_measurement(stats, objective("max", include_failures=True)).series[0].value == pytest.approx(0.2)


def test_fail_ratio_is_a_ratio(stats: ClientStats) -> None:
    assert client_measurement(stats, objective("fail_ratio")).series[0].value == pytest.approx(2 / 102)


def test_a_request_name_without_method_gives_one_series_per_method(stats: ClientStats) -> None:
    measurement = client_measurement(stats, objective("count", "/a"))
    assert {(s.labels["method"], s.value) for s in measurement.series} == {("GET", 100.0), ("POST", 1.0)}


def test_an_unknown_request_name_is_no_data_listing_the_known_names(stats: ClientStats) -> None:
    measurement = client_measurement(stats, objective("p95", "/nope"))
    assert measurement.status is MeasurementStatus.NO_DATA
    assert "known requests: GET /a, POST /a, GET /b" in measurement.reason


def test_zero_requests_is_no_data() -> None:
    measurement = client_measurement(ClientStats(), objective("count"))
    assert measurement.status is MeasurementStatus.NO_DATA


def test_stats_merged_over_the_wire_equal_the_original(stats: ClientStats) -> None:
    copy = ClientStats()
    copy.merge_wire(stats.to_wire())
    copy.window_seconds = stats.window_seconds
    assert copy.to_dict() == stats.to_dict()


def test_reports_merged_over_the_wire_add_up_like_the_statistics_themselves(stats: ClientStats) -> None:
    master, reference = ClientStats(), ClientStats()
    for _report in range(3):
        master.merge_wire(stats.to_wire())
        reference.merge(ClientStats.from_wire(stats.to_wire()))
    master.window_seconds = reference.window_seconds = 30.0
    assert master.to_dict() == reference.to_dict()
    assert master.to_dict()["aggregated"]["requests"] == 3 * 102


def test_the_table_lists_endpoints_and_top_failures(stats: ClientStats) -> None:
    table = stats.to_dict()
    assert [(row["method"], row["name"], row["requests"]) for row in table["endpoints"]] == [
        ("GET", "/a", 100),
        ("POST", "/a", 1),
        ("GET", "/b", 1),
    ]
    assert table["aggregated"]["requests"] == 102
    assert table["endpoints"][0]["avg_size"] == 10
    assert {(f["method"], f["name"], f["error"], f["occurrences"]) for f in table["failures"]} == {
        ("POST", "/a", "RuntimeError('boom')", 1),
        ("GET", "/b", "HTTP 500", 1),
    }
    assert not math.isnan(table["aggregated"]["p99.9"])


def test_the_request_listener_keeps_the_same_statistics_as_record() -> None:
    rng = random.Random(7)
    listened, recorded = ClientStats(), ClientStats()
    for _ in range(2_000):
        method, name = rng.choice(["GET", "POST"]), rng.choice(["/a", "/b", "/c"])
        ms, size = rng.choice([None, 0.0, rng.uniform(0.1, 5_000.0)]), rng.choice([None, 0, rng.randint(1, 10**6)])
        error = rng.choice([None, None, None, "HTTP 503"])
        listened.on_request(method, name, ms, size, exception=error)
        recorded.record(method, name, (ms or 0.0) / 1000.0, size or 0, error)
    assert listened.to_wire() == recorded.to_wire()
    assert listened.count == 2_000
