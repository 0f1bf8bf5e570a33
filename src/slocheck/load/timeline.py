"""The run's client latencies interval by interval: what the statistical judge compares (docs/baselines.md).

Requests of one run are not independent: they share the machine, caches and the second they ran in, so a
test over every request calls a few seconds of a busy neighbour "significant". The judge instead compares
per-interval statistics; this module keeps, for every interval of about one second, each endpoint's histogram
of the successful requests that finished in it.

Nothing is added to the per-request path: the runner's once-a-second sample takes a snapshot of each
endpoint's cumulative histogram and keeps the difference since the previous one (`LogHistogram.minus`). With
worker processes the master's statistics grow when a worker report arrives (every 3 s), so an interval holds the
requests reported in it. More than `MAX_SLOTS` intervals (a long run) are merged in pairs, so the stored size is
bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slocheck.load.histogram import LogHistogram

MAX_SLOTS = 240
Key = tuple[str, str]


@dataclass
class Slot:
    """One interval [start, end] (seconds since the load started): each endpoint's new successful requests."""

    start: float
    end: float
    endpoints: dict[Key, LogHistogram] = field(default_factory=dict)

    def absorb(self, later: Slot) -> None:
        self.end = later.end
        for key, histogram in later.endpoints.items():
            mine = self.endpoints.get(key)
            if mine is None:
                self.endpoints[key] = histogram.copy()
            else:
                mine.merge(histogram)

    def to_wire(self) -> dict[str, Any]:
        endpoints = [{"method": m, "name": n, "histogram": h.to_wire()} for (m, n), h in sorted(self.endpoints.items())]
        return {"t": [round(self.start, 3), round(self.end, 3)], "endpoints": endpoints}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Slot:
        start, end = (float(t) for t in data["t"])
        endpoints = {(str(e["method"]), str(e["name"])): _counts_only(e["histogram"]) for e in data["endpoints"]}
        return cls(start, end, endpoints)


_EMPTY = LogHistogram()


def _counts_only(wire: Mapping[str, Any]) -> LogHistogram:
    """An interval's histogram without min/max: a difference of snapshots has none, and one exact extreme
    merged with unknown ones would clamp every percentile of the merge to it."""
    return LogHistogram.from_wire(wire).minus(_EMPTY)


class Timeline:
    """Per-interval endpoint histograms, from snapshots of cumulative ones (`snapshot` about once a second)."""

    def __init__(self, max_slots: int = MAX_SLOTS) -> None:
        self.max_slots = max_slots
        self.slots: list[Slot] = []
        self._last: dict[Key, LogHistogram] = {}
        self._last_at = 0.0

    def snapshot(self, elapsed: float, cumulative: Mapping[Key, LogHistogram]) -> None:
        """Close the interval ending `elapsed` seconds after the load started (no-op if no time passed)."""
        if elapsed <= self._last_at:
            return
        slot = Slot(self._last_at, elapsed)
        for key, histogram in cumulative.items():
            fresh = histogram.minus(self._last.get(key, _EMPTY))  # counts only: min/max are unknown
            if fresh.count > 0:
                slot.endpoints[key] = fresh
            self._last[key] = histogram.copy()
        self._last_at = elapsed
        self.slots.append(slot)
        if len(self.slots) > self.max_slots:
            self._halve()

    def _halve(self) -> None:
        """Merge neighbouring intervals in pairs (a long run): half as many, twice as long."""
        merged = []
        for index in range(0, len(self.slots), 2):
            first = self.slots[index]
            if index + 1 < len(self.slots):
                first.absorb(self.slots[index + 1])
            merged.append(first)
        self.slots = merged

    def to_wire(self) -> list[dict[str, Any]]:
        return [slot.to_wire() for slot in self.slots]

    @staticmethod
    def from_wire(data: list[Mapping[str, Any]]) -> list[Slot]:
        return [Slot.from_wire(item) for item in data]
