"""The run-level rules: a load in which no request succeeded never passes; unjudged failures are said."""

from __future__ import annotations

from slocheck.core.evaluate import evaluate, judge_load
from slocheck.core.model import LocustIndicator, Verdict
from tests.support.builders import WINDOW, objective, ok

P95 = objective("p95", pass_="< 500ms", indicator=LocustIndicator("p95"))
FAIL_RATIO = objective("failures", pass_="< 50%", indicator=LocustIndicator("fail_ratio"))


def _passing(*objectives: object) -> object:
    chosen = [P95, *objectives]
    return evaluate(chosen, {o.key: ok(o, 0.001) for o in chosen}, WINDOW)  # type: ignore[attr-defined]


def test_a_load_in_which_every_request_failed_is_inconclusive_even_when_every_objective_passes() -> None:
    judged = judge_load(_passing(), requests=40, failures=40)  # type: ignore[arg-type]
    assert judged.verdict is Verdict.INCONCLUSIVE
    assert judged.notes == ("no request succeeded (all 40 failed): a run in which no request succeeded never passes",)


def test_a_load_that_made_no_request_never_passes() -> None:
    assert judge_load(_passing(), requests=0, failures=0).verdict is Verdict.INCONCLUSIVE  # type: ignore[arg-type]


def test_failed_requests_no_objective_judges_are_said_and_the_verdict_stands() -> None:
    judged = judge_load(_passing(), requests=200, failures=10)  # type: ignore[arg-type]
    assert judged.verdict is Verdict.PASS
    assert judged.notes == (
        "10 of 200 requests failed (5.00%) and no blocking objective judges client failures; "
        "add one with `locust: {stat: fail_ratio}`",
    )


def test_failed_requests_judged_by_a_fail_ratio_objective_need_no_note() -> None:
    assert judge_load(_passing(FAIL_RATIO), requests=200, failures=10).notes == ()  # type: ignore[arg-type]
