"""Histogram honesty: how far a `histogram_quantile` answer can be from the true percentile at a bar.

Prometheus' `histogram_quantile(φ, …)` knows only how many requests fell into each bucket `(lower, upper]`. It finds
the bucket holding the φ-rank and interpolates linearly inside it, assuming the requests are spread evenly between
the bucket's bounds. When a bar lies strictly inside a bucket, say `p95 < 400ms` with buckets `…, 250ms, 500ms, …`,
an answer of exactly 400 ms is consistent with a true p95 anywhere from 250 ms to 500 ms: −37.5 % … +25 % of the
bar. The gate then passes or fails on the interpolation, not on the data. A bar that equals a bucket bound is exact:
`p95 ≤ 500ms` holds exactly when at least 95 % of the requests are counted in the `le="0.5"` bucket. A bar above
the largest finite bound can never be crossed: `histogram_quantile` answers at most that bound.

Everything here is pure (no I/O): `wiring.check_queries` asks Prometheus for the `le` values with `le_query()`
and turns the findings into warnings with `bar_warnings()`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from slocheck.core.model import Bar, Condition
from slocheck.core.querytext import closing, split_top_level, strip_parentheses
from slocheck.core.units import Kind, format_value

FUNCTION = "histogram_quantile"
_FUNCTION_RE = re.compile(r"\bhistogram_quantile\s*\(")
_BUCKET_RE = re.compile(r"(?<![A-Za-z0-9_:])([A-Za-z_:][A-Za-z0-9_:]*_bucket)(?![A-Za-z0-9_:])\s*(\{)?")
_NUMBER_RE = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
_SAME = 1e-9  # relative tolerance for "the bar equals a bucket bound" (le="0.5" vs 500ms parsed to 0.5)
_CHECKED_KINDS = (Kind.DURATION, Kind.NUMBER)


@dataclass(frozen=True)
class QuantileQuery:
    """A query whose value is `histogram_quantile(quantile, <expression over the bucket series>)`.

    selectors: the classic-histogram bucket series the expression reads, e.g. `http_request_duration_seconds_bucket
    {job="api"}` (label matchers as written; `${var}` already substituted).
    """

    quantile: float | None
    selectors: tuple[str, ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.split("{", 1)[0] for s in self.selectors))


@dataclass(frozen=True)
class BucketFit:
    """Where a bar falls among the bucket bounds (seconds; `upper` is +Inf above the largest finite bound)."""

    bar: float
    lower: float
    upper: float
    exact: bool

    @property
    def above_all(self) -> bool:
        return math.isinf(self.upper)

    @property
    def error_range(self) -> tuple[float, float]:
        """The true percentile relative to the bar when `histogram_quantile` answers exactly the bar:
        `(lower − bar) / bar` … `(upper − bar) / bar` (0, 0 when the bar is a bucket bound)."""
        if self.exact or self.bar <= 0:
            return 0.0, 0.0
        return (self.lower - self.bar) / self.bar, (self.upper - self.bar) / self.bar


def _bucket_selectors(expression: str) -> tuple[str, ...]:
    selectors = []
    for match in _BUCKET_RE.finditer(expression):
        name = match.group(1)
        if match.group(2) is None:
            selectors.append(name)
            continue
        end = closing(expression, match.end() - 1)
        if end < 0:
            continue
        selectors.append(name + "{" + expression[match.end() : end].strip() + "}")
    return tuple(dict.fromkeys(selectors))


def parse_quantile_query(query: str) -> QuantileQuery | None:
    """The query's quantile and bucket selectors when its value *is* a `histogram_quantile` (the whole query,
    maybe in parentheses); None otherwise (a ratio of quantiles, `… * 1000`, no histogram at all)."""
    text = strip_parentheses(query)
    match = _FUNCTION_RE.match(text)
    if match is None:
        return None
    end = closing(text, match.end() - 1)
    if end != len(text) - 1:
        return None  # something follows the call: the value is not the quantile itself
    parts = split_top_level(text[match.end() : end])
    if len(parts) < 2:
        return None
    parts = [parts[0], ",".join(parts[1:])]
    number = _NUMBER_RE.match(parts[0])
    selectors = _bucket_selectors(parts[1])
    if not selectors:
        return None
    return QuantileQuery(float(number.group(1)) if number else None, selectors)


def le_query(selector: str) -> str:
    """PromQL listing the `le` values of a bucket selector (one series per bound, over the last hour)."""
    return f"count by (le) (last_over_time({selector}[1h]))"


def parse_le_values(label_sets: Iterable[Mapping[str, str]]) -> tuple[float, ...]:
    """The distinct finite bucket bounds among the `le` labels (`+Inf` and unparsable values left out), sorted."""
    bounds = set()
    for labels in label_sets:
        try:
            value = float(labels.get("le", "nan"))
        except ValueError:
            continue
        if math.isfinite(value):
            bounds.add(value)
    return tuple(sorted(bounds))


def locate(bar: float, bounds: Sequence[float]) -> BucketFit | None:
    """The bucket `(lower, upper]` holding `bar` among the sorted finite `bounds`; None without bounds."""
    if not bounds:
        return None
    previous = 0.0 if bounds[0] > 0 else -math.inf
    for bound in bounds:
        if math.isclose(bar, bound, rel_tol=_SAME, abs_tol=1e-15):
            return BucketFit(bar, previous, bound, exact=True)
        if bar < bound:
            return BucketFit(bar, previous, bound, exact=False)
        previous = bound
    return BucketFit(bar, previous, math.inf, exact=False)


def histogram_quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float:
    """Prometheus' `histogram_quantile` over classic buckets `(upper bound, cumulative count)`: linear
    interpolation inside the bucket holding rank `q·count` (from 0 for the first bucket); the largest finite bound
    when the rank falls in the `+Inf` bucket; NaN without a `+Inf` bucket or observations."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(buckets)
    if len(ordered) < 2 or not math.isinf(ordered[-1][0]):
        return math.nan
    counts = []
    running = 0.0
    for _bound, count in ordered:
        running = max(running, count)  # Prometheus forces the counts to be monotonic
        counts.append(running)
    total = counts[-1]
    if total == 0:
        return math.nan
    rank = q * total
    index = next(i for i, count in enumerate(counts) if count >= rank)
    if index == len(ordered) - 1:
        return ordered[-2][0]
    upper = ordered[index][0]
    if index == 0 and upper <= 0:
        return upper
    lower, below = (ordered[index - 1][0], counts[index - 1]) if index > 0 else (0.0, 0.0)
    in_bucket = counts[index] - below
    return lower + (upper - lower) * ((rank - below) / in_bucket) if in_bucket else upper


