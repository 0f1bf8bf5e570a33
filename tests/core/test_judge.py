"""The Mann-Whitney judge on synthetic observations: significance, min_effect, direction, too few samples."""

from __future__ import annotations

import random

import numpy as np

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


def test_the_effect_compares_the_medians_of_the_requests_behind_the_intervals() -> None:
    before = Samples(tuple(0.1 + i / 1000 for i in range(10)), (), "intervals of 2 s", center=0.100, weight=500)
    after = Samples(tuple(0.2 + i / 1000 for i in range(10)), (), "intervals of 2 s", center=0.125, weight=500)
    found = judge(INCREASE, after, before)
    assert found.effect is not None
    assert round(found.effect, 6) == 0.25
    assert found.text == "higher by 25 % (p < 0.001, n = 10 vs 10 intervals of 2 s)"
    assert found.observations == "intervals of 2 s"


def test_five_intervals_a_side_are_enough_for_the_exact_test() -> None:
    found = judge(INCREASE, Samples((2.0, 2.1, 2.2, 2.3, 2.4)), Samples((1.0, 1.1, 1.2, 1.3, 1.4)))
    assert found.outcome is Outcome.FAIL
    assert found.p_value == 1 / 252  # exact: the only arrangement as extreme of C(10, 5)


def _autocorrelated_run(rng: np.random.Generator) -> tuple[Samples, Samples]:
    """30 s of 20 requests a second; each second's requests share a random slowdown (a busy neighbour)."""
    seconds = [0.1 * rng.lognormal(0, 0.3) * rng.lognormal(0, 0.3, 20) for _ in range(30)]
    requests = np.concatenate(seconds)
    blocks = tuple(float(np.median(np.concatenate(seconds[i : i + 2]))) for i in range(0, 30, 2))
    center = float(np.median(requests))
    return Samples(tuple(requests)), Samples(blocks, (), "intervals of 2 s", center=center, weight=len(requests))


def test_on_autocorrelated_runs_of_one_build_interval_medians_keep_false_alarms_near_alpha() -> None:
    rng = np.random.default_rng(13)
    flagged = {"requests": 0, "intervals": 0}
    for _ in range(40):
        (requests_a, blocks_a), (requests_b, blocks_b) = _autocorrelated_run(rng), _autocorrelated_run(rng)
        flagged["requests"] += judge(INCREASE, requests_b, requests_a).outcome is Outcome.FAIL
        flagged["intervals"] += judge(INCREASE, blocks_b, blocks_a).outcome is Outcome.FAIL
    assert flagged["requests"] >= 6  # the per-request test treats 600 dependent timings as independent
    assert flagged["intervals"] <= 4  # one-sided alpha 0.05 of 40 pairs is 2 expected


def test_a_run_shorter_than_five_intervals_is_no_data_naming_what_was_counted() -> None:
    short = Samples((0.1, 0.1, 0.1, 0.1), (), "intervals of 2 s")
    found = judge(INCREASE, short, lognormal(30, 0.1, 12))
    assert found.outcome is Outcome.NO_DATA
    assert found.text == "too few observations to compare (n = 4 vs 30 intervals of 2 s, need 5)"
