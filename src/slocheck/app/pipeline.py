"""`slocheck run`: preflight → load → settle → measure → evaluate → report, one phase at a time.

The only module that knows the order of things. Each phase records itself in run.json before it starts,
so an interrupted or crashed run leaves a directory that says how far it got.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from slocheck.app.abort import AbortWatch, abort_cadence, abort_objectives, aborted_evaluation
from slocheck.app.backends import build_sources
from slocheck.app.context import (
    CONTEXT_FILE,
    collect_context,
    context_step,
    job_of,
    objective_range_queries,
    render_context,
)
from slocheck.app.files import ensure_writable_dir
from slocheck.app.history import (
    HISTORY_FILE,
    HistoryInterrupted,
    record_history,
    render_history,
    samples_from,
)
from slocheck.app.measure import Sources
from slocheck.app.phases import SourcesFactory, load_specs, measure_and_evaluate, open_checked_sources
from slocheck.app.report_inputs import load_report_inputs
from slocheck.app.runs import Chosen, baseline_record, choose_baseline, load_baseline, scenario_name
from slocheck.app.runstore import RunDirectory, new_run_id
from slocheck.app.settle import settle_after_load
from slocheck.config.guard import check_target
from slocheck.config.settings import Settings
from slocheck.core.baseline import Samples, block_seconds
from slocheck.core.errors import EXIT_INTERRUPTED, OutputError
from slocheck.core.evaluate import exit_code_for, judge_load
from slocheck.core.model import Evaluation, Objective, SLOSet, Window
from slocheck.grafana.annotator import RunAnnotator, verdict_summary
from slocheck.http.redact import display_url
from slocheck.load.plan import LoadOutcome, LoadPlan
from slocheck.load.profiles import Profile, load_profiles, resolve_profile
from slocheck.load.runner import run_load
from slocheck.load.scenario import load_scenario
from slocheck.load.shapes import StageChange
from slocheck.load.stats import client_measurement
from slocheck.load.trace_extra import require_tracing
from slocheck.report.html import render_html
from slocheck.report.json_report import render_json, result_document


@dataclass(frozen=True)
class LoadOverrides:
    users: int | None = None
    spawn_rate: float | None = None
    duration: float | None = None
    rate: str | None = None  # --rate 200/s: a constant arrival rate (open model) for the duration
    max_users: int | None = None


@dataclass(frozen=True)
class RunRequest:
    slo_files: tuple[Path, ...]
    scenario: Path
    profile: str
    profiles_file: Path | None
    host: str
    out_root: Path
    overrides: LoadOverrides = LoadOverrides()
    variables: dict[str, str] = field(default_factory=dict)
    workers: int = 0
    expect_workers: int = 0
    master_bind_host: str = "127.0.0.1"
    settle_seconds: float | None = None
    fail_on_warn: bool = False
    trace: bool = False
    trace_sample: float = 1.0
    require_grafana: bool = False
    allow_production: bool = False
    baseline: str | None = None  # last-pass | last | RUN_ID | PATH
    baseline_any: bool = False


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    evaluation: Evaluation
    exit_code: int
    interrupted: bool
    document: dict[str, object]
    output_failures: tuple[OutputError, ...] = ()  # evidence files of the run directory that could not be written


@dataclass
class Prepared:
    """Everything preflight checked, ready for load."""

    sets: list[SLOSet]
    objectives: list[Objective]
    profile: Profile
    sources: Sources
    warnings: list[str] = field(default_factory=list)  # preflight findings that do not stop the run
    baseline: Chosen | None = None


Clock = Callable[[], datetime]
Say = Callable[[str], None]


def _default_run_load() -> Callable[..., LoadOutcome]:
    return run_load


@dataclass(frozen=True)
class RunParts:
    """The run's collaborators, injected so the phase order can be tested without a backend, Locust or Grafana."""

    sources: SourcesFactory = build_sources
    run_load: Callable[..., LoadOutcome] = field(default_factory=_default_run_load)
    annotator: Callable[..., RunAnnotator] = RunAnnotator
    sleep: Callable[[float], None] = time.sleep


