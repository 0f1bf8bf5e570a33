"""Renderers of the `slocheck compare` document: console lines, Markdown and a self-contained HTML page."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import Kind, format_value
from slocheck.report.charts import Line, line_chart
from slocheck.report.html_fmt import badge, charts, esc, fmt, kind_of, note, section, table
from slocheck.report.markdown import ICONS
from slocheck.report.svg_small import cdf_chart

Doc = Mapping[str, Any]
CLIENT_COLUMNS = (("requests", Kind.NUMBER), ("rps", Kind.RATE), ("p50", Kind.DURATION), ("p95", Kind.DURATION),
                  ("p99", Kind.DURATION), ("fail_ratio", Kind.RATIO))  # fmt: skip


def judge_text(row: Mapping[str, Any]) -> str:
    judged = row.get("judge")
    if not judged:
        return "—"
    used = f"; judged on {judged['direction']}, alpha {judged['alpha']:g}, min_effect {judged['min_effect'] * 100:g} %"
    return ("WORSE: " if judged["worse"] else "") + str(judged["text"]) + used


def settings_text(doc: Doc) -> str:
    """How the judge was set: each objective's own `compare:` settings unless the command overrode them."""
    settings = doc["settings"]
    parts = [f"alpha {settings['alpha']:g} for every objective"] if settings.get("alpha") is not None else []
    if settings.get("min_effect") is not None:
        parts.append(f"min_effect {settings['min_effect'] * 100:g} % for every objective")
    given = ", ".join(parts) or "each objective's own alpha and min_effect (default 0.05 and 5 %)"
    return (
        f"Mann-Whitney, one-sided in the bad direction, {given}; client latency in blocks of "
        f"{settings.get('block_seconds', 0):g} s (one median per block)"
    )


def headline(doc: Doc) -> str:
    worse = doc["significantly_worse"]
    a, b = doc["a"]["id"], doc["b"]["id"]
    if worse:
        return f"B ({b}) is significantly worse than A ({a}) on {len(worse)} blocking objective(s): {', '.join(worse)}"
    return f"B ({b}) is not significantly worse than A ({a}) on any blocking objective"


def render_compare_markdown(doc: Doc) -> str:
    a, b = doc["a"], doc["b"]
    lines = [
        f"## slocheck compare: {'❌' if doc['exit_code'] else '✅'} {headline(doc)}",
        "",
        f"A `{a['id']}` ({a['verdict']}) · B `{b['id']}` ({b['verdict']}) · {settings_text(doc)}",
        "",
        "| objective | A | B | change | judge |",
        "|---|---:|---:|---:|---|",
    ]
    for row in doc["objectives"]:
        cells = [f"`{row['key']}`" + ("" if row["blocking"] else " *(non-blocking)*"),
                 f"{row['a']['display']} {ICONS.get(str(row['a']['outcome']), '')}",
                 f"{row['b']['display']} {ICONS.get(str(row['b']['outcome']), '')}", row["change_display"],
                 judge_text(row)]  # fmt: skip
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    lines += ["", "| endpoint | " + " | ".join(f"A {c} | B {c}" for c, _ in CLIENT_COLUMNS) + " |",
              "|---|" + "---:|" * (2 * len(CLIENT_COLUMNS))]  # fmt: skip
    for row in doc["client"]:
        values = [_plain(row[side].get(c), kind) for c, kind in CLIENT_COLUMNS for side in ("a", "b")]
        lines.append(f"| {(row['method'] + ' ' + row['name']).strip()} | " + " | ".join(values) + " |")
    return "\n".join([*lines, ""])


def _plain(value: Any, kind: Kind) -> str:
    return format_value(float(value), kind) if isinstance(value, int | float) else "—"


def render_compare_json(doc: Doc) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _objective_rows(doc: Doc) -> list[list[str]]:
    rows = []
    for row in doc["objectives"]:
        judged = row.get("judge")
        verdict = badge("FAIL") if judged and judged["worse"] else ""
        rows.append([esc(row["key"]) + ("" if row["blocking"] else ' <span class="muted">(non-blocking)</span>'),
                     esc(row.get("pass") or ""), f"{esc(row['a']['display'])} {badge(row['a']['outcome'])}",
                     f"{esc(row['b']['display'])} {badge(row['b']['outcome'])}", esc(row["change_display"]),
                     f"{verdict} {esc(judge_text(row))}"])  # fmt: skip
    return rows


def _client_rows(doc: Doc) -> list[list[str]]:
    return [
        [esc((row["method"] + " " + row["name"]).strip())]
        + [f"{fmt(row['a'].get(c), kind)} → {fmt(row['b'].get(c), kind)}" for c, kind in CLIENT_COLUMNS]
        for row in doc["client"]
    ]


def _series_charts(doc: Doc) -> list[str]:
    units = {row["key"]: kind_of(row["unit"]) for row in doc["objectives"]}
    figures = []
    for key, runs in doc["series"].items():
        lines = [
            Line(f"{side.upper()} {_labels(s['labels'])}", [(float(t), v) for t, v in s["points"]])
            for side in ("a", "b")
            for s in runs[side]
        ]
        figures.append(line_chart(key, lines, units.get(key, Kind.NUMBER), origin=0.0, note="time since load start"))
    return figures


def _labels(labels: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else ""


def render_compare_html(doc: Doc, stylesheet: str) -> str:
    a, b = doc["a"], doc["b"]
    cdfs = [
        cdf_chart(f"{(c['method'] + ' ' + c['name']).strip()} latency CDF", [(f"A {a['id']}", c["a"]),
                  (f"B {b['id']}", c["b"])])
        for c in doc["cdf"]
    ]  # fmt: skip
    sections: Sequence[str] = [
        section("objectives", "Objectives", table(["objective", "pass", "A", "B", "change", "judge"],
                _objective_rows(doc)), f"A is the earlier run, B the later one; the judge: {settings_text(doc)}."),
        section("client", "Client, per endpoint (A → B)", table(["endpoint", *(c for c, _ in CLIENT_COLUMNS)],
                _client_rows(doc), numeric_from=1)),
        section("cdf", "Latency distributions", charts(cdfs) or note("No stored client histograms.")),
        section("series", "Server series, aligned at load start", charts(_series_charts(doc))
                or note("No stored objective series (history.json).")),
    ]  # fmt: skip
    verdict = "fail" if doc["exit_code"] else "pass"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>slocheck compare {esc(a['id'])} → {esc(b['id'])}</title><style>{stylesheet}</style></head><body>"
        f'<header class="top v-{verdict}"><div><h1>Compare {esc(a["id"])} → {esc(b["id"])}</h1>'
        f'<p class="sub">{esc(headline(doc))}</p></div></header><main>{"".join(sections)}</main></body></html>\n'
    )
