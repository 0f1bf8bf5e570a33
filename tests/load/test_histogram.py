import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from slocheck.load.histogram import LogHistogram

# Response times in seconds, 0.1 ms to 60 s.
latencies = st.floats(min_value=1e-4, max_value=60.0, allow_nan=False, allow_infinity=False)
QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999, 1.0)


def exact_nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@settings(max_examples=300, deadline=None)
@given(st.lists(latencies, min_size=1, max_size=400))
def test_every_percentile_is_within_one_percent_of_the_exact_value(values: list[float]) -> None:
    histogram = LogHistogram.of(values)
    for q in QUANTILES:
        exact = exact_nearest_rank(values, q)
        assert abs(histogram.quantile(q) - exact) <= 0.01 * exact


@settings(max_examples=200, deadline=None)
@given(st.lists(latencies, max_size=200), st.lists(latencies, max_size=200))
def test_merging_two_histograms_equals_one_histogram_of_all_values(left: list[float], right: list[float]) -> None:
    merged = LogHistogram.of(left)
    merged.merge(LogHistogram.of(right))
    together = LogHistogram.of(left + right)
    assert merged.counts == together.counts
    assert (merged.count, merged.zero_count, merged.min, merged.max) == (
        together.count,
        together.zero_count,
        together.min,
        together.max,
    )
    assert math.isclose(merged.total, together.total, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(latencies, max_size=200))
def test_a_histogram_survives_the_wire_format(values: list[float]) -> None:
    histogram = LogHistogram.of(values)
    assert LogHistogram.from_wire(histogram.to_wire()) == histogram


def test_memory_stays_bounded_for_a_million_values_over_the_whole_range() -> None:
    histogram = LogHistogram()
    for i in range(1_000_000):
        histogram.add(1e-6 * 1.0001**i)  # 1 µs up to ~2.7e37 s, clamped at 1e6 s
    assert len(histogram.counts) <= 3500


def test_an_empty_histogram_has_no_percentile() -> None:
    assert math.isnan(LogHistogram().quantile(0.5))


def test_zero_and_negative_values_count_as_zero() -> None:
    histogram = LogHistogram.of([0.0, -1.0, 0.5])
    assert histogram.quantile(0.5) == 0.0
    assert histogram.max == 0.5
