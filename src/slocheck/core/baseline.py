"""The baseline run as data: what relative bars and the statistical judge compare with.

app/ reads an earlier run directory and builds a `Baseline`; the evaluator only ever sees these values, never
a file. `Samples` are the observations the judge compares: raw values, or a histogram's bucket values with
their counts (each value repeated `count` times).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from slocheck.core.model import SeriesValue

# The judge's blocks of a run's timeline (client latency): at least 2 s, about 30 per run at most.
MIN_BLOCK_SECONDS = 2.0
TARGET_BLOCKS = 30


def block_seconds(window_seconds: float) -> float:
    """At least 2 s, and at most about 30 blocks per run: a long run gets longer blocks, not more of them."""
    return float(max(MIN_BLOCK_SECONDS, math.ceil(window_seconds / TARGET_BLOCKS)))


@dataclass(frozen=True)
class Samples:
    """Observations of one objective in one run: `values[i]` seen `counts[i]` times (once each without counts).

    The judge treats them as independent: per-interval statistics (client latency: the median of each interval's
    requests; metric series: points at a step with non-overlapping windows), not the raw requests."""

    values: tuple[float, ...]
    counts: tuple[int, ...] = ()
    what: str = ""  # e.g. "requests" or "points at a 2 s step"
    # Strata (e.g. one per endpoint): when both runs have them, the judge compares stratum by stratum, so a
    # different request mix is not read as a latency change.
    groups: tuple[tuple[str, Samples], ...] = ()
    # Interval statistics (client latency): `values` are per-interval medians; `center` is the median of the
    # requests behind them (what the effect compares) and `weight` their number (what a stratum weighs).
    center: float | None = None
    weight: int = 0

    @property
    def n(self) -> int:
        return sum(self.counts) if self.counts else len(self.values)


@dataclass(frozen=True)
class Baseline:
    """An earlier run's values, by objective key: its series (labels + value) and its samples for the judge."""

    run_id: str
    series: Mapping[str, tuple[SeriesValue, ...]] = field(default_factory=dict)
    samples: Mapping[str, Samples] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)  # key → why the baseline has no value for it

    def value_of(self, key: str, labels: Mapping[str, str]) -> tuple[float | None, str]:
        """The baseline's value of the series with exactly these labels, or (None, why not)."""
        if key not in self.series:
            return None, self.missing.get(key) or f"baseline run {self.run_id} has no objective {key}"
        for series in self.series[key]:
            if dict(series.labels) == dict(labels):
                if not math.isfinite(series.value):
                    return None, f"baseline run {self.run_id} measured no finite value for this series of {key}"
                return series.value, ""
        shown = "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
        return None, f"baseline run {self.run_id} has no series {shown} for {key}"
