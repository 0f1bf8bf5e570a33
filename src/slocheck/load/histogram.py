"""A log-linear latency histogram: every percentile within 0.5 % of the exact value, bounded memory, mergeable.

Why this shape (and not Locust's own statistics): Locust rounds every response time to two significant digits
before bucketing it (e.g. 1234 ms → 1200 ms), so its p99 can be several percent off — too coarse for a gate that
compares `p99 < 500ms`. Keeping every raw timing is exact but grows without bound in an hour-long run.

This histogram keeps, per bucket, only a count. Bucket `i` holds the values in `(γ^(i-1), γ^i]` with
`γ = (1 + α) / (1 - α)` and `α = 0.005`; a bucket is reported as `2·γ^i / (γ + 1)`, which is within `α` (0.5 %)
relative error of every value in the bucket (the DDSketch construction, Masson et al., VLDB 2019). Percentiles use
the nearest-rank definition (the smallest recorded value with at least `q·n` values at or below it, as Locust and
HdrHistogram do), so the reported value is within 0.5 % of the exact nearest-rank percentile of the raw timings.

- Memory: values are clamped to `[1 ns, 10^6 s]`, so there are at most `ln(10^15) / ln(γ) ≈ 3,450` buckets,
  stored sparsely (a dict of index → count); a typical endpoint with latencies between 1 ms and 10 s uses
  under 1,000. It does not grow with the number of requests or with the run's length.
- Merging two histograms adds their counts bucket by bucket, which gives exactly the histogram of all values:
  worker processes send theirs to the master, which merges them.
- `count`, `sum` (hence the average), `min` and `max` are kept exactly; a percentile estimate is clamped to
  `[min, max]`, so p100 is the exact maximum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RELATIVE_ACCURACY = 0.005
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
MIN_VALUE = 1e-9
MAX_VALUE = 1e6
_MIN_INDEX = math.ceil(math.log(MIN_VALUE) / _LOG_GAMMA)
_MAX_INDEX = math.ceil(math.log(MAX_VALUE) / _LOG_GAMMA)
_ceil = math.ceil
_log = math.log


def bucket_index(value: float) -> int:
    """The bucket a positive value falls into (values are clamped to `[MIN_VALUE, MAX_VALUE]`)."""
    index = math.ceil(math.log(value) / _LOG_GAMMA)
    return min(max(index, _MIN_INDEX), _MAX_INDEX)


def bucket_value(index: int) -> float:
    """The representative value of a bucket: within RELATIVE_ACCURACY of everything in it."""
    return 2.0 * GAMMA**index / (GAMMA + 1.0)


@dataclass
class LogHistogram:
    """Counts of values (seconds) in log-spaced buckets, plus exact count, sum, min and max."""

    counts: dict[int, int] = field(default_factory=dict)
    zero_count: int = 0
    count: int = 0
    total: float = 0.0
    min: float = math.inf
    max: float = -math.inf

    def add(self, value: float) -> None:
        """Record one value; negative values (clock steps) count as zero.

        The per-request hot path: comparisons instead of `min()`/`max()` calls and `bucket_index()` inlined (same
        expression, so the same bucket for every value; a value >= MIN_VALUE can never fall under `_MIN_INDEX`, so
        only the top is clamped).
        """
        if value < 0.0:  # noqa: PLR1730 - a comparison, not a max() call, on the per-request hot path
            value = 0.0
        self.count += 1
        self.total += value
        if value < self.min:  # noqa: PLR1730 - as above
            self.min = value
        if value > self.max:  # noqa: PLR1730 - as above
            self.max = value
        if value < MIN_VALUE:
            self.zero_count += 1
            return
        index = _ceil(_log(value) / _LOG_GAMMA)
        if index > _MAX_INDEX:  # noqa: PLR1730 - as above
            index = _MAX_INDEX
        counts = self.counts
        counts[index] = counts.get(index, 0) + 1

    def merge(self, other: LogHistogram) -> None:
        """Add every value of `other` to this histogram."""
        _add_counts(self.counts, list(other.counts), list(other.counts.values()))
        self.zero_count += other.zero_count
        self.count += other.count
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    def copy(self) -> LogHistogram:
        return LogHistogram(dict(self.counts), self.zero_count, self.count, self.total, self.min, self.max)

    def minus(self, earlier: LogHistogram) -> LogHistogram:
        """The values recorded since `earlier` (a copy of this histogram taken before); min/max are unknown."""
        counts = {i: n - earlier.counts.get(i, 0) for i, n in self.counts.items() if n != earlier.counts.get(i, 0)}
        return LogHistogram(
            counts, self.zero_count - earlier.zero_count, self.count - earlier.count, self.total - earlier.total
        )

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    def quantile(self, q: float) -> float:
        """Nearest-rank percentile (`q` in [0, 1]); NaN when empty."""
        if self.count <= 0:
            return math.nan
        rank = max(1, math.ceil(q * self.count - 1e-9))
        seen = self.zero_count
        estimate = 0.0
        if seen < rank:
            for index in sorted(self.counts):
                seen += self.counts[index]
                if seen >= rank:
                    estimate = bucket_value(index)
                    break
            else:
                estimate = self.max
        return self._clamp(estimate)

    def _clamp(self, estimate: float) -> float:
        if math.isfinite(self.min) and math.isfinite(self.max):
            return min(max(estimate, self.min), self.max)
        return estimate

    def to_wire(self) -> dict[str, object]:
        """Plain lists and numbers (msgpack/JSON safe: no integer map keys)."""
        indices = sorted(self.counts)
        return {
            "i": indices,
            "n": [self.counts[i] for i in indices],
            "z": self.zero_count,
            "c": self.count,
            "s": self.total,
            "lo": self.min if math.isfinite(self.min) else None,
            "hi": self.max if math.isfinite(self.max) else None,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> LogHistogram:
        indices = _ints(data.get("i", []))
        numbers = _ints(data.get("n", []), strict=False)
        low, high = data.get("lo"), data.get("hi")
        return cls(
            counts=dict(zip(indices, numbers, strict=True)),
            zero_count=int(_number(data.get("z", 0))),
            count=int(_number(data.get("c", 0))),
            total=float(_number(data.get("s", 0.0))),
            min=float(_number(low)) if low is not None else math.inf,
            max=float(_number(high)) if high is not None else -math.inf,
        )

    def merge_wire(self, data: Mapping[str, object]) -> None:
        """`merge(LogHistogram.from_wire(data))` without building the intermediate histogram (the master's hot
        path: every histogram of every worker report)."""
        indices, numbers = _ints(data.get("i", [])), _ints(data.get("n", []), strict=False)
        if len(indices) != len(numbers):
            raise ValueError(f"{len(indices)} bucket indices but {len(numbers)} counts")
        _add_counts(self.counts, indices, numbers)
        self.zero_count += int(_number(data.get("z", 0)))
        self.count += int(_number(data.get("c", 0)))
        self.total += float(_number(data.get("s", 0.0)))
        low, high = data.get("lo"), data.get("hi")
        if low is not None:
            self.min = min(self.min, float(_number(low)))
        if high is not None:
            self.max = max(self.max, float(_number(high)))

    @classmethod
    def of(cls, values: Iterable[float]) -> LogHistogram:
        histogram = cls()
        for value in values:
            histogram.add(value)
        return histogram


def _add_counts(counts: dict[int, int], indices: list[int], numbers: list[int]) -> None:
    """counts[i] += n for every pair (a plain loop: on CPython 3.11 faster than `dict.update` over `map`s)."""
    get = counts.get
    for index, n in zip(indices, numbers, strict=False):
        counts[index] = get(index, 0) + n


_INT_ONLY = {int}


def _ints(value: object, strict: bool = True) -> list[int]:
    """A wire list of integers. The master's hot path (every worker report) checks in C: `strict` (bucket
    indices) that every item's type is int; otherwise (counts) that their sum is an int, which rejects strings,
    None and floats but lets a bool count as 0 or 1."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of integers, got {type(value).__name__}")
    try:
        if set(map(type, value)) <= _INT_ONLY if strict else type(sum(value)) is int:
            return list(value)
    except TypeError:
        pass
    return [int(_number(v)) for v in value]


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)
