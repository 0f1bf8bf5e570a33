"""The judge's client observations: one median per block of the run's timeline (app/intervals.py)."""

from __future__ import annotations

from slocheck.app.intervals import interval_samples
from slocheck.core.baseline import block_seconds
from slocheck.load.histogram import LogHistogram
from slocheck.load.timeline import Slot

API, HOME = ("GET", "/api"), ("GET", "/home")


def second(start: int, api: list[float], home: list[float] | None = None) -> Slot:
    endpoints = {API: LogHistogram.of(api)}
    if home:
        endpoints[HOME] = LogHistogram.of(home)
    return Slot(float(start), float(start + 1), endpoints)


def test_blocks_are_two_seconds_until_a_run_has_thirty_of_them() -> None:
    assert [block_seconds(s) for s in (10, 60, 61, 600, 3600)] == [2.0, 2.0, 3.0, 20.0, 120.0]


def test_each_block_gives_the_median_of_its_requests_and_n_counts_blocks() -> None:
    slots = [second(0, [0.1, 0.1]), second(1, [0.1]), second(2, [0.5, 0.5]), second(3, [0.5])]
    found = interval_samples(slots, [API], 2.0)
    assert found is not None
    assert found.values == (LogHistogram.of([0.1]).quantile(0.5), LogHistogram.of([0.5]).quantile(0.5))
    assert (found.n, found.weight, found.what) == (2, 6, "intervals of 2 s")
    assert found.center == LogHistogram.of([0.1, 0.1, 0.1, 0.5, 0.5, 0.5]).quantile(0.5)


def test_a_block_covering_less_than_half_its_width_is_left_out() -> None:
    slots = [second(0, [0.1]), second(1, [0.1]), Slot(2.0, 2.4, {API: LogHistogram.of([9.0])})]
    found = interval_samples(slots, [API], 2.0)
    assert found is not None
    assert found.n == 1


def test_every_endpoint_of_the_selection_is_a_stratum_of_its_own() -> None:
    slots = [second(i, [0.01], [0.3]) for i in range(4)]
    found = interval_samples(slots, [API, HOME], 2.0)
    assert found is not None
    assert [(name, s.n, s.weight) for name, s in found.groups] == [("GET /api", 2, 4), ("GET /home", 2, 4)]


def test_a_selection_without_requests_has_no_samples() -> None:
    assert interval_samples([second(0, [0.1])], [HOME], 2.0) is None
