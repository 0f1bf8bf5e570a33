"""The histogram-honesty analysis: parsing histogram_quantile queries, locating bars among bucket bounds, and
Prometheus' interpolation."""

import math

import pytest

from slocheck.core.histogram_bars import (
    BucketFit,
    bar_warnings,
    histogram_quantile,
    le_query,
    locate,
    parse_le_values,
    parse_quantile_query,
)
from slocheck.core.model import Bar, Condition
from slocheck.core.units import Kind

DEFAULT_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
P95 = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))'


def bar(text: str, threshold: float, op: str = "<", kind: Kind = Kind.DURATION) -> Bar:
    return Bar((Condition(op, threshold, kind, text),))


def test_a_histogram_quantile_query_yields_its_quantile_and_bucket_selector() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    assert parsed.quantile == 0.95
    assert parsed.selectors == ('http_request_duration_seconds_bucket{job="api"}',)
    assert parsed.metrics == ("http_request_duration_seconds_bucket",)


def test_a_query_in_parentheses_and_spread_over_lines_is_still_recognised() -> None:
    spread = P95.replace(", sum", ",\n  sum")
    parsed = parse_quantile_query(f"(\n  {spread}\n)")
    assert parsed is not None
    assert parsed.quantile == 0.95


def test_a_bucket_metric_without_label_matchers_is_its_own_selector() -> None:
    parsed = parse_quantile_query("histogram_quantile(0.99, rate(rpc_latency_seconds_bucket[1m]))")
    assert parsed is not None
    assert parsed.selectors == ("rpc_latency_seconds_bucket",)


def test_label_values_with_brackets_and_commas_do_not_confuse_the_parser() -> None:
    query = 'histogram_quantile(0.9, sum by (le) (rate(x_bucket{route="/a,(b)}",job="j"}[5m])))'
    parsed = parse_quantile_query(query)
    assert parsed is not None
    assert parsed.quantile == 0.9
    assert parsed.selectors == ('x_bucket{route="/a,(b)}",job="j"}',)


def test_several_bucket_metrics_are_all_listed_once() -> None:
    query = "histogram_quantile(0.5, sum by (le) (rate(a_bucket[5m])) + sum by (le) (rate(b_bucket[5m])) + a_bucket)"
    parsed = parse_quantile_query(query)
    assert parsed is not None
    assert parsed.selectors == ("a_bucket", "b_bucket")


def test_a_quantile_given_by_an_expression_is_unknown_but_the_query_is_still_analysed() -> None:
    parsed = parse_quantile_query("histogram_quantile(scalar(q), rate(x_bucket[5m]))")
    assert parsed is not None
    assert parsed.quantile is None


@pytest.mark.parametrize(
    "query",
    [
        "sum(rate(http_requests_total[5m]))",
        f"{P95} * 1000",
        f"{P95} / {P95}",
        "histogram_quantile(0.95, sum by (le) (rate(native_histogram_seconds[5m])))",
        "max_over_time(histogram_quantile_value[5m])",
    ],
)
def test_a_query_whose_value_is_not_a_classic_histogram_quantile_is_not_analysed(query: str) -> None:
    assert parse_quantile_query(query) is None


def test_the_le_query_counts_series_by_bound_over_the_last_hour() -> None:
    assert le_query('x_bucket{job="a"}') == 'count by (le) (last_over_time(x_bucket{job="a"}[1h]))'


def test_le_values_are_parsed_deduplicated_and_sorted_without_infinity() -> None:
    labels = [{"le": "0.5"}, {"le": "+Inf"}, {"le": "0.1"}, {"le": "5e-01"}, {"le": "oops"}, {}]
    assert parse_le_values(labels) == (0.1, 0.5)


def test_a_bar_strictly_between_two_bounds_lies_in_the_upper_bounds_bucket() -> None:
    fit = locate(0.4, DEFAULT_BOUNDS)
    assert fit == BucketFit(0.4, 0.25, 0.5, exact=False)
    low, high = fit.error_range
    assert low == pytest.approx(-0.375)
    assert high == pytest.approx(0.25)


def test_a_bar_equal_to_a_bound_is_exact() -> None:
    fit = locate(0.5, DEFAULT_BOUNDS)
    assert fit is not None
    assert fit.exact
    assert fit.error_range == (0.0, 0.0)


