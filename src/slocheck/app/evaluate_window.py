"""`slocheck evaluate` and `slocheck validate --online`: the shared phases over a given window, without load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from slocheck.app.backends import build_sources
from slocheck.app.phases import LoadedSpecs, SourcesFactory, load_specs, measure_and_evaluate, open_checked_sources
from slocheck.config.settings import Settings
from slocheck.core.errors import EXIT_INTERRUPTED
from slocheck.core.evaluate import exit_code_for
from slocheck.core.model import Evaluation, Window
from slocheck.report.json_report import result_document

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class WindowRequest:
    files: Sequence[Path]
    variables: dict[str, str]
    window: Window
    fail_on_warn: bool = False


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
    specs = load_specs(request.files, request.variables)
    sources = factory(settings, specs.objectives)
    try:
        judged = measure_and_evaluate(specs.objectives, request.window, sources)
    finally:
        sources.close()
    evaluation = judged.evaluation
    code = (
        EXIT_INTERRUPTED if judged.interrupted else exit_code_for(evaluation.verdict, fail_on_warn=request.fail_on_warn)
    )
    run = {"interrupted": True} if judged.interrupted else None
    document = result_document(evaluation, exit_code=code, generated_at=clock(), run=run)
    return WindowResult(evaluation, document, code, judged.interrupted, judged.warnings)


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
    sources.close()
    return specs, warnings
