"""The statistical judge (`compare:`): is this run's distribution shifted from the baseline's, in the bad
direction, by at least `min_effect`? A one-sided Mann-Whitney U test (scipy.stats.mannwhitneyu: exact for
up to 8 observations without ties, else asymptotic with tie correction) on the two runs' observations; the
effect is the relative change of the median.

The observations are per-interval statistics, not single requests (which are autocorrelated): for client latency
the median of each block of the run's timeline, for metric objectives the series' points at a fixed step. `n`
counts them. The effect compares the medians of the requests behind the blocks (`Samples.center`) when known.

Observations in strata (client latency: one per endpoint) are compared stratum by stratum and the one-sided
p-values combined with Stouffer's method weighted by √(requests) (scipy.stats.combine_pvalues); the effect is the
request-weighted mean of the strata's median changes. A different request mix then does not read as slower.

Pure computation: the observations arrive as `Samples` (docs/baselines.md states the test's assumptions).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import combine_pvalues, mannwhitneyu

from slocheck.core.baseline import Samples
from slocheck.core.model import Compare, Judgement, Outcome
from slocheck.core.units import percent_text

# Fewer observations (intervals, points) than this in either run and the test says nothing useful: with 5 vs 5
# the smallest one-sided p-value is 1/252 = 0.004, with 4 vs 4 it is 1/70 = 0.014.
MIN_SAMPLES = 5


def expand(samples: Samples) -> np.ndarray:
    """Every observation once: a histogram's bucket values repeated by their counts; NaN/Inf dropped."""
    values = np.asarray(samples.values, dtype=float)
    counts = np.asarray(samples.counts, dtype=np.int64) if samples.counts else np.ones(len(values), dtype=np.int64)
    keep = np.isfinite(values) & (counts > 0)
    return np.repeat(values[keep], counts[keep])


def _count(n: int) -> str:
    return f"{n:,}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3g}"


def judge(compare: Compare, current: Samples | None, baseline: Samples | None, missing: str = "") -> Judgement:
    """PASS unless the change is significant (p < alpha, one-sided in `direction`) and at least `min_effect`."""
    if baseline is None or current is None:
        why = missing or ("no baseline run" if baseline is None else "no observations in this run")
        return Judgement(Outcome.NO_DATA, f"no comparison: {why}")
    now, before = expand(current), expand(baseline)
    sizes = f"n = {_count(len(now))} vs {_count(len(before))}" + (f" {current.what}" if current.what else "")
    if len(now) < MIN_SAMPLES or len(before) < MIN_SAMPLES:
        text = f"too few observations to compare ({sizes}, need {MIN_SAMPLES})"
        return Judgement(Outcome.NO_DATA, text, n_current=len(now), n_baseline=len(before), observations=current.what)
    strata = _strata(current, baseline)
    if strata:
        p_value, effect = _stratified(compare, strata)
    else:
        p_value, effect = _test(compare, (current, now), (baseline, before))
    bad_effect = effect if compare.direction == "increase" else -effect
    significant = p_value < compare.alpha
    fails = significant and (math.isnan(bad_effect) or bad_effect >= compare.min_effect)
    if not significant:
        text = f"no significant {compare.direction} (p {_p(p_value)}, {sizes})"
    else:
        way = "higher" if math.isnan(effect) or effect >= 0 else "lower"
        change = "than a baseline median of 0" if math.isnan(effect) else f"by {percent_text(abs(effect))} %"
        text = f"{way} {change} (p {_p(p_value)}, {sizes})"
        if not fails:
            text += f", below min_effect {compare.min_effect * 100:g} %"
    return Judgement(
        Outcome.FAIL if fails else Outcome.PASS, text, p_value, None if math.isnan(effect) else effect,
        len(now), len(before), significant, current.what,
    )  # fmt: skip


Side = tuple[Samples, np.ndarray]  # the samples and their expanded observations


def _median(side: Side) -> float:
    samples, values = side
    return samples.center if samples.center is not None else float(np.median(values))


def _test(compare: Compare, now: Side, before: Side) -> tuple[float, float]:
    """(one-sided p, relative change of the median)."""
    alternative = "greater" if compare.direction == "increase" else "less"
    p_value = float(mannwhitneyu(now[1], before[1], alternative=alternative, method="auto").pvalue)
    base_median, median = _median(before), _median(now)
    return p_value, (median - base_median) / abs(base_median) if base_median != 0 else math.nan


def _strata(current: Samples, baseline: Samples) -> list[tuple[Side, Side]]:
    """The strata both runs have, each with enough observations on both sides; [] when there are none."""
    before = dict(baseline.groups)
    pairs = [
        ((samples, expand(samples)), (before[name], expand(before[name])))
        for name, samples in current.groups
        if name in before
    ]
    return [(a, b) for a, b in pairs if len(a[1]) >= MIN_SAMPLES and len(b[1]) >= MIN_SAMPLES]


def _weight(side: Side) -> float:
    return float(side[0].weight or len(side[1]))


def _stratified(compare: Compare, strata: list[tuple[Side, Side]]) -> tuple[float, float]:
    tests = [_test(compare, now, before) for now, before in strata]
    sizes = np.array([_weight(now) + _weight(before) for now, before in strata], dtype=float)
    if len(tests) == 1:
        return tests[0]
    p_values = np.clip([p for p, _ in tests], 1e-300, 1 - 1e-16)  # Stouffer needs 0 < p < 1
    combined = float(combine_pvalues(p_values, method="stouffer", weights=np.sqrt(sizes)).pvalue)
    effects = np.array([e for _, e in tests])
    known = ~np.isnan(effects)
    effect = float(np.average(effects[known], weights=sizes[known])) if known.any() else math.nan
    return combined, effect
