"""Relative bars (`<= +10%`, `<= +50ms`, `>= -5%`) judged against a Baseline value object, and their parsing."""

from __future__ import annotations

import pytest

from slocheck.core.baseline import Baseline
from slocheck.core.evaluate import evaluate_objective
from slocheck.core.model import RELATIVE_DELTA, RELATIVE_PERCENT, Outcome, SeriesValue
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.core.units import Kind
from tests.support.builders import objective, ok

LABELS = {"instance": "i0"}


def baseline_of(key: str, value: float, labels: dict[str, str] | None = None) -> Baseline:
    return Baseline("run-a", {key: (SeriesValue(labels if labels is not None else LABELS, value),)})


def test_a_signed_percentage_is_a_relative_percent_bar() -> None:
    condition = parse_bar_text("<= +10%")
    assert (condition.relative, condition.threshold, condition.text) == (RELATIVE_PERCENT, 0.1, "<= +10%")


def test_a_signed_duration_is_a_relative_difference_in_seconds() -> None:
    condition = parse_bar_text("<= +50ms")
    assert (condition.relative, condition.threshold, condition.kind) == (RELATIVE_DELTA, 0.05, Kind.DURATION)


def test_a_plain_negative_number_stays_an_absolute_bar() -> None:
    assert parse_bar_text("> -5").relative == ""


def test_a_value_within_ten_percent_of_the_baseline_passes() -> None:
    target = objective(pass_=["< 2s", "<= +10%"])
    result = evaluate_objective(target, ok(target, 0.21), baseline_of(target.key, 0.2))
    assert result.outcome is Outcome.PASS
    assert "baseline 200 ms → 210 ms (+10 ms, +5 %)" in result.reason


def test_a_value_more_than_ten_percent_above_the_baseline_fails_though_under_the_absolute_bar() -> None:
    target = objective(pass_=["< 2s", "<= +10%"])
    result = evaluate_objective(target, ok(target, 0.3), baseline_of(target.key, 0.2))
    assert result.outcome is Outcome.FAIL
    assert result.series[0].baseline == 0.2


def test_the_absolute_bar_still_fails_a_value_the_relative_bar_would_pass() -> None:
    target = objective(pass_=["< 2s", "<= +10%"])
    assert evaluate_objective(target, ok(target, 2.5), baseline_of(target.key, 2.4)).outcome is Outcome.FAIL


def test_without_a_baseline_a_relative_bar_is_no_data_with_the_reason() -> None:
    target = objective(pass_=["< 2s", "<= +10%"])
    result = evaluate_objective(target, ok(target, 0.2), None)
    assert result.outcome is Outcome.NO_DATA
    assert "no baseline run given" in result.reason


def test_a_series_the_baseline_lacks_is_no_data_naming_the_series() -> None:
    target = objective(pass_="<= +10%")
    result = evaluate_objective(target, ok(target, 0.2), baseline_of(target.key, 0.2, {"instance": "other"}))
    assert result.outcome is Outcome.NO_DATA
    assert 'has no series {instance="i0"}' in result.reason


def test_a_relative_warn_bar_warns_between_the_two_bars() -> None:
    target = objective(pass_="<= +10%", warn="<= +50%")
    assert evaluate_objective(target, ok(target, 0.26), baseline_of(target.key, 0.2)).outcome is Outcome.WARN


@pytest.mark.parametrize(("value", "outcome"), [(0.24, Outcome.PASS), (0.26, Outcome.FAIL)])
def test_a_relative_difference_bar_compares_the_change_in_base_units(value: float, outcome: Outcome) -> None:
    target = objective(pass_="<= +50ms")
    assert evaluate_objective(target, ok(target, value), baseline_of(target.key, 0.2)).outcome is outcome


def test_a_floor_relative_to_the_baseline_fails_a_drop_larger_than_allowed() -> None:
    target = objective(pass_=">= -5%")
    assert evaluate_objective(target, ok(target, 90.0), baseline_of(target.key, 100.0)).outcome is Outcome.FAIL


def test_a_percentage_of_a_zero_baseline_is_no_data_not_a_pass() -> None:
    target = objective(pass_="<= +10%")
    assert evaluate_objective(target, ok(target, 0.1), baseline_of(target.key, 0.0)).outcome is Outcome.NO_DATA


def test_an_objective_with_only_a_relative_bar_takes_its_unit_from_the_warn_bar() -> None:
    assert objective(pass_="<= +10%", warn="< 2s").kind is Kind.DURATION
