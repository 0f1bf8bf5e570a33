"""Relative bars and the judge in every renderer: baseline value, current value and change; the HTML trend."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from slocheck.app.report_inputs import load_report_inputs
from slocheck.core.baseline import Baseline
from slocheck.core.evaluate import evaluate
from slocheck.core.model import SeriesValue
from slocheck.report.console import print_evaluation
from slocheck.report.html import render_html
from slocheck.report.json_report import result_document
from slocheck.report.junit import render_junit
from slocheck.report.markdown import render_markdown
from tests.app.stored_runs import write_run
from tests.support.builders import WINDOW, objective, ok

TARGET = objective("api-p95", pass_=["< 2s", "<= +10%"])
BASELINE = Baseline("run-a", {TARGET.key: (SeriesValue({"instance": "i0"}, 0.2),)})
RECORD = {"id": "run-a", "path": "/runs/run-a", "verdict": "PASS", "window": {}, "selected_by": "last-pass",
          "why": "the newest PASS run with scenario shop, profile smoke, SLO sets gate"}  # fmt: skip
EVALUATION = evaluate([TARGET], {TARGET.key: ok(TARGET, 0.3)}, WINDOW, baseline=BASELINE)


def document() -> dict[str, Any]:
    return result_document(EVALUATION, exit_code=1, generated_at=datetime(2026, 11, 28, tzinfo=UTC), baseline=RECORD)


def test_the_result_document_keeps_the_baseline_value_and_the_change() -> None:
    (series,) = document()["objectives"][0]["series"]
    assert (series["baseline"], series["change_display"]) == (0.2, "baseline 200 ms → 300 ms (+100 ms, +50 %)")


def test_junit_evidence_shows_baseline_current_and_change() -> None:
    assert "= 300 ms FAIL (baseline 200 ms → 300 ms (+100 ms, +50 %))" in render_junit(document())


def test_markdown_names_the_baseline_run_and_why_it_was_picked() -> None:
    text = render_markdown(document())
    assert "Baseline: run `run-a` (PASS), the newest PASS run with scenario shop" in text
    assert "baseline 200 ms → 300 ms (+100 ms, +50 %) misses <= +10%" in text


def test_the_console_shows_the_change_for_every_series() -> None:
    buffer = io.StringIO()
    print_evaluation(Console(file=buffer, width=200), EVALUATION)
    assert '{instance="i0"} = baseline 200 ms → 300 ms (+100 ms, +50 %) FAIL' in buffer.getvalue()


def test_the_html_report_draws_a_trend_over_the_earlier_runs_like_this_one(tmp_path: Path) -> None:
    for minutes, p95 in ((0, 0.2), (5, 0.25), (10, 0.3)):
        write_run(tmp_path, f"run-{minutes}", minutes=minutes, server_p95=p95)
    page = render_html(load_report_inputs(tmp_path / "run-10"))
    trend = page.split('<section id="trend">', 1)[1].split("</section>", 1)[0]
    assert trend.count('<svg class="spark"') == 2  # one per objective
    assert "run-0 (PASS), run-5 (PASS), run-10 (PASS)" in trend


def test_a_first_run_has_no_trend_yet(tmp_path: Path) -> None:
    page = render_html(load_report_inputs(write_run(tmp_path, "only")))
    assert "No earlier run of the same scenario" in page


def test_the_html_evidence_shows_the_change_under_the_value() -> None:
    from slocheck.report.html_inputs import ReportInputs

    page = render_html(ReportInputs(document=document()))
    assert "baseline 200 ms → 300 ms (+100 ms, +50 %)" in page.split('id="obj-', 1)[1]


def test_a_document_with_a_baseline_and_a_judge_follows_the_published_schema() -> None:
    import json
    from dataclasses import replace

    import jsonschema

    from slocheck.core.baseline import Samples
    from slocheck.core.model import Compare

    judged = replace(objective("shift", pass_="< 2s"), compare=Compare())
    samples = Samples(tuple(0.1 + i / 1000 for i in range(50)))
    baseline = Baseline("run-a", {**BASELINE.series}, {judged.key: samples})
    evaluation = evaluate([TARGET, judged], {TARGET.key: ok(TARGET, 0.3), judged.key: ok(judged, 0.1)}, WINDOW,
                          baseline=baseline, samples={judged.key: samples})  # fmt: skip
    found = result_document(evaluation, exit_code=1, generated_at=datetime(2026, 11, 28, tzinfo=UTC), baseline=RECORD)
    schema = json.loads((Path(__file__).parents[2] / "docs" / "result.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(found)))
    assert found["objectives"][1]["judgement"]["text"].startswith("no significant increase")
