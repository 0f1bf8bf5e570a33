"""series_no_data: what a NaN series (0/0, no requests for it in the window) counts as."""

from __future__ import annotations

import math

from slocheck.core.evaluate import evaluate_objective
from slocheck.core.model import (
    Bar,
    Measurement,
    MeasurementStatus,
    NoDataPolicy,
    Objective,
    Outcome,
    PrometheusIndicator,
    SeriesNoData,
    SeriesValue,
    Verdict,
)
from slocheck.core.spec.conditions import parse_bar_text

SERIES = (SeriesValue({"route": "/a"}, 0.001), SeriesValue({"route": "/idle"}, math.nan))


def judge(policy: SeriesNoData | None, series: tuple[SeriesValue, ...] = SERIES) -> tuple[Outcome, Verdict, str]:
    target = Objective("gate", "errors", PrometheusIndicator("q"), Bar((parse_bar_text("< 1%"),)), None,
                       NoDataPolicy.INCONCLUSIVE, True, series_no_data=policy)  # fmt: skip
    result = evaluate_objective(target, Measurement(target.key, "prometheus", "q", MeasurementStatus.OK, series))
    return result.outcome, result.counts_as, result.reason


def test_by_default_a_nan_series_is_inconclusive_and_explained() -> None:
    outcome, verdict, reason = judge(None)
    assert (outcome, verdict) == (Outcome.NO_DATA, Verdict.INCONCLUSIVE)
    assert "no requests for this series in the window" in reason


def test_fail_makes_a_nan_series_fail_the_objective() -> None:
    assert judge(SeriesNoData.FAIL)[1] is Verdict.FAIL


def test_ignore_judges_the_series_with_data_and_says_how_many_were_ignored() -> None:
    outcome, verdict, reason = judge(SeriesNoData.IGNORE)
    assert (outcome, verdict) == (Outcome.PASS, Verdict.PASS)
    assert "1 NaN series ignored" in reason


def test_ignore_still_needs_one_series_with_data_for_a_pass() -> None:
    outcome, verdict, _ = judge(SeriesNoData.IGNORE, (SeriesValue({"route": "/idle"}, math.nan),))
    assert (outcome, verdict) == (Outcome.NO_DATA, Verdict.INCONCLUSIVE)
