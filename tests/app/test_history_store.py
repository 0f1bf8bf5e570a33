"""history.json: written and read back, versioned, turned into the judge's observations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slocheck.app.history import (
    HISTORY_FILE,
    ClientHistograms,
    client_judge_gap,
    read_history,
    samples_from,
    series_step,
)
from slocheck.core.errors import ConfigError
from slocheck.core.model import Compare, LocustIndicator
from tests.app.stored_runs import CLIENT, SERVER, client_stats, write_run


def test_stored_client_histograms_give_back_the_same_percentiles(tmp_path: Path) -> None:
    run = write_run(tmp_path, "a", client_median=0.1, seed=3)
    stored = ClientHistograms.of(read_history(run))
    assert stored is not None
    original = client_stats(0.1, 400, 3)
    assert stored.aggregated.quantile(0.95) == original.total.times.quantile(0.95)
    assert stored.endpoints[("GET", "/api")].count == original.entries[("GET", "/api")].count


def test_a_request_selection_merges_the_matching_endpoint_histograms(tmp_path: Path) -> None:
    stored = ClientHistograms.of(read_history(write_run(tmp_path, "a")))
    assert stored is not None
    selected = stored.select(LocustIndicator("p95", method="GET"))
    assert selected is not None
    assert selected.count == 400


def test_client_samples_are_one_median_per_two_second_block_with_the_requests_median_as_center(
    tmp_path: Path,
) -> None:
    stored = ClientHistograms.of(read_history(write_run(tmp_path, "a", seed=4)))
    assert stored is not None
    samples = stored.samples(LocustIndicator("p50"), 2.0)
    assert samples is not None
    assert (samples.n, samples.what, samples.weight) == (30, "intervals of 2 s", 400)
    assert samples.center == client_stats(0.1, 400, 4).total.ok_times.quantile(0.5)
    assert [name for name, _ in samples.groups] == ["GET /api", "GET /home"]


def test_a_v1_history_without_intervals_gives_no_client_samples_and_says_why(tmp_path: Path) -> None:
    run = write_run(tmp_path, "a")
    document = json.loads((run / HISTORY_FILE).read_text())
    document["schema"] = "slocheck.history/v1"
    del document["client"]["intervals"]
    stored = ClientHistograms.of(document)
    assert stored is not None
    assert stored.samples(LocustIndicator("p50"), 2.0) is None
    assert "stored no per-interval client histograms (history slocheck.history/v1" in client_judge_gap(document, "x")


def test_samples_are_taken_only_for_objectives_with_a_judge(tmp_path: Path) -> None:
    history = read_history(write_run(tmp_path, "a"))
    judged = type(SERVER)(**{**SERVER.__dict__, "compare": Compare()})
    found = samples_from([judged, CLIENT], history, 2.0)
    assert list(found) == [SERVER.key]
    assert found[SERVER.key].n == 10


def test_a_run_from_before_the_history_format_has_no_history(tmp_path: Path) -> None:
    run = write_run(tmp_path, "a")
    (run / HISTORY_FILE).unlink()
    assert read_history(run) is None


def test_a_history_of_an_unknown_version_is_refused_with_the_file_named(tmp_path: Path) -> None:
    run = write_run(tmp_path, "a")
    (run / HISTORY_FILE).write_text(json.dumps({"schema": "slocheck.history/v9"}))
    with pytest.raises(ConfigError, match=r"history.json: history format 'slocheck.history/v9'"):
        read_history(run)


def test_the_series_step_spans_two_scrapes_and_at_most_200_points() -> None:
    assert series_step(60, 1.0) == 2.0
    assert series_step(3600, 1.0) == 18.0