def preflight(
    request: RunRequest, settings: Settings, clock: Clock, factory: SourcesFactory = build_sources
) -> Prepared:
    """Everything that can be checked before a single request reaches the target."""
    require_tracing(request.trace)  # `--trace` without the slocheck[trace] extra: exit 2 before anything else
    check_target(request.host, settings.protected_hosts, allow_production=request.allow_production)
    specs = load_specs(request.slo_files, request.variables)
    load_scenario(request.scenario)
    overrides = request.overrides
    profile = resolve_profile(
        load_profiles(request.profiles_file),
        request.profile,
        users=overrides.users,
        spawn_rate=overrides.spawn_rate,
        duration=overrides.duration,
        rate=overrides.rate,
        max_users=overrides.max_users,
    )
    ensure_writable_dir(request.out_root, "output directory")
    chosen = _choose_baseline(request, profile, specs.sets)
    sources, warnings = open_checked_sources(settings, specs.objectives, clock(), factory)
    return Prepared(specs.sets, specs.objectives, profile, sources, warnings, chosen)


def _choose_baseline(request: RunRequest, profile: Profile, sets: list[SLOSet]) -> Chosen | None:
    """Before any load: a baseline that cannot be found or is not comparable stops the run (exit 2)."""
    if request.baseline is None:
        return None
    return choose_baseline(
        request.baseline,
        request.out_root,
        scenario=scenario_name(request.scenario),
        profile=profile.name,
        slo_sets=[s.name for s in sets],
        any_run=request.baseline_any,
    )


def execute_run(
    request: RunRequest,
    settings: Settings,
    *,
    say: Say,
    clock: Clock,
    on_progress: Callable[..., None] | None = None,
    on_stage: Callable[[StageChange], None] | None = None,
    parts: RunParts | None = None,
) -> RunResult:
    parts = parts or RunParts()
    annotator = parts.annotator(
        settings.backends.grafana, warn=lambda m: say(f"warning: {m}"), require=request.require_grafana, clock=clock
    )
    prepared = preflight(request, settings, clock, parts.sources)
    try:
        annotator.check()  # with --require-grafana: exit 3 here, before any load
        for warning in prepared.warnings:
            say(f"warning: {warning}")
        if prepared.baseline is not None:
            chosen = prepared.baseline
            say(f"baseline: run {chosen.summary.id} ({chosen.summary.verdict}), {chosen.why}")
        run_dir = _open_run_dir(request, prepared, clock)
        shown = display_url(request.host)  # used with its user:password, shown without it everywhere
        say(f"run {run_dir.run_id}: {prepared.profile.name} load on {shown}; artifacts in {run_dir.path}")
        annotation_id = annotator.start(
            run_dir.run_id, request.scenario.stem, prepared.profile.name, [s.name for s in prepared.sets], shown
        )
        run_dir.update(grafana_annotation_id=annotation_id)
        plan = _plan(request, prepared, run_dir, clock)
        # `jaeger: {run_traces: true}` keeps this run's traces: they exist only when the load is traced.
        prepared.sources.run_id = run_dir.run_id if plan.tracing else None
        outcome = parts.run_load(plan, on_progress=on_progress, on_stage=_stages(annotator, on_stage))
        if outcome.aborted:  # a point where the load was stopped, with why: the dashboard shows the moment
            annotator.point(outcome.end, outcome.aborted, "aborted")
        annotator.stop(outcome.end, start=outcome.start)  # the region is exactly the load window
        if outcome.aborted:
            say(outcome.aborted)
        _record_load(run_dir, outcome, say)
        settled, settle_report = settle_after_load(
            request.settle_seconds, prepared.sources, prepared.objectives, outcome.end, say, parts.sleep
        )
        if settle_report is not None:
            run_dir.update(settle=settle_report.to_dict())
        interrupted = outcome.interrupted or not settled
        run_dir.update(status="measure", interrupted=interrupted)
        behind = dict(settle_report.behind) if settle_report is not None else {}
        result = _measure_and_report(request, prepared, outcome, run_dir, interrupted, clock, say, behind)
        summary = verdict_summary(result.evaluation)
        annotator.verdict(result.evaluation.verdict, f"{outcome.aborted}; {summary}" if outcome.aborted else summary)
        return result
    finally:
        annotator.close()  # closes the region after Ctrl-C, SIGTERM or a crash; a no-op after stop()
        prepared.sources.close()


