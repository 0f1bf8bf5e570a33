"""The Mann-Whitney judge on synthetic observations: significance, min_effect, direction, too few samples."""

from __future__ import annotations

import random

from slocheck.core.baseline import Baseline, Samples
from slocheck.core.evaluate import evaluate_objective
from slocheck.core.judge import judge
from slocheck.core.model import Compare, Outcome
from tests.support.builders import objective, ok

INCREASE = Compare("mann-whitney", "increase", 0.05, 0.05)


def lognormal(n: int, median: float, seed: int) -> Samples:
    rng = random.Random(seed)
    return Samples(tuple(median * rng.lognormvariate(0, 0.3) for _ in range(n)))


def test_a_twenty_percent_slower_run_fails_with_the_effect_p_and_sizes_in_the_text() -> None:
    found = judge(INCREASE, lognormal(2000, 0.12, 1), lognormal(2000, 0.10, 2))
    assert found.outcome is Outcome.FAIL
    assert found.text.startswith("higher by ")
    assert "p < 0.001, n = 2,000 vs 2,000" in found.text


def test_two_samples_of_one_distribution_show_no_significant_change() -> None:
    found = judge(INCREASE, lognormal(2000, 0.10, 3), lognormal(2000, 0.10, 4))
    assert found.outcome is Outcome.PASS
    assert found.text.startswith("no significant increase (p = ")


def test_a_significant_change_smaller_than_min_effect_passes_and_says_so() -> None:
    found = judge(INCREASE, lognormal(50000, 0.102, 5), lognormal(50000, 0.10, 6))
    assert found.significant
    assert found.outcome is Outcome.PASS
    assert "below min_effect 5 %" in found.text


def test_an_improvement_never_fails_an_increase_judge() -> None:
    assert judge(INCREASE, lognormal(2000, 0.05, 7), lognormal(2000, 0.10, 8)).outcome is Outcome.PASS


def test_a_decrease_judge_fails_a_drop() -> None:
    decrease = Compare("mann-whitney", "decrease", 0.05, 0.05)
    assert judge(decrease, lognormal(2000, 80.0, 9), lognormal(2000, 100.0, 10)).outcome is Outcome.FAIL


def test_histogram_counts_weigh_their_values() -> None:
    before = Samples((0.1, 0.2), (900, 100))
    after = Samples((0.1, 0.2), (100, 900))
    found = judge(INCREASE, after, before)
    assert (found.outcome, found.n_current, found.n_baseline) == (Outcome.FAIL, 1000, 1000)


def test_too_few_observations_are_no_data() -> None:
    found = judge(INCREASE, Samples((0.1, 0.2)), lognormal(100, 0.1, 11))
    assert found.outcome is Outcome.NO_DATA
    assert "too few observations" in found.text


def test_without_a_baseline_the_judge_is_no_data() -> None:
    assert judge(INCREASE, lognormal(100, 0.1, 12), None).outcome is Outcome.NO_DATA


def test_an_objective_whose_judge_fails_fails_even_when_its_bar_passes() -> None:
    target = objective(pass_="< 2s")
    target = type(target)(**{**target.__dict__, "compare": INCREASE})
    baseline = Baseline("run-a", samples={target.key: lognormal(2000, 0.10, 13)})
    result = evaluate_objective(target, ok(target, 0.12), baseline, lognormal(2000, 0.13, 14))
    assert result.outcome is Outcome.FAIL
    assert result.judgement is not None
    assert "judge: higher by" in result.reason
