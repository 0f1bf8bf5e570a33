"""`slocheck evaluate` and `slocheck validate --online`: the shared phases over a given window, without load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from slocheck.app.backends import build_sources
from slocheck.app.measure import Sources
from slocheck.app.phases import LoadedSpecs, SourcesFactory, load_specs, measure_and_evaluate, open_checked_sources
from slocheck.app.undercount import recently_born_warnings
from slocheck.config.settings import Settings
from slocheck.core.baseline import Samples
from slocheck.core.errors import EXIT_INTERRUPTED
from slocheck.core.evaluate import exit_code_for
from slocheck.core.model import Evaluation, Objective, Window
from slocheck.report.json_report import result_document

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class WindowRequest:
    files: Sequence[Path]
    variables: dict[str, str]
    window: Window
    fail_on_warn: bool = False
    baseline: str | None = None  # last-pass | last | RUN_ID | PATH, looked up under runs_root
    baseline_any: bool = False
    runs_root: Path = Path(".slocheck/runs")
    notes: tuple[str, ...] = ()  # said next to the verdict, e.g. a --from without a timezone read as UTC


@dataclass(frozen=True)
class WindowResult:
    evaluation: Evaluation
    document: dict[str, Any]
    exit_code: int
    interrupted: bool
    warnings: tuple[str, ...] = ()  # e.g. rate() over counter series born inside the window


def evaluate_window(
    request: WindowRequest, settings: Settings, *, clock: Clock, factory: SourcesFactory = build_sources
) -> WindowResult:
    """Measure every objective over the request's window and judge it. An interrupt keeps what was measured,
    flags the result `interrupted` and exits 130."""
    # Baselines read stored client histograms (slocheck.load): imported only when asked for, so a plain
    # `evaluate` never imports Locust after requests (see __main__).
    from slocheck.app.runs import baseline_record, choose_baseline, load_baseline
    from slocheck.core.baseline import block_seconds

    specs = load_specs(request.files, request.variables)
    chosen = None
    if request.baseline is not None:  # no load, so no scenario or profile to match: the SLO sets must
        chosen = choose_baseline(request.baseline, request.runs_root, scenario=None, profile=None,
                                 slo_sets=[s.name for s in specs.sets], any_run=request.baseline_any)  # fmt: skip
    sources = factory(settings, specs.objectives)
    try:
        width = block_seconds(request.window.seconds)
        baseline = load_baseline(chosen, specs.objectives, width) if chosen is not None else None
        samples = (lambda: _samples(specs.objectives, request.window, sources)) if chosen is not None else None
        judged = measure_and_evaluate(specs.objectives, request.window, sources, baseline=baseline, samples=samples)
    finally:
        sources.close()
    evaluation = replace(judged.evaluation, notes=(*request.notes, *judged.evaluation.notes))
    code = (
        EXIT_INTERRUPTED if judged.interrupted else exit_code_for(evaluation.verdict, fail_on_warn=request.fail_on_warn)
    )
    run = {"interrupted": True} if judged.interrupted else None
    record = baseline_record(chosen) if chosen is not None else None
    document = result_document(evaluation, exit_code=code, generated_at=clock(), run=run, baseline=record)
    return WindowResult(evaluation, document, code, judged.interrupted, judged.warnings)


def _samples(objectives: Sequence[Objective], window: Window, sources: Sources) -> dict[str, Samples]:
    """The judge's observations of this window: each metric objective's series at the history step."""
    if not any(o.compare is not None for o in objectives):
        return {}
    from slocheck.app.history import record_history, samples_from
    from slocheck.core.baseline import block_seconds

    history = record_history(objectives, window, sources.prometheus, sources.loki, None, "evaluate")
    return samples_from(objectives, history, block_seconds(window.seconds))


def validate_online(
    files: Sequence[Path],
    variables: dict[str, str],
    settings: Settings,
    now: datetime,
    factory: SourcesFactory = build_sources,
) -> tuple[LoadedSpecs, list[str]]:
    """The SLO files, with every query checked against its backend; returns the warnings found on the way."""
    specs = load_specs(files, variables)
    sources, warnings = open_checked_sources(settings, specs.objectives, now, factory)
    try:
        if sources.prometheus is not None:
            warnings += recently_born_warnings(specs.objectives, now, sources.prometheus)
    finally:
        sources.close()
    return specs, warnings
