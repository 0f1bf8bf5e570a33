"""The trend section: every objective's value over the last runs of the same scenario, profile and SLO sets
(from the run history), as a sparkline with the absolute pass/warn bars drawn and the baseline run marked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import UnitError, parse_quantity
from slocheck.report.html_fmt import badge, esc, fmt, kind_of, note, section, table
from slocheck.report.svg_small import sparkline

_CONDITION_RE = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")


def absolute_bars(bar: str | None) -> list[float]:
    """The thresholds of a bar's absolute conditions; relative ones (`<= +10%`) have no fixed level."""
    found = []
    for condition in (bar or "").split(" and "):
        match = _CONDITION_RE.match(condition)
        if not match or match.group(2).startswith(("+", "-")):
            continue
        try:
            found.append(parse_quantity(match.group(2))[0])
        except UnitError:
            continue
    return found


def trend_section(document: Mapping[str, Any], trend: Sequence[Mapping[str, Any]]) -> str:
    """`trend`: oldest → newest, the last one this run; each {"id", "started_at", "verdict", "values"}."""
    lead = "Each objective over the last runs of the same scenario, profile and SLO sets; dashed: the absolute bars."
    if len(trend) < 2:
        body = note("No earlier run of the same scenario, profile and SLO sets in the run history yet.")
        return section("trend", "Trend", body, lead)
    baseline_id = (document.get("baseline") or {}).get("id")
    marked = next((i for i, run in enumerate(trend) if run.get("id") == baseline_id), None)
    labels = [f"{run.get('id')} {run.get('verdict')}" for run in trend]
    rows = []
    for objective in document.get("objectives") or []:
        key, kind = objective.get("key"), kind_of(objective.get("unit"))
        values = [(run.get("values") or {}).get(key) for run in trend]
        bars = absolute_bars(objective.get("pass")) + absolute_bars(objective.get("warn"))
        spark = sparkline(values, kind, bars=bars, marked=marked, labels=labels)
        rows.append([esc(key), spark, fmt(values[marked] if marked is not None else None, kind),
                     f"{fmt(values[-1], kind)} {badge(objective.get('outcome'))}"])  # fmt: skip
    runs = ", ".join(f"{run.get('id')} ({run.get('verdict')})" for run in trend)
    marker = f" The ringed point is the baseline run {baseline_id}." if marked is not None else ""
    body = table(["objective", f"last {len(trend)} runs", "baseline", "this run"], rows, numeric_from=2)
    return section("trend", "Trend", body + note(f"Runs, oldest first: {runs}.{marker}"), lead)
