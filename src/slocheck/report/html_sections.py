"""Report sections from the result document: verdict and run facts, objectives with their evidence, and the
comparison with a baseline run."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import Kind, format_value
from slocheck.report.html_fmt import (
    NO_DATA,
    badge,
    esc,
    fmt,
    kind_of,
    labels_html,
    number,
    query_html,
    section,
    table,
    text_or_nodata,
)
from slocheck.report.settle import settle_text

LATENCY_UNRELIABLE = (
    "the load generator's CPU was saturated during this run, so client-side latencies include its own queueing"
)


def _fact(label: str, value_html: str) -> str:
    return f"<div><dt>{esc(label)}</dt><dd>{value_html}</dd></div>"


def _window_text(window: Mapping[str, Any]) -> str:
    seconds = number(window.get("seconds"))
    length = f" ({format_value(seconds, Kind.DURATION)})" if seconds is not None else ""
    return f"{esc(window.get('start'))} → {esc(window.get('end'))}{esc(length)}"


def _users(load: Mapping[str, Any]) -> str:
    requested, achieved = load.get("requested_users"), load.get("achieved_users")
    if requested is None and achieved is None:
        return NO_DATA
    return f"{text_or_nodata(achieved)} of {text_or_nodata(requested)} requested"


def _versions(run: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    versions = dict(run.get("versions") or {})
    tool = document.get("tool") or {}
    versions.setdefault("slocheck", tool.get("version"))
    return ", ".join(f"{esc(k)} {esc(v)}" for k, v in versions.items() if v) or NO_DATA


def run_facts(document: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    load = run.get("load") or {}
    cpu = load.get("generator_cpu") or {}
    cpu_text = NO_DATA
    if number(cpu.get("peak_percent")) is not None:
        cpu_text = esc(f"peak {cpu['peak_percent']:.0f} %, average {number(cpu.get('avg_percent')) or 0:.0f} %")
    slo_files = ", ".join(str(f.get("source")) for f in run.get("slo_files") or [] if isinstance(f, Mapping))
    facts = [
        _fact("Run", text_or_nodata(run.get("id"))),
        _fact("Window", _window_text(document.get("window") or {})),
        _fact("Scenario", text_or_nodata(run.get("scenario"))),
        _fact("Profile", text_or_nodata(run.get("profile") or load.get("profile"))),
        _fact("Target host", text_or_nodata(run.get("host") or load.get("host"))),
        _fact("Users", _users(load)),
        _fact("Workers", text_or_nodata(run.get("workers", load.get("workers")))),
        _fact("Interrupted", "yes" if run.get("interrupted") else ("no" if run else NO_DATA)),
        _fact("Settle wait", text_or_nodata(settle_text(run.get("settle")))),
        _fact("Load generator CPU", cpu_text),
        _fact("SLO files", text_or_nodata(slo_files)),
        _fact("Generator host", text_or_nodata(run.get("host_name"))),
        _fact("Versions", _versions(run, document)),
    ]
    return f'<dl class="facts">{"".join(facts)}</dl>'


def _banners(run: Mapping[str, Any], unreliable_latency: bool) -> str:
    load = run.get("load") or {}
    lines = []
    if run.get("interrupted"):
        lines.append(("fail", "Interrupted: the load stopped early, every number covers a partial window."))
    if load.get("failed"):
        lines.append(("fail", f"The load failed: {load.get('failure') or 'see run.json'}"))
    if unreliable_latency:
        lines.append(("warn", f"Latency verdicts are unreliable: {LATENCY_UNRELIABLE}."))
    lines += [("warn", f"Load warning: {w}") for w in load.get("warnings") or []]
    settle = run.get("settle")
    if isinstance(settle, Mapping) and settle.get("expired"):
        lines.append(("warn", f"Settle warning: {settle.get('reason')}"))
    lines += [("info", f"Note: {n}") for n in load.get("notes") or []]
    return "".join(f'<p class="banner {cls}">{esc(text)}</p>' for cls, text in lines)


def headline(document: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    """What the report is headed with: the verdict, or INTERRUPTED — an interrupted gate exits 130 (it fails in
    CI) whatever its partial window's objectives say, so it is never headed PASS."""
    return "INTERRUPTED" if run.get("interrupted") else str(document.get("verdict", ""))


