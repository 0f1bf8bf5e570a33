"""Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`, rendered from the result document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ICONS = {"PASS": "✅", "WARN": "⚠️", "FAIL": "❌", "NO_DATA": "❔", "ERROR": "🛑", "INCONCLUSIVE": "❔"}


def _cell(text: object) -> str:
    """Table cells cannot hold pipes or newlines."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _objective_row(objective: Mapping[str, Any]) -> str:
    name = objective["key"] + ("" if objective["blocking"] else " *(non-blocking)*")
    cells = [
        ICONS.get(objective["outcome"], ""),
        f"`{_cell(name)}`",
        _cell(objective.get("value_display") or "—"),
        _cell(objective["pass"]),
        _cell(objective.get("warn") or "—"),
        f"**{objective['outcome']}**",
        _cell(objective["reason"]),
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(document: Mapping[str, Any]) -> str:
    verdict = document["verdict"]
    window = document["window"]
    summary = ", ".join(f"{n} {o}" for o, n in document["summary"].items() if n)
    lines = [
        f"## {ICONS.get(verdict, '')} slocheck verdict: **{verdict}** (exit {document['exit_code']})",
        "",
        f"Window `{window['start']}` → `{window['end']}` ({window['seconds']:g} s) · {summary}",
    ]
    baseline = document.get("baseline")
    if baseline:
        lines.append(f"Baseline: run `{baseline['id']}` ({baseline.get('verdict')}), {baseline['why']}")
    run = document.get("run")
    if run:
        lines.append(f"Run `{run.get('id')}` · profile `{run.get('profile')}` · host `{run.get('host')}`")
        if run.get("interrupted"):
            lines.append("**Interrupted**: the window is partial.")
    lines += [
        "",
        "| | objective | value | pass | warn | outcome | evidence |",
        "|---|---|---:|---|---|---|---|",
        *(_objective_row(o) for o in document["objectives"]),
        "",
    ]
    return "\n".join(lines)