def _open_run_dir(request: RunRequest, prepared: Prepared, clock: Clock) -> RunDirectory:
    run_dir = RunDirectory(request.out_root, new_run_id(clock()))
    run_dir.create(list(request.slo_files))
    run_dir.update(
        status="load",
        scenario=str(request.scenario),
        profile=prepared.profile.name,
        host=display_url(request.host),
        workers=request.workers,
        started_at=clock().isoformat(),
        slo_sets=[s.name for s in prepared.sets],
    )
    return run_dir


def _stages(annotator: RunAnnotator, on_stage: Callable[[StageChange], None] | None) -> Callable[[StageChange], None]:
    """Each stage change of a multi-stage profile becomes a point annotation `stage:<n>`."""

    def stage(change: StageChange) -> None:
        annotator.stage(change)
        if on_stage is not None:
            on_stage(change)

    return stage


def _plan(request: RunRequest, prepared: Prepared, run_dir: RunDirectory, clock: Clock) -> LoadPlan:
    aborting = abort_objectives(prepared.objectives)
    return LoadPlan(
        scenario=request.scenario,
        profile=prepared.profile,
        abort_check=AbortWatch(aborting, prepared.sources, clock) if aborting else None,
        abort_every=abort_cadence(aborting),
        host=request.host,
        workers=request.workers,
        expect_workers=request.expect_workers,
        master_bind_host=request.master_bind_host,
        out_dir=run_dir.path,
        run_id=run_dir.run_id,
        trace=request.trace,
        trace_sample=request.trace_sample,
    )


def _record_load(run_dir: RunDirectory, outcome: LoadOutcome, say: Say) -> None:
    """The load's facts into run.json; its warnings (a worker that died, …) on the console too."""
    run_dir.update(status="settle", **_load_fields(outcome))
    for warning in outcome.warnings:
        say(f"warning: {warning}")


def _load_fields(outcome: LoadOutcome) -> dict[str, object]:
    """What run.json records about the load, as soon as it has ended."""
    return {
        "window_start": outcome.start.isoformat(),
        "window_end": outcome.end.isoformat(),
        "interrupted": outcome.interrupted,
        "load": {
            "profile": outcome.profile,
            "host": display_url(outcome.host) if outcome.host else outcome.host,
            "workers": outcome.workers,
            "requested_users": outcome.requested_users,
            "achieved_users": outcome.achieved_users,
            "failed": outcome.failed,
            "failure": outcome.failure,
            "warnings": list(outcome.warnings),
            "notes": list(outcome.notes),
            "stage_changes": [
                {"stage": c.index, "at": c.at.isoformat(), "users": c.users, "spawn_rate": c.spawn_rate}
                for c in outcome.stage_changes
            ],
            "generator_cpu": {"peak_percent": outcome.cpu.peak_percent, "avg_percent": outcome.cpu.avg_percent},
            "csv_prefix": str(outcome.csv_prefix) if outcome.csv_prefix else None,
        },
    }