def verdict_section(
    document: Mapping[str, Any], run: Mapping[str, Any], unreliable_latency: bool, glance: str = ""
) -> str:
    """The verdict, warnings about the run, `glance` (headline numbers, HTML) and the run facts."""
    verdict, word = str(document.get("verdict", "")), headline(document, run)
    summary = document.get("summary") or {}
    chips = "".join(
        f'<span class="chip {badge_class}">{esc(n)} {esc(o)}</span>'
        for o, n in summary.items()
        if n
        for badge_class in [{"PASS": "pass", "WARN": "warn", "FAIL": "fail"}.get(o, "nodata-o")]
    )
    head = (
        f'<div class="verdict v-{esc(word.lower())}"><div class="verdict-word">{esc(word or "?")}</div>'
        f'<div class="verdict-meta">{esc(f"{verdict} over the partial window · " if word != verdict else "")}'
        f"exit code {esc(document.get('exit_code'))} · "
        f"{len(document.get('objectives') or [])} objectives {chips}</div></div>"
    )
    notes = "".join(f'<p class="banner warn">Warning: {esc(n)}</p>' for n in document.get("notes") or [])
    body = head + notes + _banners(run, unreliable_latency) + glance + run_facts(document, run)
    return section("verdict", "Verdict and run facts", body)


def _name_cell(objective: Mapping[str, Any]) -> str:
    tags = "" if objective.get("blocking", True) else ' <span class="tag">non-blocking</span>'
    description = objective.get("description")
    desc = f'<div class="muted small">{esc(description)}</div>' if description else ""
    return f'<a href="#obj-{esc(_anchor(objective))}">{esc(objective.get("key"))}</a>{tags}{desc}'


def _anchor(objective: Mapping[str, Any]) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in str(objective.get("key", "")))


def objectives_table(objectives: Sequence[Mapping[str, Any]], unreliable_latency: bool) -> str:
    rows = []
    for o in objectives:
        caveat = ' <span class="tag warn">latency unreliable</span>' if unreliable_latency and _latency(o) else ""
        rows.append([
            badge(o.get("outcome")),
            _name_cell(o),
            esc(o.get("backend", "")),
            fmt(o.get("value"), o.get("unit", "number")) if o.get("value") is not None else _display(o),
            esc(o.get("pass", "")),
            esc(o.get("warn") or "—"),
            esc(o.get("reason", "")) + caveat,
        ])  # fmt: skip
    return table(["", "objective", "backend", "value", "pass", "warn", "evidence"], rows, cls="objectives")


def _display(objective: Mapping[str, Any]) -> str:
    shown = objective.get("value_display")
    return esc(shown) if shown else NO_DATA


def _latency(objective: Mapping[str, Any]) -> bool:
    return objective.get("unit") == "duration" and objective.get("backend") == "locust"


def _series_rows(objective: Mapping[str, Any]) -> list[list[str]]:
    kind = kind_of(objective.get("unit"))
    rows = []
    for series in objective.get("series") or []:
        value = series.get("value")
        shown = (
            fmt(value, kind)
            if value is not None
            else f'{NO_DATA} <span class="muted">({esc(series.get("display", ""))})</span>'
        )
        if "baseline" in series:  # a relative bar: baseline value and change next to the value
            change = series.get("change_display") or series.get("baseline_note") or "no baseline value"
            shown += f'<br><span class="muted small">{esc(change)}</span>'
        rows.append([labels_html(series.get("labels")), shown, badge(series.get("outcome"))])
    return rows


def _links(objective: Mapping[str, Any]) -> str:
    links = objective.get("links") or []
    items = [
        f'<li><a href="{esc(link["url"])}" rel="noopener noreferrer">{esc(link.get("label") or link["url"])}</a></li>'
        for link in links
        if isinstance(link, Mapping) and str(link.get("url", "")).startswith(("https://", "http://"))
    ]
    return f'<ul class="links">{"".join(items)}</ul>' if items else ""


def _inline_facts(items: Sequence[tuple[str, str]]) -> str:
    return '<p class="inline-facts">' + "".join(f"<span><b>{esc(k)}</b> {v}</span>" for k, v in items) + "</p>"


def evidence_card(objective: Mapping[str, Any]) -> str:
    details = objective.get("details") or {}
    facts = [
        ("backend", esc(objective.get("backend", ""))),
        ("unit", esc(objective.get("unit", ""))),
        ("pass", esc(objective.get("pass", ""))),
        ("warn", esc(objective.get("warn") or "—")),
        ("counts as", badge(objective.get("counts_as"))),
        ("on no data", esc(objective.get("on_no_data", ""))),
        ("sample size", text_or_nodata(objective.get("sample_size"))),
        ("source", text_or_nodata(objective.get("source"))),
        *((k.replace("_", " "), esc(v)) for k, v in details.items()),
    ]
    series = table(["series labels", "value", "outcome"], _series_rows(objective), cls="series")
    query = query_html(str(objective.get("query"))) if objective.get("query") else f"<p>query: {NO_DATA}</p>"
    left = f"<div>{query}{_inline_facts(facts)}{_links(objective)}</div>"
    return (
        f'<article class="evidence" id="obj-{esc(_anchor(objective))}">'
        f"<h3>{badge(objective.get('outcome'))} {esc(objective.get('key'))}"
        f'<span class="reason">{esc(objective.get("reason", ""))}</span></h3>'
        f'<div class="evidence-body">{left}{series}</div></article>'
    )


