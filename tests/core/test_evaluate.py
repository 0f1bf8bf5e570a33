"""evaluate.py: values against bars, outcomes into verdicts, verdicts into exit codes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from slocheck.core.evaluate import counts_as, evaluate, evaluate_objective, exit_code_for, judge_value, overall_verdict
from slocheck.core.model import Measurement, MeasurementStatus, NoDataPolicy, Objective, Outcome, SeriesValue, Verdict
from tests.support.builders import INF, NAN, WINDOW, error, no_data, objective, ok

LATENCY = objective(pass_="< 500ms", warn="< 800ms")


# --- one value -----------------------------------------------------------------------------


def test_a_value_meeting_the_pass_bar_passes() -> None:
    assert judge_value(LATENCY, 0.2) is Outcome.PASS


def test_a_value_missing_pass_but_meeting_warn_warns() -> None:
    assert judge_value(LATENCY, 0.6) is Outcome.WARN


def test_a_value_missing_both_bars_fails() -> None:
    assert judge_value(LATENCY, 0.9) is Outcome.FAIL


def test_a_value_on_a_strict_threshold_misses_it() -> None:
    assert judge_value(LATENCY, 0.5) is Outcome.WARN


def test_without_a_warn_bar_missing_pass_fails() -> None:
    assert judge_value(objective(pass_="< 500ms"), 0.6) is Outcome.FAIL


@pytest.mark.parametrize(
    ("condition", "value", "outcome"),
    [
        ("<= 1", 1.0, Outcome.PASS),
        (">= 1", 1.0, Outcome.PASS),
        ("> 1", 1.0, Outcome.FAIL),
        ("== 1", 1.0, Outcome.PASS),
        ("!= 1", 1.0, Outcome.FAIL),
        ("!= 1", 0.0, Outcome.PASS),
    ],
)
def test_every_operator_compares_as_written(condition: str, value: float, outcome: Outcome) -> None:
    assert judge_value(objective(pass_=condition), value) is outcome


def test_every_condition_of_a_list_must_hold() -> None:
    ranged = objective(pass_=["> 0.1%", "< 1%"])
    assert judge_value(ranged, 0.005) is Outcome.PASS
    assert judge_value(ranged, 0.0005) is Outcome.FAIL
    assert judge_value(ranged, 0.02) is Outcome.FAIL


def test_nan_is_no_data_not_a_judgement() -> None:
    assert judge_value(objective(pass_="< 1"), NAN) is Outcome.NO_DATA


@pytest.mark.parametrize(("value", "outcome"), [(INF, Outcome.FAIL), (-INF, Outcome.NO_DATA)])
def test_an_infinity_fails_a_bar_it_breaches_and_is_no_data_for_one_it_would_meet(
    value: float, outcome: Outcome
) -> None:
    # histogram_quantile answers +Inf when the quantile is above the highest bucket: a latency bar must fail.
    assert judge_value(objective(pass_="< 1"), value) is outcome


# --- one objective ---------------------------------------------------------------------------


def test_an_objective_is_as_bad_as_its_worst_series() -> None:
    result = evaluate_objective(LATENCY, ok(LATENCY, 0.1, 0.9, 0.6))
    assert result.outcome is Outcome.FAIL
    assert [s.outcome for s in result.series] == [Outcome.PASS, Outcome.FAIL, Outcome.WARN]


def test_each_series_keeps_its_labels_and_value() -> None:
    result = evaluate_objective(LATENCY, ok(LATENCY, 0.1, 0.6, labels=[{"route": "/a"}, {"route": "/b"}]))
    assert [(dict(s.labels), s.value) for s in result.series] == [({"route": "/a"}, 0.1), ({"route": "/b"}, 0.6)]


def test_the_reason_names_the_worst_value_and_how_many_series() -> None:
    result = evaluate_objective(LATENCY, ok(LATENCY, 0.1, 0.9))
    assert result.reason == "900 ms misses < 500ms and < 800ms (worst of 2 series)"


def test_the_reason_for_a_single_passing_series_names_the_bar() -> None:
    assert evaluate_objective(LATENCY, ok(LATENCY, 0.2345)).reason == "234.5 ms meets < 500ms"


def test_the_reason_for_a_warning_names_both_bars() -> None:
    assert evaluate_objective(LATENCY, ok(LATENCY, 0.6)).reason == "600 ms misses < 500ms but meets < 800ms"


def test_a_nan_series_among_good_ones_makes_the_objective_no_data() -> None:
    result = evaluate_objective(LATENCY, ok(LATENCY, 0.1, NAN))
    assert result.outcome is Outcome.NO_DATA
    assert result.counts_as is Verdict.INCONCLUSIVE


def test_a_failing_series_outranks_a_nan_series() -> None:
    assert evaluate_objective(LATENCY, ok(LATENCY, NAN, 0.9)).outcome is Outcome.FAIL


def test_an_ok_measurement_without_series_is_no_data() -> None:
    result = evaluate_objective(LATENCY, ok(LATENCY))
    assert result.outcome is Outcome.NO_DATA
    assert result.reason == "no data: empty result"


def test_a_no_data_measurement_keeps_its_reason() -> None:
    result = evaluate_objective(LATENCY, no_data(LATENCY, "every series is NaN"))
    assert result.outcome is Outcome.NO_DATA
    assert result.reason == "no data: every series is NaN"


def test_an_error_measurement_is_an_error_outcome_with_the_backend_message() -> None:
    result = evaluate_objective(LATENCY, error(LATENCY, "Prometheus: 400 bad_data: parse error"))
    assert result.outcome is Outcome.ERROR
    assert result.reason == "error: Prometheus: 400 bad_data: parse error"
    assert result.series == ()


def test_an_error_measurement_ignores_any_series_it_carries() -> None:
    broken = Measurement(LATENCY.key, "prometheus", "up", MeasurementStatus.ERROR, (SeriesValue({}, 0.1),), "boom")
    assert evaluate_objective(LATENCY, broken).outcome is Outcome.ERROR


@pytest.mark.parametrize(
    ("policy", "verdict"),
    [
        (NoDataPolicy.INCONCLUSIVE, Verdict.INCONCLUSIVE),
        (NoDataPolicy.FAIL, Verdict.FAIL),
        (NoDataPolicy.WARN, Verdict.WARN),
        (NoDataPolicy.PASS, Verdict.PASS),
    ],
)
def test_no_data_counts_as_what_on_no_data_says(policy: NoDataPolicy, verdict: Verdict) -> None:
    target = objective(on_no_data=policy)
    result = evaluate_objective(target, no_data(target))
    assert result.outcome is Outcome.NO_DATA
    assert result.counts_as is verdict


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_an_error_counts_as_inconclusive_whatever_on_no_data_says(policy: NoDataPolicy) -> None:
    assert counts_as(objective(on_no_data=policy), Outcome.ERROR) is Verdict.INCONCLUSIVE


def test_a_nan_series_never_hides_a_warning_series() -> None:
    target = objective(pass_="< 500ms", warn="< 800ms", on_no_data=NoDataPolicy.PASS)
    assert evaluate_objective(target, ok(target, 0.6, NAN)).counts_as is Verdict.WARN


# --- the verdict -----------------------------------------------------------------------------


def _verdict(*pairs: tuple[Objective, Measurement]) -> Verdict:
    return evaluate([o for o, _ in pairs], {o.key: m for o, m in pairs}, WINDOW).verdict


PASSING = objective("passing")
WARNING = objective("warning", warn="< 1s")
FAILING = objective("failing")
MISSING = objective("missing")
BROKEN = objective("broken")


def test_all_passing_objectives_pass() -> None:
    assert _verdict((PASSING, ok(PASSING, 0.1))) is Verdict.PASS


def test_fail_outranks_inconclusive_warn_and_pass() -> None:
    verdict = _verdict(
        (PASSING, ok(PASSING, 0.1)),
        (WARNING, ok(WARNING, 0.7)),
        (MISSING, no_data(MISSING)),
        (FAILING, ok(FAILING, 2.0)),
    )
    assert verdict is Verdict.FAIL


def test_inconclusive_outranks_warn_and_pass() -> None:
    verdict = _verdict((PASSING, ok(PASSING, 0.1)), (WARNING, ok(WARNING, 0.7)), (BROKEN, error(BROKEN)))
    assert verdict is Verdict.INCONCLUSIVE


def test_warn_outranks_pass() -> None:
    assert _verdict((PASSING, ok(PASSING, 0.1)), (WARNING, ok(WARNING, 0.7))) is Verdict.WARN


def test_an_objective_without_a_measurement_is_an_error_never_a_pass() -> None:
    evaluation = evaluate([PASSING], {}, WINDOW)
    (result,) = evaluation.results
    assert result.outcome is Outcome.ERROR
    assert result.reason == "error: not measured"
    assert evaluation.verdict is Verdict.INCONCLUSIVE


def test_no_objectives_at_all_pass() -> None:
    assert overall_verdict([]) is Verdict.PASS


@pytest.mark.parametrize(
    "measurement",
    [
        lambda o: ok(o, 5.0),
        no_data,
        error,
    ],
    ids=["fail", "no-data", "error"],
)
def test_a_non_blocking_objective_never_changes_the_verdict(measurement: Callable[[Objective], Measurement]) -> None:
    advisory = objective("advisory", blocking=False, on_no_data=NoDataPolicy.FAIL)
    verdict = _verdict((PASSING, ok(PASSING, 0.1)), (advisory, measurement(advisory)))
    assert verdict is Verdict.PASS


def test_a_non_blocking_objective_is_still_reported() -> None:
    advisory = objective("advisory", blocking=False)
    evaluation = evaluate([advisory], {advisory.key: ok(advisory, 5.0)}, WINDOW)
    assert [r.outcome for r in evaluation.results] == [Outcome.FAIL]
    assert evaluation.verdict is Verdict.PASS


def test_counts_tally_every_outcome_including_zeroes() -> None:
    evaluation = evaluate([PASSING, FAILING], {PASSING.key: ok(PASSING, 0.1), FAILING.key: ok(FAILING, 9.0)}, WINDOW)
    assert evaluation.counts() == {
        Outcome.PASS: 1,
        Outcome.WARN: 0,
        Outcome.FAIL: 1,
        Outcome.NO_DATA: 0,
        Outcome.ERROR: 0,
    }


# --- exit codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "fail_on_warn", "code"),
    [
        (Verdict.PASS, False, 0),
        (Verdict.PASS, True, 0),
        (Verdict.WARN, False, 0),
        (Verdict.WARN, True, 1),
        (Verdict.FAIL, False, 1),
        (Verdict.FAIL, True, 1),
        (Verdict.INCONCLUSIVE, False, 3),
        (Verdict.INCONCLUSIVE, True, 3),
    ],
)
def test_exit_codes_follow_the_design_table(verdict: Verdict, fail_on_warn: bool, code: int) -> None:
    assert exit_code_for(verdict, fail_on_warn=fail_on_warn) == code
