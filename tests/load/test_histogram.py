import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import math
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slocheck.load.histogram import _MAX_INDEX, _MIN_INDEX, GAMMA, MIN_VALUE, MAX_VALUE, LogHistogram, bucket_index

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


@settings(max_examples=200, deadline=None)
@given(st.lists(latencies, max_size=200), st.lists(latencies, max_size=200))
def test_merging_from_the_wire_equals_merging_the_histogram(left: list[float], right: list[float]) -> None:
    direct, via_wire = LogHistogram.of(left), LogHistogram.of(left)
    direct.merge(LogHistogram.of(right))
    via_wire.merge_wire(LogHistogram.of(right).to_wire())
    assert via_wire == direct


def test_merging_a_wire_histogram_with_mismatched_lists_is_refused() -> None:
    wire = LogHistogram.of([0.1, 0.2]).to_wire() | {"n": [1]}
    with pytest.raises(ValueError, match="2 bucket indices but 1 counts"):
        LogHistogram().merge_wire(wire)


@pytest.mark.parametrize("numbers", [[1, "2"], [1, None]])
def test_a_worker_histogram_with_a_non_numeric_count_is_rejected(numbers: list[object]) -> None:
    wire = LogHistogram.of([0.1, 0.2]).to_wire() | {"n": numbers}
    with pytest.raises(ValueError, match="expected a number"):
        LogHistogram().merge_wire(wire)


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


def _reference_add(histogram: LogHistogram, value: float) -> None:
    """`LogHistogram.add` as it was before the fast path: max()/min() and `bucket_index()`."""
    value = max(value, 0.0)
    histogram.count += 1
    histogram.total += value
    histogram.min = min(histogram.min, value)
    histogram.max = max(histogram.max, value)
    if value < MIN_VALUE:
        histogram.zero_count += 1
        return
    index = bucket_index(value)
    histogram.counts[index] = histogram.counts.get(index, 0) + 1


def _edges() -> list[float]:
    """The clamping edges and every bucket boundary near them, with their float neighbours."""
    values = [-1.0, -0.0, 0.0, 5e-324, MIN_VALUE, MAX_VALUE, 1e7, 1e300, sys.float_info.max]
    for index in (*range(_MIN_INDEX - 2, _MIN_INDEX + 3), *range(_MAX_INDEX - 2, _MAX_INDEX + 3), 0, 1, -1):
        boundary = GAMMA**index
        values += [math.nextafter(boundary, 0.0), boundary, math.nextafter(boundary, math.inf)]
    values += [math.nextafter(MIN_VALUE, 0.0), math.nextafter(MIN_VALUE, math.inf), math.nextafter(MAX_VALUE, 0.0)]
    return values


def test_the_fast_add_puts_every_value_in_the_same_bucket_as_bucket_index() -> None:
    rng = random.Random(15)
    values = [10 ** rng.uniform(-10.0, 7.0) for _ in range(300_000)]  # log-uniform: 0.1 ns to 10^7 s
    values += [GAMMA ** rng.randint(_MIN_INDEX - 5, _MAX_INDEX + 5) for _ in range(20_000)]  # exact boundaries
    values += _edges()
    fast, reference = LogHistogram(), LogHistogram()
    for value in values:
        fast.add(value)
        _reference_add(reference, value)
    assert fast == reference
    assert max(fast.counts) == _MAX_INDEX  # the top clamp was reached
    assert fast.zero_count == reference.zero_count > 0


@pytest.mark.parametrize("indices", [[1, True], [1, "2"], [1, None]])
def test_a_worker_histogram_with_a_non_integer_index_is_rejected(indices: list[object]) -> None:
    wire = LogHistogram.of([0.1, 0.2]).to_wire() | {"i": indices, "n": [1, 1]}
    with pytest.raises(ValueError, match="expected a number"):
        LogHistogram.from_wire(wire)
