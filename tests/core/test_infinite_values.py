"""An infinite value never passes: a bar it breaches fails, a bar it would meet makes the series NO_DATA."""

from __future__ import annotations

import math

from slocheck.core.evaluate import evaluate_objective, judge_value
from slocheck.core.model import NoDataPolicy, Outcome, Verdict
from tests.support.builders import objective, ok

INF = math.inf


def test_plus_infinity_meeting_a_success_ratio_bar_is_no_data_naming_a_division_by_zero() -> None:
    ratio = objective(pass_=">= 99.9%")  # sum(up) / sum(up * 0)
    result = evaluate_objective(ratio, ok(ratio, INF))
    assert result.outcome is Outcome.NO_DATA
    assert result.counts_as is Verdict.INCONCLUSIVE
    assert result.reason == (
        "no data: infinite value (division by zero?): +Inf would meet >= 99.9%, but an infinite value never passes"
    )


def test_minus_infinity_meeting_a_latency_bar_is_no_data() -> None:
    latency = objective(pass_="< 500ms")  # histogram_quantile(-1, …)
    assert judge_value(latency, -INF) is Outcome.NO_DATA


def test_a_p99_above_the_top_bucket_still_fails_a_latency_bar() -> None:
    latency = objective(pass_="< 1s")
    result = evaluate_objective(latency, ok(latency, INF))
    assert result.outcome is Outcome.FAIL
    assert result.counts_as is Verdict.FAIL


def test_an_infinity_meeting_only_the_warn_bar_is_no_data_not_warn() -> None:
    assert judge_value(objective(pass_="== 1", warn="> 0"), INF) is Outcome.NO_DATA


def test_on_no_data_pass_never_lets_an_infinite_value_pass() -> None:
    ratio = objective(pass_=">= 99%", on_no_data=NoDataPolicy.PASS)
    assert evaluate_objective(ratio, ok(ratio, INF)).counts_as is Verdict.INCONCLUSIVE


def test_on_no_data_fail_makes_an_infinite_value_fail() -> None:
    ratio = objective(pass_=">= 99%", on_no_data=NoDataPolicy.FAIL)
    assert evaluate_objective(ratio, ok(ratio, INF)).counts_as is Verdict.FAIL


def test_an_infinite_series_among_passing_ones_keeps_the_objective_from_passing() -> None:
    ratio = objective(pass_=">= 99%")
    assert evaluate_objective(ratio, ok(ratio, 0.999, INF)).counts_as is Verdict.INCONCLUSIVE
