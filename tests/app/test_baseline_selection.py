"""--baseline last-pass|last|RUN_ID|PATH: which run is picked, why, and what is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from slocheck.app.history import HISTORY_FILE
from slocheck.app.runs import choose_baseline, list_runs, load_baseline
from slocheck.core.errors import ConfigError
from slocheck.core.model import Compare
from tests.app.stored_runs import CLIENT, SERVER, write_run

LIKE = {"scenario": "shop", "profile": "smoke", "slo_sets": ["gate"]}


def test_runs_are_listed_newest_first(tmp_path: Path) -> None:
    write_run(tmp_path, "old", minutes=0)
    write_run(tmp_path, "new", minutes=5)
    assert [r.id for r in list_runs(tmp_path)] == ["new", "old"]


def test_last_pass_picks_the_newest_pass_run_and_says_why(tmp_path: Path) -> None:
    write_run(tmp_path, "a", minutes=0)
    write_run(tmp_path, "b", minutes=5)
    write_run(tmp_path, "c", minutes=10, server_p95=3.0)  # misses < 2s: FAIL
    chosen = choose_baseline("last-pass", tmp_path, **LIKE)
    assert chosen.summary.id == "b"
    assert "newest PASS run with scenario shop, profile smoke" in chosen.why


def test_last_picks_the_newest_run_whatever_its_verdict(tmp_path: Path) -> None:
    write_run(tmp_path, "a", minutes=0)
    write_run(tmp_path, "c", minutes=10, server_p95=3.0)
    assert choose_baseline("last", tmp_path, **LIKE).summary.id == "c"


def test_last_pass_skips_runs_of_another_profile(tmp_path: Path) -> None:
    write_run(tmp_path, "a", minutes=0)
    write_run(tmp_path, "b", minutes=5, profile="stress")
    assert choose_baseline("last-pass", tmp_path, **LIKE).summary.id == "a"


def test_last_pass_without_a_matching_run_says_what_to_do(tmp_path: Path) -> None:
    write_run(tmp_path, "b", profile="stress")
    with pytest.raises(ConfigError, match=r"no earlier PASS run with scenario shop, profile smoke.*--baseline-any"):
        choose_baseline("last-pass", tmp_path, **LIKE)


def test_a_named_run_of_another_scenario_is_refused(tmp_path: Path) -> None:
    write_run(tmp_path, "a", scenario="scenarios/other.py")
    with pytest.raises(ConfigError, match=r"run a is not comparable \(scenario other ≠ shop\)"):
        choose_baseline("a", tmp_path, **LIKE)


def test_baseline_any_accepts_another_scenario(tmp_path: Path) -> None:
    write_run(tmp_path, "a", scenario="scenarios/other.py")
    assert choose_baseline("a", tmp_path, **LIKE, any_run=True).summary.id == "a"


def test_a_directory_path_names_the_baseline(tmp_path: Path) -> None:
    path = write_run(tmp_path / "elsewhere", "a")
    chosen = choose_baseline(str(path), tmp_path, **LIKE)
    assert (chosen.summary.path, chosen.selected_by) == (path, "path")


def test_an_unknown_run_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="neither a run directory nor a run id"):
        choose_baseline("nope", tmp_path, **LIKE)


def test_the_loaded_baseline_holds_each_objectives_series_value(tmp_path: Path) -> None:
    write_run(tmp_path, "a", server_p95=0.25)
    baseline = load_baseline(choose_baseline("a", tmp_path, **LIKE), [SERVER], 2.0)
    assert baseline.value_of(SERVER.key, {}) == (0.25, "")


def test_a_baseline_with_a_v1_history_gives_client_judges_the_reason_they_have_no_observations(
    tmp_path: Path,
) -> None:
    run = write_run(tmp_path, "a")
    history = json.loads((run / HISTORY_FILE).read_text())
    history["schema"] = "slocheck.history/v1"
    del history["client"]["intervals"]
    (run / HISTORY_FILE).write_text(json.dumps(history))
    judged = replace(CLIENT, compare=Compare())
    baseline = load_baseline(choose_baseline("a", tmp_path, **LIKE), [judged], 2.0)
    assert judged.key not in baseline.samples
    assert baseline.missing[judged.key].startswith("baseline run a stored no per-interval client histograms")


def test_a_baseline_gives_client_judges_one_median_per_block_of_the_given_width(tmp_path: Path) -> None:
    write_run(tmp_path, "a")
    judged = replace(CLIENT, compare=Compare())
    baseline = load_baseline(choose_baseline("a", tmp_path, **LIKE), [judged], 4.0)
    assert (baseline.samples[judged.key].n, baseline.samples[judged.key].what) == (15, "intervals of 4 s")
