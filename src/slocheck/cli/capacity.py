"""`slocheck capacity`: step the arrival rate up until a blocking objective breaks; `--require` makes it a gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from slocheck.cli import options

if TYPE_CHECKING:
    from slocheck.app.capacity import CapacityResult
from slocheck.cli.app import app
from slocheck.cli.options import (
    BackendFlags,
    ConfigOption,
    DebugOption,
    GrafanaUrlOption,
    PromUrlOption,
    SloFiles,
    VarOption,
    settings_from,
    stderr_console,
    stdout_console,
)
from slocheck.core.errors import LoadError
from slocheck.core.timeparse import parse_positive_duration

DEFAULT_ROOT = Path("runs")
EXIT_HELD, EXIT_BELOW = 0, 1


def _rate(text: str, option: str) -> float:
    from slocheck.load.profiles import check_rate

    try:
        return check_rate(text)
    except ValueError as exc:
        raise LoadError(f"{option}: {exc}") from None


@app.command()
def capacity(
    files: SloFiles,
    scenario: Annotated[Path, typer.Option("--scenario", help="A Locust file; one task = one iteration.")],
    host: Annotated[str, typer.Option("--host", help="Base URL of the system under test.")],
    start: Annotated[str, typer.Option("--start", help="First arrival rate (50/s).")],
    max_rate: Annotated[str, typer.Option("--max", help="Highest arrival rate tried (2000/s).")],
    step: Annotated[str, typer.Option("--step", help="Growth per step: a factor (1.5x) or a rate (50/s).")] = "1.5x",
    hold: Annotated[str, typer.Option("--hold", help="How long each step runs (1m).")] = "1m",
    bisect: Annotated[bool, typer.Option("--bisect", help="Bisect between the last good and first bad step.")] = False,
    require: Annotated[
        str | None, typer.Option("--require", help="Gate: exit 0 when the capacity found is at least this rate.")
    ] = None,
    settle: Annotated[str | None, typer.Option("--settle", help="Wait between steps (default 0 s).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Root of the run directories.")] = DEFAULT_ROOT,
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    grafana_url: GrafanaUrlOption = None,
    debug: DebugOption = False,
) -> int:
    """Find the highest arrival rate at which every blocking objective holds (each step judged on its own window)."""
    from slocheck.app.capacity import CapacityPlan, StepResult, StepSize, capacity_plan_for, search_capacity
    from slocheck.app.phases import load_specs, open_checked_sources
    from slocheck.app.runstore import new_run_id
    from slocheck.grafana.annotator import RunAnnotator
    from slocheck.load.plan import LoadPlan
    from slocheck.load.profiles import Profile
    from slocheck.load.runner import run_load  # first: Locust (gevent) must patch before requests is imported
    from slocheck.load.scenario import load_scenario
    from slocheck.report.capacity_html import render_capacity_html

    settings = settings_from(config, BackendFlags(prometheus_url, None, None, None, grafana_url, None, False))
    specs = load_specs(list(files), dict(v.split("=", 1) for v in var))
    load_scenario(scenario)
    plan = CapacityPlan(
        _rate(start, "--start"),
        _rate(max_rate, "--max"),
        StepSize.parse(step),
        parse_positive_duration(hold, "--hold"),
        3 if bisect else 0,
        parse_positive_duration(settle, "--settle") if settle else 0.0,
    )
    required = _rate(require, "--require") if require else None
    run_dir = out / f"capacity-{new_run_id(options.clock())}"
    run_dir.mkdir(parents=True, exist_ok=True)
    base = LoadPlan(scenario=scenario, profile=Profile("capacity", ()), host=host, out_dir=run_dir)
    sources, _warnings = open_checked_sources(settings, specs.objectives, options.clock())
    console = stderr_console()
    annotator = RunAnnotator(
        settings.backends.grafana, warn=lambda m: console.print(f"warning: {m}"), clock=options.clock
    )
    annotator.start(run_dir.name, scenario.stem, "capacity", [s.name for s in specs.sets], host)

    def on_step(step: StepResult) -> None:
        line = f"step {step.rate:g}/s: {'held' if step.held else 'BROKE: ' + '; '.join(step.broken_by)}"
        console.print(line, markup=False)
        annotator.point(step.outcome.start, line, "capacity-step")

    try:
        result = search_capacity(
            plan, specs.objectives, sources, lambda profile: run_load(capacity_plan_for(base, profile)), on_step
        )
        annotator.stop()
        document = result.to_dict() | {"required": required}
        (run_dir / "result.json").write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        (run_dir / "report.html").write_text(render_capacity_html(document), encoding="utf-8")
        _table(result)
        found = result.highest_held.rate if result.highest_held else None
        summary = _summary(result, plan.start)
        console.print(summary, markup=False)
        console.print(f"wrote {run_dir / 'result.json'} and {run_dir / 'report.html'}", markup=False)
        gate_held = required is None or (found is not None and found >= required)
        annotator.verdict("PASS" if gate_held else "FAIL", summary)
    finally:
        annotator.close()
        sources.close()
    return EXIT_HELD if gate_held else EXIT_BELOW


def _summary(result: CapacityResult, start: float) -> str:
    held, broken = result.highest_held, result.first_broken
    summary = f"capacity: {held.rate:g}/s" if held is not None else f"capacity: below {start:g}/s"
    if broken is not None:
        summary += f"; first broken at {broken.rate:g}/s by {'; '.join(broken.broken_by)}"
    return summary


def _table(result: CapacityResult) -> None:
    headers = ("rate", "achieved", "dropped", "p95 (all requests)", "p99 from schedule", "fail", "verdict", "broken by")
    table = Table(*headers)
    for step in result.steps:
        agg = step.outcome.stats.to_dict()["aggregated"]
        arrivals = step.outcome.stats.to_dict().get("arrivals") or {}
        table.add_row(
            f"{step.rate:g}/s",
            f"{arrivals.get('achieved_rate') or 0:.1f}/s",
            str(arrivals.get("dropped", "")),
            _ms(agg.get("p95")),
            _ms(agg.get("scheduled_p99")),
            f"{(agg.get('fail_ratio') or 0) * 100:.1f} %",
            "held" if step.held else "BROKE",
            "; ".join(step.broken_by),
        )
    stdout_console().print(table)


def _ms(value: object) -> str:
    return f"{float(value) * 1000:.0f} ms" if isinstance(value, int | float) else "—"
