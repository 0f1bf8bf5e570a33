"""`slocheck runs list|show` and `slocheck compare A B`: the run history, read from run directories only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from slocheck.app.files import write_atomic
from slocheck.cli.app import app
from slocheck.cli.options import DebugOption, stderr_console, stdout_console
from slocheck.core.errors import ConfigError

runs_app = typer.Typer(help="The stored runs: list them, show one.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

DEFAULT_ROOT = Path(".slocheck/runs")
OutOption = Annotated[Path, typer.Option("--out", help="Root of the run directories.")]
KEY_VALUES = 3


def _key_values(document: Any) -> str:
    """The first few objectives' values, e.g. `api-p95-latency 180 ms`."""
    shown = [f"{o.get('name')} {o.get('value_display') or 'no data'}" for o in document.get("objectives", [])]
    return "; ".join(shown[:KEY_VALUES])


@runs_app.command("list")
def runs_list(out: OutOption = DEFAULT_ROOT, debug: DebugOption = False) -> int:
    """Every stored run, newest first: id, date, scenario, profile, SLO sets, verdict, a few values."""
    from slocheck.app.runs import list_runs

    runs = list_runs(out)
    if not runs:
        stderr_console().print(f"no runs under {out} (a run directory holds result.json)", markup=False)
        return 0
    table = Table()
    for column in ("id", "started", "scenario", "profile", "SLO sets", "verdict", "key values"):
        table.add_column(column, overflow="fold")
    for run in runs:
        table.add_row(run.id, run.started_at[:19].replace("T", " "), run.scenario or "—", run.profile or "—",
                      ", ".join(run.slo_sets), run.verdict, _key_values(run.document))  # fmt: skip
    stdout_console().print(table)
    return 0


def _run_path(run: str, out: Path) -> Path:
    path = Path(run) if Path(run).is_dir() else out / run
    if not path.is_dir():
        raise ConfigError(f"{run}: neither a run directory nor a run id under {out}; see slocheck runs list")
    return path


@runs_app.command("show")
def runs_show(
    run: Annotated[str, typer.Argument(help="A run id (under --out) or a run directory.")],
    out: OutOption = DEFAULT_ROOT,
    debug: DebugOption = False,
) -> int:
    """One run: its facts, its baseline, every objective's outcome and what its history holds."""
    from slocheck.app.history import read_history
    from slocheck.app.runs import summarize

    summary = summarize(_run_path(run, out))
    document = summary.document
    console = stdout_console()
    console.print(f"run {summary.id}  {summary.verdict}  (exit {document.get('exit_code')})", markup=False)
    sets = ", ".join(summary.slo_sets)
    console.print(f"path {summary.path}\nstarted {summary.started_at}", markup=False)
    console.print(
        f"scenario {summary.scenario or '—'}  profile {summary.profile or '—'}  SLO sets {sets}", markup=False
    )
    window = summary.window
    console.print(f"window {window.get('start')} → {window.get('end')} ({window.get('seconds')} s)", markup=False)
    baseline = document.get("baseline")
    if baseline:
        console.print(f"baseline {baseline['id']} ({baseline.get('verdict')}): {baseline['why']}", markup=False)
    table = Table()
    for column in ("objective", "value", "pass", "outcome", "reason"):
        table.add_column(column, overflow="fold")
    for o in document.get("objectives", []):
        table.add_row(o["key"], o.get("value_display") or "—", o["pass"], o["outcome"], o["reason"])
    console.print(table)
    history = read_history(summary.path)
    if history is None:
        console.print("history: none (a run from before history.json; it can be a baseline for bars only)")
    else:
        client = history.get("client") or {}
        intervals = client.get("intervals")
        timeline = f"{len(intervals)} client intervals, " if intervals is not None else "no client intervals, "
        console.print(f"history: {history['schema']}, {len(client.get('endpoints') or [])} endpoint histogram(s), "
                      f"{timeline if client else ''}{len(history.get('objectives') or {})} objective series at "
                      f"{history.get('series_step_seconds')} s", markup=False)  # fmt: skip
    return 0


@app.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="Run A (the earlier one): a run id or a run directory.")],
    run_b: Annotated[str, typer.Argument(help="Run B (the one judged): a run id or a run directory.")],
    out: OutOption = DEFAULT_ROOT,
    json_path: Annotated[
        str | None, typer.Option("--json", help="Write the comparison as JSON ('-' = stdout).")
    ] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown comparison here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML comparison (CDFs, series) here.")] = None,
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="Significance level for every objective (default: each one's own).")
    ] = None,
    min_effect: Annotated[
        str | None, typer.Option("--min-effect", help="Smallest change that counts, e.g. 5% (default: each one's own).")
    ] = None,
    debug: DebugOption = False,
) -> int:
    """Every objective of A and B side by side with the Mann-Whitney judge; exit 1 when B is significantly worse."""
    from slocheck.app.compare import CompareSettings, compare_runs
    from slocheck.app.runs import summarize
    from slocheck.core.units import Kind, UnitError, parse_quantity
    from slocheck.report.compare import render_compare_html, render_compare_json, render_compare_markdown
    from slocheck.report.html import stylesheet

    effect = None
    if min_effect is not None:
        try:
            effect, kind = parse_quantity(min_effect)
        except UnitError:
            kind = Kind.NUMBER
        if kind is not Kind.RATIO:
            raise ConfigError(f'--min-effect "{min_effect}" must be a percentage, e.g. 5%')
    if alpha is not None and not 0 < alpha < 1:
        raise ConfigError(f"--alpha {alpha:g} must be between 0 and 1, e.g. 0.05")
    document = compare_runs(summarize(_run_path(run_a, out)), summarize(_run_path(run_b, out)),
                            CompareSettings(alpha, effect))  # fmt: skip
    _print(document, json_path == "-")
    outputs = [(json_path, render_compare_json), (markdown, render_compare_markdown),
               (html, lambda d: render_compare_html(d, stylesheet()))]  # fmt: skip
    for target, render in outputs:
        if target is None:
            continue
        if str(target) == "-":
            sys.stdout.write(render(document))
            continue
        write_atomic(Path(target), render(document))
        stderr_console().print(f"wrote {target}", markup=False)
    return int(document["exit_code"])


def _print(document: Any, json_on_stdout: bool) -> None:
    from slocheck.report.compare import headline, judge_text

    console = stderr_console() if json_on_stdout else stdout_console()
    table = Table()
    for column in ("objective", "A", "B", "change", "judge"):
        table.add_column(column, overflow="fold")
    for row in document["objectives"]:
        table.add_row(row["key"], row["a"]["display"], row["b"]["display"], row["change_display"], judge_text(row))
    console.print(table)
    console.print(headline(document), markup=False)
