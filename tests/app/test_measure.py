"""measure.py: reducers, and one Measurement per objective through a backend (an in-test fake, no HTTP)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slocheck.app.measure import Sources, measure_all, reduce_over_time, reduce_series
from slocheck.core.errors import BackendUnavailable, QueryError
from slocheck.core.model import (
    LocustIndicator,
    Measurement,
    MeasurementStatus,
    Objective,
    PrometheusIndicator,
    RangeSpec,
    SeriesReduce,
    SeriesValue,
    Window,
)
from slocheck.sources.protocols import MetricsBackend, QueryResult, RangeResult
from tests.support.builders import INF, NAN, WINDOW, objective

# --- reduce_over_time --------------------------------------------------------------------------


@pytest.mark.parametrize(("how", "value"), [("max", 9.0), ("min", 1.0), ("avg", 4.0), ("last", 2.0)])
def test_reduce_over_time_applies_the_named_reducer(how: str, value: float) -> None:
    assert reduce_over_time([1.0, 9.0, 4.0, 2.0], how) == value


@pytest.mark.parametrize(("how", "value"), [("p50", 2.5), ("p90", 3.7), ("p25", 1.75), ("p99.9", 3.997)])
def test_percentiles_interpolate_linearly_between_closest_ranks(how: str, value: float) -> None:
    assert reduce_over_time([4.0, 1.0, 3.0, 2.0], how) == pytest.approx(value)


def test_a_percentile_of_one_sample_is_that_sample() -> None:
    assert reduce_over_time([7.0], "p95") == 7.0


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=2, max_size=50), st.integers(1, 99))
def test_percentiles_agree_with_the_inclusive_method_of_the_standard_library(
    samples: list[float], percent: int
) -> None:
    expected = statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]
    assert reduce_over_time(samples, f"p{percent}") == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_nan_samples_are_ignored() -> None:
    assert reduce_over_time([1.0, NAN, 3.0], "avg") == 2.0


def test_last_is_the_last_sample_that_is_a_number() -> None:
    assert reduce_over_time([1.0, 2.0, NAN], "last") == 2.0


def test_infinite_samples_are_kept_as_values() -> None:
    assert reduce_over_time([1.0, INF, NAN], "max") == INF


@pytest.mark.parametrize("how", ["max", "min", "avg", "last", "p95"])
def test_a_series_of_only_nan_reduces_to_nan(how: str) -> None:
    assert math.isnan(reduce_over_time([NAN, NAN], how))


def test_an_empty_series_reduces_to_nan() -> None:
    assert math.isnan(reduce_over_time([], "max"))


# --- reduce_series ------------------------------------------------------------------------------

SERIES = (SeriesValue({"i": "a"}, 1.0), SeriesValue({"i": "b"}, 3.0), SeriesValue({"i": "c"}, NAN))


@pytest.mark.parametrize(
    ("how", "value"),
    [(SeriesReduce.MAX, 3.0), (SeriesReduce.MIN, 1.0), (SeriesReduce.AVG, 2.0), (SeriesReduce.SUM, 4.0)],
)
def test_reduce_series_combines_the_series_that_are_numbers(how: SeriesReduce, value: float) -> None:
    assert reduce_series(SERIES, how) == (SeriesValue({"reduce": f"{how.value} of 2 series"}, value),)


def test_reduce_series_of_only_nan_series_is_empty() -> None:
    assert reduce_series((SeriesValue({}, NAN),), SeriesReduce.MAX) == ()


# --- measure_all with a fake backend ------------------------------------------------------------


@dataclass
class FakePrometheus:
    """Implements MetricsBackend in memory; records what it was asked."""

    instant_series: tuple[SeriesValue, ...] = ()
    range_series: tuple[tuple[dict[str, str], tuple[tuple[float, float], ...]], ...] = ()
    raises: Exception | None = None
    name: str = "prometheus"
    instant_calls: list[tuple[str, datetime]] = field(default_factory=list)
    range_calls: list[tuple[str, datetime, datetime, float]] = field(default_factory=list)

    def instant(self, query: str, at: datetime) -> QueryResult:
        self.instant_calls.append((query, at))
        if self.raises is not None:
            raise self.raises
        return QueryResult(self.instant_series)

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        self.range_calls.append((query, start, end, step_seconds))
        if self.raises is not None:
            raise self.raises
        return RangeResult(self.range_series)

    def check_query(self, query: str) -> None:
        return None

    def close(self) -> None:
        return None


def measure_one(target: Objective, backend: MetricsBackend | None, window: Window = WINDOW) -> Measurement:
    measurements = measure_all([target], window, Sources(prometheus=backend))
    assert list(measurements) == [target.key]
    return measurements[target.key]


def prom(query: str = "up", reduce: SeriesReduce | None = None, range_: RangeSpec | None = None) -> Objective:
    return objective(indicator=PrometheusIndicator(query, reduce, range_))


def test_the_fake_backend_satisfies_the_protocol() -> None:
    backend: MetricsBackend = FakePrometheus()
    assert backend.name == "prometheus"


def test_an_instant_query_runs_at_the_window_end_with_range_filled_in() -> None:
    backend = FakePrometheus(instant_series=(SeriesValue({"job": "api"}, 0.2),))
    measurement = measure_one(prom("max_over_time(x[$__range]) / $__range_s"), backend)
    assert backend.instant_calls == [("max_over_time(x[300s]) / 300", WINDOW.end)]
    assert measurement.query == "max_over_time(x[300s]) / 300"


def test_an_instant_answer_becomes_an_ok_measurement_with_its_series() -> None:
    series = (SeriesValue({"instance": "a"}, 0.2), SeriesValue({"instance": "b"}, 0.4))
    measurement = measure_one(prom(), FakePrometheus(instant_series=series))
    assert measurement.status is MeasurementStatus.OK
    assert measurement.series == series
    assert measurement.backend == "prometheus"
    assert measurement.sample_size == 2


def test_an_empty_answer_is_no_data() -> None:
    measurement = measure_one(prom(), FakePrometheus())
    assert measurement.status is MeasurementStatus.NO_DATA
    assert measurement.reason == "empty result: no series matched in the window"
    assert measurement.series == ()


def test_an_answer_of_only_nan_is_no_data_and_keeps_the_series() -> None:
    series = (SeriesValue({"instance": "a"}, NAN), SeriesValue({"instance": "b"}, NAN))
    measurement = measure_one(prom(), FakePrometheus(instant_series=series))
    assert measurement.status is MeasurementStatus.NO_DATA
    assert measurement.reason == "every series is NaN (no samples in the window, or 0/0)"
    assert measurement.series == series


def test_an_answer_with_some_nan_series_is_ok() -> None:
    series = (SeriesValue({"instance": "a"}, NAN), SeriesValue({"instance": "b"}, 0.1))
    assert measure_one(prom(), FakePrometheus(instant_series=series)).status is MeasurementStatus.OK


def test_a_backend_error_becomes_an_error_measurement_with_its_message() -> None:
    backend = FakePrometheus(raises=BackendUnavailable("Prometheus", "cannot reach http://127.0.0.1:9"))
    measurement = measure_one(prom("rate(x[$__range])"), backend)
    assert measurement.status is MeasurementStatus.ERROR
    assert measurement.reason == "Prometheus: cannot reach http://127.0.0.1:9"
    assert measurement.query == "rate(x[300s])"


def test_a_rejected_query_becomes_an_error_measurement() -> None:
    backend = FakePrometheus(raises=QueryError("Prometheus", "400 bad_data: parse error"))
    measurement = measure_one(prom(), backend)
    assert measurement.status is MeasurementStatus.ERROR
    assert measurement.reason == "Prometheus: 400 bad_data: parse error"


def test_an_unexpected_exception_in_a_backend_fails_closed_as_an_error() -> None:
    measurement = measure_one(prom(), FakePrometheus(raises=RuntimeError("boom")))
    assert measurement.status is MeasurementStatus.ERROR
    assert measurement.reason == "internal error while measuring: RuntimeError: boom"


def test_a_prometheus_objective_without_prometheus_is_an_error_naming_the_fix() -> None:
    measurement = measure_one(prom(), None)
    assert measurement.status is MeasurementStatus.ERROR
    assert "SLOCHECK_PROMETHEUS_URL" in measurement.reason


def test_a_locust_objective_without_client_stats_is_an_error() -> None:
    target = objective(indicator=LocustIndicator("rps"))
    measurement = measure_one(target, FakePrometheus())
    assert measurement.status is MeasurementStatus.ERROR
    assert measurement.backend == "locust"
    assert measurement.reason == "client-side (locust) statistics exist only for a load run: use `slocheck run`"


def test_a_locust_objective_is_measured_by_the_client_stats_source() -> None:
    target = objective(indicator=LocustIndicator("rps"))
    answer = Measurement(target.key, "locust", "rps", MeasurementStatus.OK, (SeriesValue({}, 120.0),))
    measurements = measure_all([target], WINDOW, Sources(client_stats=lambda o: answer))
    assert measurements == {target.key: answer}


def test_a_range_indicator_asks_for_the_window_and_reduces_each_series_over_time() -> None:
    backend = FakePrometheus(
        range_series=(
            ({"instance": "a"}, ((1.0, 0.1), (2.0, 0.5), (3.0, 0.3))),
            ({"instance": "b"}, ((1.0, NAN), (2.0, 0.2))),
        )
    )
    measurement = measure_one(prom("rate(x[$__interval])", range_=RangeSpec("max", 15.0)), backend)
    assert backend.range_calls == [("rate(x[15s])", WINDOW.start, WINDOW.end, 15.0)]
    assert measurement.series == (SeriesValue({"instance": "a"}, 0.5), SeriesValue({"instance": "b"}, 0.2))
    assert measurement.sample_size == 5
    assert dict(measurement.details) == {"step_seconds": 15.0, "reduce_over_time": "max"}


def test_a_range_step_is_raised_so_no_series_exceeds_eleven_thousand_points() -> None:
    long_window = Window(WINDOW.end - timedelta(days=30), WINDOW.end)
    backend = FakePrometheus(range_series=(({}, ((1.0, 1.0),)),))
    measure_one(prom("up", range_=RangeSpec("avg", 1.0)), backend, long_window)
    (_, _, _, step) = backend.range_calls[0]
    assert long_window.seconds / step <= 11_000


def test_a_range_of_only_nan_samples_is_no_data() -> None:
    backend = FakePrometheus(range_series=(({}, ((1.0, NAN), (2.0, NAN))),))
    measurement = measure_one(prom(range_=RangeSpec("p95")), backend)
    assert measurement.status is MeasurementStatus.NO_DATA


def test_reduce_combines_series_after_the_reduction_over_time() -> None:
    backend = FakePrometheus(
        range_series=(({"i": "a"}, ((1.0, 1.0), (2.0, 3.0))), ({"i": "b"}, ((1.0, 5.0), (2.0, 7.0))))
    )
    measurement = measure_one(prom(reduce=SeriesReduce.SUM, range_=RangeSpec("avg")), backend)
    assert measurement.series == (SeriesValue({"reduce": "sum of 2 series"}, 8.0),)


def test_every_objective_gets_one_measurement_under_its_key() -> None:
    first, second = objective("first"), objective("second", indicator=LocustIndicator("rps"))
    measurements = measure_all([first, second], WINDOW, Sources(prometheus=FakePrometheus()))
    assert sorted(measurements) == ["gate/first", "gate/second"]
    assert measurements["gate/second"].status is MeasurementStatus.ERROR


def test_measuring_nothing_gives_nothing() -> None:
    assert measure_all([], WINDOW, Sources()) == {}