def objectives_section(document: Mapping[str, Any], unreliable_latency: bool) -> str:
    objectives = document.get("objectives") or []
    cards = "".join(evidence_card(o) for o in objectives)
    window = f'<p class="muted">Every objective was measured over {_window_text(document.get("window") or {})}.</p>'
    body = objectives_table(objectives, unreliable_latency) + f'<h3 class="spaced">Evidence</h3>{window}{cards}'
    lead = "Every objective, its value over the run window, its bars and the evidence the verdict rests on."
    return section("objectives", "Objectives", body, lead)


# Baseline comparison


def _direction(bar: str) -> int:
    """+1 when a larger value is better (`>` bars), -1 when smaller is better, 0 when unknown."""
    text = bar.strip()
    if text.startswith(">"):
        return 1
    if text.startswith("<"):
        return -1
    return 0


def delta_html(before: float | None, after: float | None, kind: Kind, better: int) -> str:
    if before is None or after is None:
        return NO_DATA
    change = after - before
    relative = f" ({change / before:+.1%})" if before != 0 else ""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    text = f"{sign}{format_value(abs(change), kind)}{relative}"
    verdict = "same" if change == 0 or better == 0 else ("better" if change * better > 0 else "worse")
    return f'<span class="delta {verdict}">{esc(text)}</span>'


def _objective_rows(current: Sequence[Mapping[str, Any]], baseline: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    before = {o.get("key"): o for o in baseline}
    rows = []
    for o in current:
        kind = kind_of(o.get("unit"))
        old = before.get(o.get("key")) or {}
        old_value, new_value = number(old.get("value")), number(o.get("value"))
        rows.append([
            esc(o.get("key")),
            esc(o.get("pass", "")),
            f"{fmt(old_value, kind)} {badge(old.get('outcome')) if old else ''}",
            f"{fmt(new_value, kind)} {badge(o.get('outcome'))}",
            delta_html(old_value, new_value, kind, _direction(str(o.get("pass", "")))),
        ])  # fmt: skip
    return rows


CLIENT_COMPARED = (
    ("requests/s", "rps", Kind.RATE, 1),
    ("p50", "p50", Kind.DURATION, -1),
    ("p95", "p95", Kind.DURATION, -1),
    ("p99", "p99", Kind.DURATION, -1),
    ("failure ratio", "fail_ratio", Kind.RATIO, -1),
)


def _client_rows(current: Mapping[str, Any] | None, baseline: Mapping[str, Any] | None) -> list[list[str]]:
    new = (current or {}).get("aggregated") or {}
    old = (baseline or {}).get("aggregated") or {}
    rows = []
    for label, key, kind, better in CLIENT_COMPARED:
        old_value, new_value = number(old.get(key)), number(new.get(key))
        rows.append([esc(f"client {label} (all requests)"), "—", fmt(old_value, kind), fmt(new_value, kind),
                     delta_html(old_value, new_value, kind, better)])  # fmt: skip
    return rows


def baseline_section(
    document: Mapping[str, Any],
    baseline: Mapping[str, Any] | None,
    client: Mapping[str, Any] | None,
    baseline_client: Mapping[str, Any] | None,
) -> str:
    if baseline is None:
        body = (
            '<p class="muted">No baseline run given: <code>slocheck report RUN_DIR --baseline OTHER_RUN_DIR</code>.</p>'
        )
        return section("baseline", "Baseline vs target vs actual", body)
    base_run = baseline.get("run") or {}
    lead = f"Baseline: run {base_run.get('id') or '(no run id)'}, window {(baseline.get('window') or {}).get('start')}."
    rows = _objective_rows(document.get("objectives") or [], baseline.get("objectives") or [])
    rows += _client_rows(client, baseline_client)
    headers = ["measure", "target (pass)", "baseline", "actual", "delta"]
    return section("baseline", "Baseline vs target vs actual", table(headers, rows, cls="baseline"), lead)


def is_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