def _percent(ratio: float) -> str:
    return f"{ratio * 100:+.0f} %".replace("-", "−")


def _percentile_name(quantile: float | None) -> str:
    if quantile is None:
        return "percentile"
    return f"p{quantile * 100:g}"


def describe(fit: BucketFit, condition: Condition, quantile: float | None, metrics: Sequence[str]) -> str | None:
    """One warning line for a bar that falls inside a bucket or above every bound; None when it is exact."""
    kind = condition.kind if condition.kind in _CHECKED_KINDS else Kind.DURATION

    def show(seconds: float) -> str:
        return format_value(seconds, Kind.DURATION if kind is Kind.NUMBER else kind)

    name = _percentile_name(quantile)
    series = ", ".join(metrics)
    if fit.exact:
        return None
    if fit.above_all:
        return (
            f"bar {condition.text} is above the largest bucket bound {show(fit.lower)} of {series}: "
            f"histogram_quantile never answers more than {show(fit.lower)}, so this bar cannot be crossed; "
            f"add a bucket bound at {show(fit.bar)} (see docs/performance.md)"
        )
    low, high = fit.error_range
    return (
        f"bar {condition.text} lies in bucket ({show(fit.lower)}, {show(fit.upper)}] of {series}: "
        "histogram_quantile interpolates linearly inside a bucket, so when it answers "
        f"{show(fit.bar)} the true {name} can be anywhere from {show(fit.lower)} to {show(fit.upper)} "
        f"({_percent(low)} … {_percent(high)} of the bar); "
        f"add a bucket bound at {show(fit.bar)} or gate on the share of requests under a bound "
        "(see docs/performance.md)"
    )


def bar_warnings(query: QuantileQuery, bounds: Sequence[float], bars: Iterable[Bar | None]) -> list[str]:
    """Warnings for every duration (or bare-number) condition of `bars` that is not a bucket bound."""
    warnings = []
    seen: set[tuple[str, float]] = set()
    for bar in bars:
        for condition in bar.conditions if bar is not None else ():
            if condition.kind not in _CHECKED_KINDS or (condition.op, condition.threshold) in seen:
                continue
            seen.add((condition.op, condition.threshold))
            fit = locate(condition.threshold, bounds)
            message = describe(fit, condition, query.quantile, query.metrics) if fit is not None else None
            if message is not None:
                warnings.append(message)
    return warnings
