"""Properties of the evaluator that must hold for any objectives and measurements (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.evaluate import evaluate, exit_code_for
from slocheck.core.model import VERDICT_SEVERITY, Measurement, NoDataPolicy, Objective, Verdict
from tests.support.builders import INF, NAN, WINDOW, error, no_data, objective, ok

Case = list[tuple[Objective, Measurement]]

_VALUES = st.one_of(st.floats(min_value=-10, max_value=10, allow_nan=False), st.sampled_from([NAN, INF, -INF, 0.5]))


@st.composite
def cases(draw: st.DrawFn, min_size: int = 0) -> Case:
    """Objectives with distinct names (pass `< 1`, sometimes warn `< 2`) and any kind of measurement."""
    count = draw(st.integers(min_value=min_size, max_value=6))
    pairs: Case = []
    for index in range(count):
        target = objective(
            f"o{index}",
            pass_="< 1",
            warn=draw(st.sampled_from([None, "< 2"])),
            on_no_data=draw(st.sampled_from(list(NoDataPolicy))),
            blocking=draw(st.booleans()),
        )
        kind = draw(st.sampled_from(["ok", "no_data", "error"]))
        if kind == "ok":
            measurement = ok(target, *draw(st.lists(_VALUES, max_size=4)))
        elif kind == "no_data":
            measurement = no_data(target)
        else:
            measurement = error(target)
        pairs.append((target, measurement))
    return pairs


def verdict_of(pairs: Case) -> Verdict:
    return evaluate([o for o, _ in pairs], {o.key: m for o, m in pairs}, WINDOW).verdict


def severity(verdict: Verdict) -> int:
    return VERDICT_SEVERITY[verdict]


@given(cases(min_size=1), st.data())
def test_an_error_never_moves_the_verdict_towards_pass(pairs: Case, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    before = verdict_of(pairs)
    target, _ = pairs[index]
    after = verdict_of([*pairs[:index], (target, error(target)), *pairs[index + 1 :]])
    # An ERROR counts as INCONCLUSIVE: it may turn FAIL into INCONCLUSIVE (both block), never anything better.
    assert severity(after) >= min(severity(before), severity(Verdict.INCONCLUSIVE))


@given(cases(min_size=1), st.data())
def test_an_error_never_turns_a_blocking_exit_code_into_zero(pairs: Case, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    target, _ = pairs[index]
    before = exit_code_for(verdict_of(pairs))
    after = exit_code_for(verdict_of([*pairs[:index], (target, error(target)), *pairs[index + 1 :]]))
    assert not (before != 0 and after == 0)


@given(cases(), st.lists(st.floats(min_value=-100, max_value=0.999), min_size=1, max_size=4), st.booleans())
def test_adding_a_passing_objective_never_changes_the_verdict(pairs: Case, values: list[float], blocking: bool) -> None:
    extra = objective("added", pass_="< 1", blocking=blocking)
    assert verdict_of([*pairs, (extra, ok(extra, *values))]) is verdict_of(pairs)


@given(cases().flatmap(lambda pairs: st.tuples(st.just(pairs), st.permutations(pairs))))
def test_the_verdict_does_not_depend_on_the_order_of_objectives(case: tuple[Case, Case]) -> None:
    pairs, shuffled = case
    assert verdict_of(shuffled) is verdict_of(pairs)


@given(cases())
def test_the_verdict_is_the_worst_that_a_blocking_objective_counts_as(pairs: Case) -> None:
    evaluation = evaluate([o for o, _ in pairs], {o.key: m for o, m in pairs}, WINDOW)
    blocking = [severity(r.counts_as) for r in evaluation.results if r.objective.blocking]
    assert severity(evaluation.verdict) == max(blocking, default=severity(Verdict.PASS))


@given(cases())
def test_every_objective_gets_exactly_one_result_in_order(pairs: Case) -> None:
    evaluation = evaluate([o for o, _ in pairs], {o.key: m for o, m in pairs}, WINDOW)
    assert [r.objective for r in evaluation.results] == [o for o, _ in pairs]


def test_an_error_on_the_only_failing_objective_makes_the_verdict_inconclusive() -> None:
    failing = objective("failing")
    assert verdict_of([(failing, ok(failing, 9.0))]) is Verdict.FAIL
    assert verdict_of([(failing, error(failing))]) is Verdict.INCONCLUSIVE
