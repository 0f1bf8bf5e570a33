"""The console table and verdict line (Rich; plain text when piped or NO_COLOR is set)."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from slocheck.core.evaluate import change_text
from slocheck.core.model import Evaluation, ObjectiveResult, Outcome, SeriesResult, Verdict, describe_labels

OUTCOME_STYLE = {
    Outcome.PASS: "bold green",
    Outcome.WARN: "bold yellow",
    Outcome.FAIL: "bold red",
    Outcome.NO_DATA: "bold magenta",
    Outcome.ERROR: "bold red",
}
VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.WARN: "bold yellow",
    Verdict.FAIL: "bold red",
    Verdict.INCONCLUSIVE: "bold magenta",
}
MAX_SERIES_SHOWN = 5


def _value_cell(result: ObjectiveResult) -> str:
    if not result.series:
        return "—"
    worst = next((s for s in result.series if s.outcome is result.outcome), result.series[0])
    return result.objective.format(worst.value)


def _shown(result: ObjectiveResult, series: SeriesResult) -> str:
    """The value, and for a relative bar the baseline value and the change."""
    objective = result.objective
    if not objective.relative:
        return objective.format(series.value)
    if series.baseline is not None and math.isfinite(series.baseline) and math.isfinite(series.value):
        return change_text(objective, series.value, series.baseline)
    return f"{objective.format(series.value)} (baseline: {series.note or 'none'})"


def _detail_cell(result: ObjectiveResult) -> Text:
    text = Text(result.reason)
    if len(result.series) > 1 or (result.series and result.series[0].labels):
        for series in result.series[:MAX_SERIES_SHOWN]:
            shown = _shown(result, series)
            text.append(f"\n{describe_labels(dict(series.labels), skip=('__name__',))} = {shown} ")
            text.append(series.outcome.value, style=OUTCOME_STYLE[series.outcome])
        hidden = len(result.series) - MAX_SERIES_SHOWN
        if hidden > 0:
            text.append(f"\n… {hidden} more series (see --json)")
    return text


def evaluation_table(evaluation: Evaluation) -> Table:
    table = Table(title=None, show_lines=False, expand=False)
    table.add_column("objective", overflow="fold")
    table.add_column("value", justify="right")
    table.add_column("pass")
    table.add_column("warn")
    table.add_column("outcome")
    table.add_column("evidence", overflow="fold")
    for result in evaluation.results:
        objective = result.objective
        name = objective.key + ("" if objective.blocking else " (non-blocking)")
        table.add_row(
            name,
            _value_cell(result),
            str(objective.pass_bar),
            str(objective.warn_bar) if objective.warn_bar else "—",
            Text(result.outcome.value, style=OUTCOME_STYLE[result.outcome]),
            _detail_cell(result),
        )
    return table


def verdict_line(evaluation: Evaluation) -> Text:
    counts = ", ".join(f"{n} {o.value}" for o, n in evaluation.counts().items() if n)
    window = evaluation.window
    line = Text("verdict: ")
    line.append(evaluation.verdict.value, style=VERDICT_STYLE[evaluation.verdict])
    span = f"{window.start:%Y-%m-%d %H:%M:%S} → {window.end:%H:%M:%S} UTC, {window.seconds:g} s"
    line.append(f"  ({len(evaluation.results)} objectives: {counts}; window {span})")
    return line


def print_evaluation(console: Console, evaluation: Evaluation) -> None:
    console.print(evaluation_table(evaluation))
    console.print(verdict_line(evaluation))
    for note in evaluation.notes:
        console.print(f"warning: {note}", markup=False)