def test_a_bar_below_the_first_bound_lies_in_the_bucket_from_zero() -> None:
    assert locate(0.002, DEFAULT_BOUNDS) == BucketFit(0.002, 0.0, 0.005, exact=False)


def test_a_bar_above_every_finite_bound_lies_in_the_infinite_bucket() -> None:
    fit = locate(20.0, DEFAULT_BOUNDS)
    assert fit is not None
    assert fit.above_all
    assert fit.lower == 10.0


def test_no_bounds_means_nothing_can_be_said() -> None:
    assert locate(0.3, ()) is None


def test_the_issue_example_300ms_in_the_default_buckets_is_minus_17_to_plus_67_percent() -> None:
    fit = locate(0.3, DEFAULT_BOUNDS)
    assert fit is not None
    low, high = fit.error_range
    assert round(low * 100) == -17
    assert round(high * 100) == 67


def test_a_bar_inside_a_bucket_gets_a_warning_with_the_bucket_and_the_error_range() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    [warning] = bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 400ms", 0.4)])
    assert warning.startswith("bar < 400ms lies in bucket (250 ms, 500 ms] of http_request_duration_seconds_bucket")
    assert "true p95 can be anywhere from 250 ms to 500 ms" in warning
    assert "(−38 % … +25 % of the bar)" in warning


def test_a_bar_on_a_bucket_bound_gets_no_warning() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    assert bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 500ms", 0.5), bar("< 1s", 1.0)]) == []


def test_pass_and_warn_bars_are_each_checked() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    warnings = bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 500ms", 0.5), bar("< 800ms", 0.8)])
    assert len(warnings) == 1
    assert "bar < 800ms lies in bucket (500 ms, 1 s]" in warnings[0]


def test_a_missing_warn_bar_is_skipped() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    assert bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 500ms", 0.5), None]) == []


def test_a_bar_above_every_bound_is_reported_as_uncrossable() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    [warning] = bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 20s", 20.0)])
    assert "above the largest bucket bound 10 s" in warning
    assert "cannot be crossed" in warning


def test_a_bare_number_bar_is_read_as_seconds() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    [warning] = bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 0.3", 0.3, kind=Kind.NUMBER)])
    assert "bucket (250 ms, 500 ms]" in warning


def test_bars_that_are_not_durations_are_ignored() -> None:
    parsed = parse_quantile_query(P95)
    assert parsed is not None
    assert bar_warnings(parsed, DEFAULT_BOUNDS, [bar("< 30%", 0.3, kind=Kind.RATIO)]) == []


def test_histogram_quantile_interpolates_linearly_inside_the_bucket() -> None:
    buckets = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (math.inf, 100.0)]
    # rank 70 is halfway between 50 and 90: halfway between 0.1 and 0.5
    assert histogram_quantile(0.7, buckets) == pytest.approx(0.3)


def test_histogram_quantile_starts_the_first_bucket_at_zero() -> None:
    assert histogram_quantile(0.5, [(0.2, 10.0), (math.inf, 10.0)]) == pytest.approx(0.1)


def test_histogram_quantile_answers_the_largest_finite_bound_for_ranks_in_the_infinite_bucket() -> None:
    assert histogram_quantile(0.99, [(0.1, 50.0), (1.0, 90.0), (math.inf, 100.0)]) == 1.0


@pytest.mark.parametrize(
    ("q", "buckets", "expected"),
    [
        (0.5, [(0.1, 5.0)], math.nan),
        (0.5, [(0.1, 0.0), (math.inf, 0.0)], math.nan),
        (-0.1, [(0.1, 5.0), (math.inf, 5.0)], -math.inf),
        (1.1, [(0.1, 5.0), (math.inf, 5.0)], math.inf),
    ],
)
def test_histogram_quantile_edge_cases_follow_prometheus(
    q: float, buckets: list[tuple[float, float]], expected: float
) -> None:
    result = histogram_quantile(q, buckets)
    assert (math.isnan(result) and math.isnan(expected)) or result == expected


def test_histogram_quantile_forces_counts_to_be_monotonic() -> None:
    buckets = [(0.1, 10.0), (0.5, 8.0), (1.0, 20.0), (math.inf, 20.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
