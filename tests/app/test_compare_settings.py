"""`slocheck compare` judges each objective with the `compare:` settings its run recorded in result.json."""

from __future__ import annotations

import json
from pathlib import Path

from slocheck.app.compare import CompareSettings, compare_runs
from slocheck.app.history import HISTORY_FILE
from slocheck.app.runs import summarize
from slocheck.core.model import Compare
from slocheck.report.compare import judge_text
from tests.app.stored_runs import write_run

LENIENT = Compare("mann-whitney", "increase", 0.01, 2.0)


def _client_judge(document: dict[str, object]) -> dict[str, object]:
    rows = document["objectives"]
    assert isinstance(rows, list)
    (row,) = [r for r in rows if r["key"] == "gate/client-p50"]
    judged = row["judge"]
    assert isinstance(judged, dict)
    return judged


def test_result_json_records_an_objectives_compare_settings(tmp_path: Path) -> None:
    run = write_run(tmp_path, "a", client_compare=LENIENT)
    stored = json.loads((run / "result.json").read_text())["objectives"][1]
    assert stored["compare"] == {"test": "mann-whitney", "direction": "increase", "alpha": 0.01, "min_effect": 2.0}


def test_an_objective_is_judged_with_its_own_min_effect_and_alpha(tmp_path: Path) -> None:
    a = write_run(tmp_path, "a", seed=1, client_compare=LENIENT)
    b = write_run(tmp_path, "b", seed=2, minutes=5, client_median=0.15, client_compare=LENIENT)
    judged = _client_judge(compare_runs(summarize(a), summarize(b)))
    assert (judged["alpha"], judged["min_effect"], judged["settings_from"]) == (0.01, 2.0, "objective")
    assert judged["worse"] is False
    assert "below min_effect 200 %" in str(judged["text"])


def test_the_command_line_overrides_an_objectives_own_settings(tmp_path: Path) -> None:
    a = write_run(tmp_path, "a", seed=1, client_compare=LENIENT)
    b = write_run(tmp_path, "b", seed=2, minutes=5, client_median=0.15, client_compare=LENIENT)
    document = compare_runs(summarize(a), summarize(b), CompareSettings(min_effect=0.05))
    judged = _client_judge(document)
    assert (judged["alpha"], judged["min_effect"], judged["settings_from"]) == (0.01, 0.05, "objective + command line")
    assert document["exit_code"] == 1


def test_a_run_without_recorded_settings_is_judged_with_the_defaults_and_the_pass_bars_direction(
    tmp_path: Path,
) -> None:
    a, b = write_run(tmp_path, "a", seed=1), write_run(tmp_path, "b", seed=2, minutes=5)
    judged = _client_judge(compare_runs(summarize(a), summarize(b)))
    assert (judged["direction"], judged["alpha"], judged["min_effect"]) == ("increase", 0.05, 0.05)
    assert judged["settings_from"] == "default"


def test_a_v1_history_run_cannot_judge_client_latency_and_the_judge_says_why(tmp_path: Path) -> None:
    a, b = write_run(tmp_path, "a", seed=1), write_run(tmp_path, "b", seed=2, minutes=5)
    history = json.loads((a / HISTORY_FILE).read_text())
    history["schema"] = "slocheck.history/v1"
    del history["client"]["intervals"]
    (a / HISTORY_FILE).write_text(json.dumps(history))
    judged = _client_judge(compare_runs(summarize(a), summarize(b)))
    assert judged["outcome"] == "NO_DATA"
    assert "run A stored no per-interval client histograms (history slocheck.history/v1" in str(judged["text"])


def test_the_judge_text_of_a_row_says_which_settings_it_used(tmp_path: Path) -> None:
    a = write_run(tmp_path, "a", seed=1, client_compare=LENIENT)
    b = write_run(tmp_path, "b", seed=2, minutes=5, client_compare=LENIENT)
    document = compare_runs(summarize(a), summarize(b))
    (row,) = [r for r in document["objectives"] if r["key"] == "gate/client-p50"]
    assert judge_text(row).endswith("; judged on increase, alpha 0.01, min_effect 200 %")
