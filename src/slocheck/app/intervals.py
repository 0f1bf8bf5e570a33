"""The judge's observations for client latency: per-interval medians from the stored per-interval histograms.

Requests of one run are autocorrelated (a few busy seconds slow down every request in them), so a test over
every request treats thousands of dependent timings as independent and calls a shift of the environment
significant. The judge compares blocks of the run's timeline instead (the batch-means idea; Kayenta likewise
judges metric points per interval, not requests): consecutive one-second intervals are grouped into blocks of
`block_seconds(window)` (core/baseline.py), and each block contributes one observation, the median of its
requests. docs/baselines.md states the assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from slocheck.core.baseline import Samples, block_seconds
from slocheck.load.histogram import LogHistogram
from slocheck.load.timeline import Key, Slot

__all__ = ["block_seconds", "interval_samples"]


def _blocks(slots: Sequence[Slot], keys: set[Key], width: float) -> list[LogHistogram]:
    """The selected endpoints' requests per block, blocks covering at least half their width; empty ones left out."""
    merged: dict[int, LogHistogram] = {}
    covered: dict[int, float] = {}
    for slot in slots:
        index = math.floor((slot.start + slot.end) / 2 / width)
        covered[index] = covered.get(index, 0.0) + (slot.end - slot.start)
        target = merged.setdefault(index, LogHistogram())
        for key, histogram in slot.endpoints.items():
            if key in keys:
                target.merge(histogram)
    return [merged[i] for i in sorted(merged) if covered[i] >= width / 2 and merged[i].count > 0]


def _samples(slots: Sequence[Slot], keys: set[Key], width: float) -> Samples | None:
    blocks = _blocks(slots, keys, width)
    if not blocks:
        return None
    whole = LogHistogram()
    for block in blocks:
        whole.merge(block)
    medians = tuple(block.quantile(0.5) for block in blocks)
    return Samples(medians, (), f"intervals of {width:g} s", center=whole.quantile(0.5), weight=whole.count)


def interval_samples(slots: Sequence[Slot], keys: Sequence[Key], width: float) -> Samples | None:
    """One observation per block: the median of the selected requests in it; one stratum per endpoint."""
    found = _samples(slots, set(keys), width)
    if found is None:
        return None
    groups = tuple(
        (f"{method} {name}", stratum)
        for method, name in keys
        if (stratum := _samples(slots, {(method, name)}, width)) is not None
    )
    return Samples(found.values, (), found.what, groups, found.center, found.weight)
