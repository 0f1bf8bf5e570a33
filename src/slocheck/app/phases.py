"""The phases every command shares: read the SLO files, open and check the backends, measure and evaluate a window.

`run` (pipeline.py), `evaluate` (evaluate_window.py) and `validate --online` all go through these functions, so
there is one place that decides how a window is measured and judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from slocheck.app.backends import all_objectives, build_sources, check_queries
from slocheck.app.measure import UNDERCOUNT, MeasurementInterrupted, Sources, measure_all
from slocheck.config.settings import Settings
from slocheck.core.baseline import Baseline, Samples
from slocheck.core.evaluate import evaluate
from slocheck.core.model import Evaluation, Measurement, Objective, SLOSet, Window
from slocheck.core.spec.loader import load_slo_files

SourcesFactory = Callable[[Settings, Sequence[Objective]], Sources]


@dataclass(frozen=True)
class LoadedSpecs:
    sets: list[SLOSet]
    objectives: list[Objective]


def load_specs(files: Sequence[Path], variables: dict[str, str]) -> LoadedSpecs:
    """Every SLO file validated (all problems at once, exit 2), and the objectives in file order."""
    sets = load_slo_files(list(files), variables)
    return LoadedSpecs(sets, all_objectives(sets))


def open_checked_sources(
    settings: Settings,
    objectives: Sequence[Objective],
    now: datetime,
    factory: SourcesFactory = build_sources,
) -> tuple[Sources, list[str]]:
    """Backends for these objectives with every query checked online; the warnings do not stop anything.
    The sources are closed again when a check fails."""
    sources = factory(settings, objectives)
    try:
        return sources, check_queries(sources, objectives, now)
    except BaseException:
        sources.close()
        raise


@dataclass(frozen=True)
class Judged:
    measurements: dict[str, Measurement]
    evaluation: Evaluation
    interrupted: bool
    warnings: tuple[str, ...] = ()


def measure_and_evaluate(
    objectives: Sequence[Objective],
    window: Window,
    sources: Sources,
    *,
    baseline: Baseline | None = None,
    samples: Callable[[], Mapping[str, Samples]] | None = None,
    behind: Mapping[str, str] | None = None,
) -> Judged:
    """Measure every objective over exactly `window` and evaluate (relative bars and the judge against
    `baseline`, on the `samples` read once the verdict's own queries are done). An interrupt keeps what arrived:
    the rest becomes ERROR (never a pass), the judge gets no samples, and the result says so. `behind` maps a
    backend that had not caught up with the window end when the settle bound expired to why: its objectives
    say so."""
    interrupted = False
    try:
        measurements = measure_all(objectives, window, sources)
    except MeasurementInterrupted as stop:
        measurements, interrupted = stop.done, True
    read: Mapping[str, Samples] | None = None
    try:
        read = samples() if samples is not None and not interrupted else None
    except KeyboardInterrupt:
        interrupted = True
    warnings = [f"{key}: {m.details[UNDERCOUNT]}" for key, m in measurements.items() if m.details.get(UNDERCOUNT)]
    for key, measured in list(measurements.items()):
        note = (behind or {}).get(measured.backend)
        if note:
            measurements[key] = replace(measured, details={**measured.details, "settle_warning": note})
            warnings.append(f"{key}: measured before {measured.backend} caught up with the window end ({note})")
    evaluation = evaluate(list(objectives), measurements, window, baseline=baseline, samples=read)
    evaluation = _say_behind(evaluation) if behind else evaluation
    return Judged(measurements, evaluation, interrupted, tuple(warnings))


def _say_behind(evaluation: Evaluation) -> Evaluation:
    """The reason of an objective measured before its backend caught up with the window end says so."""
    results = tuple(
        replace(r, reason="; ".join(filter(None, (r.reason, f"measured before {r.measurement.backend} caught up "
                                                               "with the window end"))))
        if r.measurement.details.get("settle_warning") else r
        for r in evaluation.results
    )  # fmt: skip
    return replace(evaluation, results=results)
