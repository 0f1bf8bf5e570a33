"""Run directories as `slocheck run` writes them (result.json, run.json, history.json), built with slocheck's own
writers from given values: for tests of the history store, baseline selection and the commands that read them."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slocheck.app.history import history_document, render_history
from slocheck.core.evaluate import evaluate
from slocheck.core.model import Compare, LocustIndicator, Measurement, MeasurementStatus, SeriesValue, Window
from slocheck.load.stats import ClientStats
from slocheck.report.json_report import render_json, result_document
from tests.support.builders import objective

START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
SERVER = objective("api-p95", pass_="< 2s", slo_set="gate")
CLIENT = objective("client-p50", pass_="< 2s", slo_set="gate", indicator=LocustIndicator("p50"))


def client_stats(median: float, requests: int, seed: int, seconds: int = 60) -> ClientStats:
    """`requests` spread evenly over `seconds`, the timeline closed once a second as the runner does."""
    rng = random.Random(seed)
    stats = ClientStats()
    for index in range(requests):
        stats.record("GET", "/api" if index % 2 else "/home", median * rng.lognormvariate(0, 0.3), 100, None)
        if (index + 1) * seconds // requests > index * seconds // requests:
            stats.snapshot_interval(float((index + 1) * seconds // requests))
    stats.window_seconds = float(seconds)
    return stats


def write_run(
    root: Path,
    run_id: str,
    *,
    server_p95: float = 0.2,
    client_median: float = 0.1,
    minutes: int = 0,
    scenario: str = "scenarios/shop.py",
    profile: str = "smoke",
    verdict_override: str | None = None,
    series_points: Sequence[float] = (0.2, 0.21, 0.19, 0.2, 0.22, 0.2, 0.18, 0.2, 0.21, 0.2),
    seed: int = 1,
    client_compare: Compare | None = None,
) -> Path:
    """One finished run `minutes` after START; PASS unless a value misses `< 2s` or `verdict_override`."""
    start = START + timedelta(minutes=minutes)
    window = Window(start, start + timedelta(seconds=60))
    stats = client_stats(client_median, 400, seed)
    measured = {
        SERVER.key: Measurement(SERVER.key, "prometheus", "q", MeasurementStatus.OK, (SeriesValue({}, server_p95),)),
        CLIENT.key: Measurement(CLIENT.key, "locust", "p50 of Aggregated", MeasurementStatus.OK,
                                (SeriesValue({"request": "Aggregated"}, stats.total.times.quantile(0.5)),)),
    }  # fmt: skip
    client = replace(CLIENT, compare=client_compare)
    evaluation = evaluate([SERVER, client], measured, window)
    run = {"id": run_id, "scenario": scenario, "profile": profile, "started_at": start.isoformat(), "status": "done"}
    document = result_document(evaluation, exit_code=0, generated_at=window.end, run=run)
    document["client"] = stats.to_dict()
    if verdict_override:
        document["verdict"] = verdict_override
    path = root / run_id
    path.mkdir(parents=True)
    (path / "result.json").write_text(render_json(document))
    (path / "run.json").write_text(json.dumps(run))
    points = [[start.timestamp() + 6 * i, v] for i, v in enumerate(series_points)]
    series = {SERVER.key: {"backend": "prometheus", "query": "q", "step_seconds": 6.0, "status": "ok",
                           "series": [{"labels": {}, "points": points}]}}  # fmt: skip
    (path / "history.json").write_text(render_history(history_document(run_id, window, stats, series, 6.0)))
    return path
