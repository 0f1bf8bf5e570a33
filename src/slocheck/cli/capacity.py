"""`slocheck capacity`: step the arrival rate up until a blocking objective breaks; `--require` makes it a gate."""

from __future__ import annotations

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
    workers: Annotated[
        str, typer.Option("--workers", help="Local worker processes for each step: N or auto (0 = in-process).")
    ] = "0",
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    grafana_url: GrafanaUrlOption = None,
    debug: DebugOption = False,
) -> int:
    """Find the highest arrival rate at which every blocking objective holds (each step judged on its own window)."""
    import slocheck.load.runner  # noqa: F401 - first: Locust (gevent) must patch before requests is imported
    from slocheck.app.capacity import CapacityPlan, StepSize
    from slocheck.app.capacity_run import CapacityRequest, run_capacity
    from slocheck.cli.load import parse_workers

    plan = CapacityPlan(
        _rate(start, "--start"),
        _rate(max_rate, "--max"),
        StepSize.parse(step),
        parse_positive_duration(hold, "--hold"),
        3 if bisect else 0,
        parse_positive_duration(settle, "--settle") if settle else 0.0,
    )
    settings = settings_from(config, BackendFlags(prometheus_url, None, None, None, grafana_url, None, False))
    request = CapacityRequest(files, dict(v.split("=", 1) for v in var), scenario, host, plan,
                              _rate(require, "--require") if require else None, out, settings,
                              parse_workers(workers))  # fmt: skip
    console = stderr_console()
    found = run_capacity(request, lambda line: console.print(line, markup=False), options.clock)
    _table(found.result)
    console.print(found.summary, markup=False)
    console.print(f"wrote {found.run_dir / 'result.json'} and {found.run_dir / 'report.html'}", markup=False)
    return EXIT_HELD if found.gate_held else EXIT_BELOW


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
