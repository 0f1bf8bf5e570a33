"""`slocheck capacity` as one application call: load the SLO files, open the sources, annotate Grafana, step the
arrival rate (app/capacity.py judges each step), write result.json and report.html. The CLI only parses and prints."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from slocheck.app.capacity import CapacityPlan, CapacityResult, StepResult, capacity_plan_for, search_capacity
from slocheck.app.phases import load_specs, open_checked_sources
from slocheck.app.runstore import new_run_id
from slocheck.config.settings import Settings
from slocheck.grafana.annotator import RunAnnotator
from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile
from slocheck.load.runner import run_load
from slocheck.load.scenario import load_scenario
from slocheck.report.capacity_html import render_capacity_html

Say = Callable[[str], None]


@dataclass(frozen=True)
class CapacityRequest:
    files: Sequence[Path]
    variables: Mapping[str, str]
    scenario: Path
    host: str
    plan: CapacityPlan
    required: float | None
    out: Path
    settings: Settings
    workers: int = 0  # local worker processes for every step (0: the load runs in this process)


@dataclass(frozen=True)
class CapacityRun:
    result: CapacityResult
    run_dir: Path
    summary: str
    gate_held: bool


def run_capacity(request: CapacityRequest, say: Say, clock: Callable[[], datetime]) -> CapacityRun:
    """Search the capacity; every step is announced through `say` and marked on the Grafana annotation."""
    specs = load_specs(list(request.files), dict(request.variables))
    load_scenario(request.scenario)
    run_dir = request.out / f"capacity-{new_run_id(clock())}"
    run_dir.mkdir(parents=True, exist_ok=True)
    base = LoadPlan(scenario=request.scenario, profile=Profile("capacity", ()), host=request.host, out_dir=run_dir,
                    workers=request.workers)  # fmt: skip
    sources, _warnings = open_checked_sources(request.settings, specs.objectives, clock())
    annotator = RunAnnotator(request.settings.backends.grafana, warn=lambda m: say(f"warning: {m}"), clock=clock)
    annotator.start(run_dir.name, request.scenario.stem, "capacity", [s.name for s in specs.sets], request.host)

    def on_step(step: StepResult) -> None:
        line = f"step {step.rate:g}/s: {'held' if step.held else 'BROKE: ' + '; '.join(step.broken_by)}"
        say(line)
        annotator.point(step.outcome.start, line, "capacity-step")

    try:
        result = search_capacity(request.plan, specs.objectives, sources,
                                 lambda profile: run_load(capacity_plan_for(base, profile)), on_step)  # fmt: skip
        annotator.stop()
        found = result.highest_held.rate if result.highest_held else None
        gate_held = request.required is None or (found is not None and found >= request.required)
        summary = capacity_summary(result, request.plan.start)
        _write_evidence(run_dir, result.to_dict() | {"required": request.required})
        annotator.verdict("PASS" if gate_held else "FAIL", summary)
    finally:
        annotator.close()
        sources.close()
    return CapacityRun(result, run_dir, summary, gate_held)


def capacity_summary(result: CapacityResult, start: float) -> str:
    held, broken = result.highest_held, result.first_broken
    summary = f"capacity: {held.rate:g}/s" if held is not None else f"capacity: below {start:g}/s"
    if broken is not None:
        summary += f"; first broken at {broken.rate:g}/s by {'; '.join(broken.broken_by)}"
    return summary


def _write_evidence(run_dir: Path, document: dict[str, object]) -> None:
    (run_dir / "result.json").write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    (run_dir / "report.html").write_text(render_capacity_html(document), encoding="utf-8")
