"""The statistical judge (`compare:`): is this run's distribution shifted from the baseline's, in the bad
direction, by at least `min_effect`? A one-sided Mann-Whitney U test (scipy.stats.mannwhitneyu, asymptotic
with tie correction) on the two runs' observations; the effect is the relative change of the median.

Observations in strata (client latency: one per endpoint) are compared stratum by stratum and the one-sided
p-values combined with Stouffer's method weighted by √n (scipy.stats.combine_pvalues); the effect is the
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

# Fewer observations than this in either run and the test says nothing useful.
MIN_SAMPLES = 8


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
    if len(now) < MIN_SAMPLES or len(before) < MIN_SAMPLES:
        text = f"too few observations to compare (n = {_count(len(now))} vs {_count(len(before))}, need {MIN_SAMPLES})"
        return Judgement(Outcome.NO_DATA, text, n_current=len(now), n_baseline=len(before))
    strata = _strata(current, baseline)
    if strata:
        p_value, effect = _stratified(compare, strata)
    else:
        p_value, effect = _test(compare, now, before)
    bad_effect = effect if compare.direction == "increase" else -effect
    significant = p_value < compare.alpha
    sizes = f"n = {_count(len(now))} vs {_count(len(before))}"
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
        len(now), len(before), significant,
    )  # fmt: skip


def _test(compare: Compare, now: np.ndarray, before: np.ndarray) -> tuple[float, float]:
    """(one-sided p, relative change of the median)."""
    alternative = "greater" if compare.direction == "increase" else "less"
    p_value = float(mannwhitneyu(now, before, alternative=alternative, method="asymptotic").pvalue)
    base_median, median = float(np.median(before)), float(np.median(now))
    return p_value, (median - base_median) / abs(base_median) if base_median != 0 else math.nan


def _strata(current: Samples, baseline: Samples) -> list[tuple[np.ndarray, np.ndarray]]:
    """The strata both runs have, each with enough observations on both sides; [] when there are none."""
    before = dict(baseline.groups)
    pairs = [(expand(samples), expand(before[name])) for name, samples in current.groups if name in before]
    return [(a, b) for a, b in pairs if len(a) >= MIN_SAMPLES and len(b) >= MIN_SAMPLES]


def _stratified(compare: Compare, strata: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    tests = [_test(compare, now, before) for now, before in strata]
    sizes = np.array([len(now) + len(before) for now, before in strata], dtype=float)
    if len(tests) == 1:
        return tests[0]
    p_values = np.clip([p for p, _ in tests], 1e-300, 1 - 1e-16)  # Stouffer needs 0 < p < 1
    combined = float(combine_pvalues(p_values, method="stouffer", weights=np.sqrt(sizes)).pvalue)
    effects = np.array([e for _, e in tests])
    known = ~np.isnan(effects)
    effect = float(np.average(effects[known], weights=sizes[known])) if known.any() else math.nan
    return combined, effect