def _measure_and_report(
    request: RunRequest,
    prepared: Prepared,
    outcome: LoadOutcome,
    run_dir: RunDirectory,
    interrupted: bool,
    clock: Clock,
    say: Say,
    behind: dict[str, str] | None = None,
) -> RunResult:
    window = Window(outcome.start, outcome.end)
    sources = prepared.sources
    sources.client_stats = lambda objective: client_measurement(outcome.stats, objective)

    def samples() -> Mapping[str, Samples]:
        """The run's history (written to the run directory) and the judge's samples from it."""
        try:
            history = record_history(prepared.objectives, window, sources.prometheus, sources.loki, outcome.stats,
                                     run_dir.run_id)  # fmt: skip
        except HistoryInterrupted as stop:
            run_dir.write_text(HISTORY_FILE, render_history(stop.history))  # what arrived, then stop at once
            raise
        run_dir.write_text(HISTORY_FILE, render_history(history))
        # Read back from the document, as the baseline's are: both runs' observations are built the same way.
        return samples_from(prepared.objectives, history, width)

    width = block_seconds(window.seconds)  # the judge's blocks, the same width in both runs
    chosen = prepared.baseline
    baseline = load_baseline(chosen, prepared.objectives, width) if chosen is not None else None
    judged = measure_and_evaluate(
        prepared.objectives, window, sources, baseline=baseline, samples=samples, behind=behind
    )
    for warning in judged.warnings:
        say(f"warning: {warning}")
    interrupted = interrupted or judged.interrupted  # what is missing becomes ERROR: never a pass
    evaluation = judge_load(judged.evaluation, outcome.stats.count, outcome.stats.total.failures)
    evaluation = aborted_evaluation(evaluation) if outcome.aborted else evaluation
    failures: list[OutputError] = []  # a full disk now must not hide the verdict: it is printed, then the failures

    def record(interrupted: bool) -> dict[str, Any]:
        code = EXIT_INTERRUPTED if interrupted else exit_code_for(evaluation.verdict, fail_on_warn=request.fail_on_warn)
        run_dir.record["interrupted"] = interrupted
        run_facts = {**run_dir.record, "status": "done"}
        document = result_document(evaluation, exit_code=code, generated_at=clock(), run=run_facts,
                                   baseline=baseline_record(chosen) if chosen is not None else None)  # fmt: skip
        document["client"] = outcome.stats.to_dict()
        if outcome.aborted:
            document["aborted"] = outcome.aborted
        _keep_going(failures, run_dir.save)
        _keep_going(failures, lambda: run_dir.write_text("result.json", render_json(document)))
        return document

    document = record(interrupted)
    try:
        if not judged.interrupted:  # Ctrl-C while measuring abandons every query, the report's too
            _keep_going(failures, lambda: write_context(request, prepared, window, document, run_dir))
        _keep_going(failures, lambda: run_dir.write_text("report.html", render_html(load_report_inputs(run_dir.path))))
    except KeyboardInterrupt:
        interrupted = True  # the verdict stands; the report extras are skipped and the run says it was cut short
        document = record(interrupted)
    code = int(document["exit_code"])
    run_dir.record.update(status="done", verdict=evaluation.verdict.value, exit_code=code)
    _keep_going(failures, run_dir.save)
    return RunResult(run_dir.path, evaluation, code, interrupted, document, tuple(failures))


def _keep_going(failures: list[OutputError], write: Callable[[], object]) -> None:
    """Run one evidence write; a file that cannot be written is recorded (the CLI names it) and the run goes on."""
    try:
        write()
    except OutputError as exc:
        if str(exc) not in {str(f) for f in failures}:
            failures.append(exc)
    except OSError as exc:  # e.g. report.html cannot be rendered because result.json could not be written
        failures.append(OutputError(f"cannot write the run's evidence: {exc.strerror or exc}"))


def write_context(
    request: RunRequest, prepared: Prepared, window: Window, document: dict[str, Any], run_dir: RunDirectory
) -> None:
    """Range series of the run (throughput, latency, resources, LLM) for the report, as Prometheus returned them."""
    backend = prepared.sources.prometheus
    if backend is None:
        return
    scrape = getattr(backend, "scrape_interval", lambda: None)()
    context = collect_context(
        backend,
        window,
        job=job_of(prepared.objectives, request.variables),
        step_seconds=context_step(window.seconds, scrape),
        scrape_interval_seconds=scrape,
        extra=objective_range_queries(document),
    )
    run_dir.write_text(CONTEXT_FILE, render_context(context))
