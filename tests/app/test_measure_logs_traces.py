"""Loki and Jaeger objectives measured through the real adapters against the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slocheck.app.measure import Sources, measure_all
from slocheck.config.settings import JaegerSettings, LokiSettings
from slocheck.core.model import (
    JaegerIndicator,
    LokiIndicator,
    Measurement,
    MeasurementStatus,
    RangeSpec,
    SeriesReduce,
    Window,
)
from slocheck.core.spec.logql import count_query
from slocheck.sources.jaeger import JaegerBackend
from slocheck.sources.loki import LokiBackend
from tests.support.builders import objective
from tests.support.fake_jaeger import FakeJaeger
from tests.support.fake_loki import TENANT, FakeLoki
from tests.support.traces import AGENT_RUN, SERVICE, request_trace

END = datetime.now(UTC).replace(microsecond=0)
WINDOW = Window(END - timedelta(minutes=5), END)


def loki_sources(loki: FakeLoki) -> Sources:
    return Sources(loki=LokiBackend(LokiSettings(url=loki.url, tenant=TENANT, retry_budget=0.5)))


def jaeger_sources(jaeger: FakeJaeger, run_id: str | None = None) -> Sources:
    return Sources(jaeger=JaegerBackend(JaegerSettings(url=jaeger.url, retry_budget=0.5)), run_id=run_id)


def log(loki: FakeLoki, seconds_ago: float, level: str, text: str) -> None:
    at = int((END - timedelta(seconds=seconds_ago)).timestamp() * 1e9)
    loki.add({"app": "paracle-api", "level": level}, at, text, TENANT)


def count(selector: str) -> LokiIndicator:
    return LokiIndicator(count_query(selector), template=count_query(selector), count_of=selector)


def measure(indicator: LokiIndicator | JaegerIndicator, sources: Sources, pass_: str = "<= 10") -> Measurement:
    target = objective(pass_=pass_, indicator=indicator)
    try:
        return measure_all([target], WINDOW, sources)[target.key]
    finally:
        sources.close()


def test_a_loki_count_is_the_number_of_matching_lines_in_the_window(fake_loki: FakeLoki) -> None:
    for second in (10, 20, 30):
        log(fake_loki, second, "error", "ERROR boom")
    log(fake_loki, 40, "info", "all good")
    log(fake_loki, 400, "error", "ERROR before the window")

    measured = measure(count('{app="paracle-api"} |= "ERROR"'), loki_sources(fake_loki))

    assert (measured.status, [s.value for s in measured.series]) == (MeasurementStatus.OK, [3.0])
    assert measured.query == 'sum(count_over_time({app="paracle-api"} |= "ERROR" [300s]))'
    assert measured.backend == "loki"


def test_no_matching_line_is_zero_when_the_stream_has_lines_in_the_window(fake_loki: FakeLoki) -> None:
    log(fake_loki, 10, "info", "all good")

    measured = measure(count('{app="paracle-api", level="error"}'), loki_sources(fake_loki))

    assert (measured.status, [s.value for s in measured.series]) == (MeasurementStatus.OK, [0.0])
    assert measured.details == {
        "presence_query": 'sum(count_over_time({app="paracle-api"} [300s]))',
        "stream_lines": 1,
    }


def test_no_line_at_all_is_no_data_because_zero_and_missing_logs_look_alike(fake_loki: FakeLoki) -> None:
    measured = measure(count('{app="paracle-api"} |= "ERROR"'), loki_sources(fake_loki))

    assert measured.status is MeasurementStatus.NO_DATA
    assert measured.reason.startswith('no log line matched, and {app="paracle-api"} has no lines at all in the window')


def test_a_loki_metric_query_is_judged_series_by_series(fake_loki: FakeLoki) -> None:
    log(fake_loki, 10, "error", "ERROR x")
    log(fake_loki, 20, "info", "ok")
    log(fake_loki, 30, "info", "ok")
    query = 'sum by (level) (count_over_time({app="paracle-api"}[$__range]))'

    measured = measure(LokiIndicator(query, template=query), loki_sources(fake_loki))

    assert {s.labels["level"]: s.value for s in measured.series} == {"error": 1.0, "info": 2.0}


def test_a_loki_range_query_is_reduced_over_time_then_across_series(fake_loki: FakeLoki) -> None:
    log(fake_loki, 10, "error", "ERROR x")
    log(fake_loki, 20, "info", "ok")
    query = 'sum by (level) (count_over_time({app="paracle-api"}[1m]))'
    indicator = LokiIndicator(query, SeriesReduce.SUM, RangeSpec("max", 60.0), template=query)

    measured = measure(indicator, loki_sources(fake_loki))

    assert [s.value for s in measured.series] == [2.0]
    assert measured.details == {"step_seconds": 60.0, "reduce_over_time": "max"}


def test_a_rejected_loki_query_is_an_error_in_lokis_words(fake_loki: FakeLoki) -> None:
    query = 'sum(count_over_time({app="x"}[$__range])'

    measured = measure(LokiIndicator(query, template=query), loki_sources(fake_loki))

    assert measured.status is MeasurementStatus.ERROR
    assert measured.reason.startswith("Loki: parse error at line 1, col")


def add_traces(jaeger: FakeJaeger, seconds: list[float], *, errors: int = 0, run_id: str | None = None) -> None:
    for number, duration in enumerate(seconds, start=1):
        at = END - timedelta(seconds=200 - number)
        jaeger.add(request_trace(number, at, duration, error=number <= errors, run_id=run_id))


def jaeger(stat: str, **options: object) -> JaegerIndicator:
    return JaegerIndicator(SERVICE, stat, AGENT_RUN, **options)  # type: ignore[arg-type]


def test_a_trace_percentile_is_seconds_over_the_matching_traces(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1 * n for n in range(1, 21)])

    measured = measure(jaeger("p50"), jaeger_sources(fake_jaeger), "< 2s")

    assert measured.status is MeasurementStatus.OK
    assert measured.series[0].value == pytest.approx(1.05)
    assert dict(measured.series[0].labels) == {"service": SERVICE, "operation": AGENT_RUN}
    assert measured.sample_size == 20


def test_the_sample_is_described_in_the_details(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.2] * 25, errors=2)

    details = measure(jaeger("p95"), jaeger_sources(fake_jaeger), "< 2s").details

    assert {k: v for k, v in details.items() if k != "exemplars"} == {
        "api": "api_v3", "traces_fetched": 25, "traces_matched": 25, "error_traces": 2, "queries": 1,
        "slices": 1, "limit_per_query": 500, "complete": True,
    }  # fmt: skip


def test_latency_objectives_carry_exemplars_of_the_slowest_and_failed_traces(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 19 + [3.0], errors=1)

    exemplars = measure(jaeger("p99"), jaeger_sources(fake_jaeger), "< 2s").details["exemplars"]

    assert isinstance(exemplars, list)
    assert exemplars[0]["error"] is True
    slowest = next(e for e in exemplars if e["duration_seconds"] == 3.0)
    assert slowest["url"] == f"{fake_jaeger.url}/trace/{slowest['trace_id']}"


def test_an_error_ratio_counts_traces_with_an_error_span(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 20, errors=3)
    fake_jaeger.add(request_trace(99, END - timedelta(seconds=5), 0.1, child_error=True))

    measured = measure(jaeger("error_ratio"), jaeger_sources(fake_jaeger), "< 1%")

    assert measured.series[0].value == pytest.approx(4 / 21)


def test_fewer_traces_than_min_traces_is_no_data_with_the_reason(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 7)

    measured = measure(jaeger("p95", min_traces=10), jaeger_sources(fake_jaeger), "< 2s")

    assert measured.status is MeasurementStatus.NO_DATA
    assert measured.reason == "7 matching trace(s) in the window, fewer than min_traces (10)"
    assert measured.sample_size == 7


def test_a_count_that_hit_the_per_query_limit_is_no_data(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 30)
    sources = Sources(jaeger=JaegerBackend(JaegerSettings(url=fake_jaeger.url), limit=5, slices=2))

    measured = measure(jaeger("count"), sources, ">= 1")

    assert measured.status is MeasurementStatus.NO_DATA
    assert measured.reason.startswith("at least 5 traces, but 1 of 2 searches hit Jaeger's per-query limit of 5")


def test_a_complete_count_is_the_number_of_traces_even_below_min_traces(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 3)

    measured = measure(jaeger("count"), jaeger_sources(fake_jaeger), ">= 1")

    assert [s.value for s in measured.series] == [3.0]


def test_run_traces_keep_only_the_traces_of_this_run(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 5, run_id="run-1")
    for number in range(50, 60):
        fake_jaeger.add(request_trace(number, END - timedelta(seconds=30), 9.0, run_id="run-0"))

    measured = measure(jaeger("max", run_traces=True, min_traces=1), jaeger_sources(fake_jaeger, "run-1"), "< 2s")

    assert (measured.sample_size, measured.series[0].value) == (5, pytest.approx(0.1))
    assert measured.details["run_id"] == "run-1"


def test_run_traces_without_a_run_are_an_error_that_names_slocheck_run(fake_jaeger: FakeJaeger) -> None:
    measured = measure(jaeger("max", run_traces=True), jaeger_sources(fake_jaeger), "< 2s")

    assert measured.status is MeasurementStatus.ERROR
    assert "slocheck run" in measured.reason


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        (count('{app="x"}'), "Loki is not configured; pass --loki-url, set SLOCHECK_LOKI_URL"),
        (jaeger("p95"), "Jaeger is not configured; pass --jaeger-url, set SLOCHECK_JAEGER_URL"),
    ],
)
def test_an_unconfigured_source_is_an_error_never_a_pass(
    indicator: LokiIndicator | JaegerIndicator, message: str
) -> None:
    measured = measure(indicator, Sources())

    assert measured.status is MeasurementStatus.ERROR
    assert measured.reason.startswith(message)


def test_objectives_over_the_same_traces_share_one_search(fake_jaeger: FakeJaeger) -> None:
    add_traces(fake_jaeger, [0.1] * 20)
    latency = objective("p95", "< 2s", indicator=jaeger("p95"))
    errors = objective("errors", "< 1%", indicator=jaeger("error_ratio"))
    sources = jaeger_sources(fake_jaeger)

    measured = measure_all([latency, errors], WINDOW, sources)
    sources.close()

    assert {m.status for m in measured.values()} == {MeasurementStatus.OK}
    assert len(fake_jaeger.searches("/api/v3/traces")) == 1
