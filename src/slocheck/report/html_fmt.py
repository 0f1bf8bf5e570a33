"""Small HTML building blocks for the report: every piece of text goes through `esc` exactly once.

Cells and blocks are HTML strings; helpers that take plain text escape it, helpers that take HTML say so.
A missing number renders as "no data", never as 0.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from slocheck.core.units import Kind, format_value

NO_DATA = '<span class="nodata">no data</span>'
OUTCOME_CLASS = {
    "PASS": "pass",
    "WARN": "warn",
    "FAIL": "fail",
    "NO_DATA": "nodata-o",
    "ERROR": "error",
    "INCONCLUSIVE": "inconclusive",
}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def kind_of(unit: object) -> Kind:
    try:
        return Kind(str(unit))
    except ValueError:
        return Kind.NUMBER


def number(value: Any) -> float | None:
    """A finite float, or None for null/NaN/Inf/non-numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def fmt(value: Any, kind: Kind | str = Kind.NUMBER) -> str:
    """A value in base units for a person, escaped; "no data" when there is none."""
    found = number(value)
    if found is None:
        return NO_DATA
    return esc(format_value(found, kind if isinstance(kind, Kind) else kind_of(kind)))


def count(value: Any) -> str:
    found = number(value)
    return NO_DATA if found is None else esc(f"{found:,.0f}")


def percent(value: Any) -> str:
    found = number(value)
    return NO_DATA if found is None else esc(format_value(found, Kind.RATIO))


def text_or_nodata(value: Any) -> str:
    return NO_DATA if value is None or value == "" else esc(value)


def labels_html(labels: Mapping[str, Any] | None) -> str:
    if not labels:
        return '<code class="labels">{}</code>'
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f'<code class="labels">{{{esc(inner)}}}</code>'


def badge(outcome: object) -> str:
    text = str(outcome or "")
    return f'<span class="badge {OUTCOME_CLASS.get(text, "nodata-o")}">{esc(text or "?")}</span>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric_from: int = 99,
    cls: str = "",
    empty: str = NO_DATA,
) -> str:
    """Headers are plain text; cells and `empty` (shown when there is no row) are HTML. Columns from
    `numeric_from` on are right-aligned."""
    head = "".join(f"<th{' class=num' if i >= numeric_from else ''}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i >= numeric_from else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    if not body:
        body = f'<tr><td colspan="{len(headers)}">{empty}</td></tr>'
    table_html = f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f'<div class="table-wrap">{table_html}</div>'


def kpi(label: str, value_html: str, sub: str = "") -> str:
    """A headline number: `label` and `sub` are plain text, `value_html` is HTML."""
    note = f'<div class="kpi-sub">{esc(sub)}</div>' if sub else ""
    value = f'<div class="kpi-value">{value_html}</div>'
    return f'<div class="kpi"><div class="kpi-label">{esc(label)}</div>{value}{note}</div>'


def kpis(items: Iterable[str]) -> str:
    return f'<div class="kpis">{"".join(items)}</div>'


def section(id: str, title: str, body: str, lead: str = "") -> str:
    intro = f'<p class="lead">{esc(lead)}</p>' if lead else ""
    return f'<section id="{esc(id)}"><h2>{esc(title)}</h2>{intro}{body}</section>'


def subsection(title: str, body: str, note: str = "") -> str:
    extra = f'<p class="muted small">{esc(note)}</p>' if note else ""
    return f'<div class="sub"><h3>{esc(title)}</h3>{extra}{body}</div>'


def note(text: str, cls: str = "muted") -> str:
    return f'<p class="{esc(cls)}">{esc(text)}</p>'


def charts(figures: Iterable[str]) -> str:
    items = [f for f in figures if f]
    return f'<div class="charts">{"".join(items)}</div>' if items else ""


def query_html(query: str) -> str:
    return f'<pre class="query"><code>{esc(query)}</code></pre>'


def series_summary(points: Sequence[tuple[float, float]]) -> dict[str, float | None]:
    """first, peak, last, mean and min of a series' finite points (None when there are none)."""
    if not points:
        return {"first": None, "peak": None, "last": None, "mean": None, "min": None}
    values = [v for _, v in points]
    return {
        "first": values[0],
        "peak": max(values),
        "last": values[-1],
        "mean": statistics.fmean(values),
        "min": min(values),
    }
