"""Range reductions keep infinite samples, so the evaluator's rule (an infinite value never passes) applies."""

from __future__ import annotations

import math

import pytest

from slocheck.app.measure import reduce_over_time, reduce_series
from slocheck.core.model import SeriesReduce, SeriesValue

INF = math.inf


@pytest.mark.parametrize("how", ["max", "avg", "last", "p50", "p95", "p99"])
def test_a_range_of_only_infinite_samples_reduces_to_infinity_not_nan(how: str) -> None:
    assert reduce_over_time([INF, INF, INF], how) == INF


@pytest.mark.parametrize("how", ["max", "avg", "p99"])
def test_an_infinite_sample_reaches_the_reduced_value(how: str) -> None:
    assert reduce_over_time([0.1, 0.2, INF], how) == INF


def test_summing_series_with_an_infinite_one_is_infinite() -> None:
    series = [SeriesValue({"a": "1"}, 0.5), SeriesValue({"a": "2"}, INF)]
    assert reduce_series(series, SeriesReduce.SUM)[0].value == INF
