"""Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`, rendered from the result document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slocheck.report.settle import settle_text

ICONS = {"PASS": "✅", "WARN": "⚠️", "FAIL": "❌", "NO_DATA": "❔", "ERROR": "🛑", "INCONCLUSIVE": "❔"}


# `<` opening a tag or comment (`<script>`, `</a>`, `<!--`), and the characters that make links or code spans.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_MARKUP = re.compile(r"([\\\[\]])")


def _cell(text: object) -> str:
    """Table cells cannot hold pipes or newlines."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _text(text: object) -> str:
    """Text from a backend or a run (error bodies, reasons, warnings) shown as text: no HTML tag, autolink or link
    of its own survives (`<script>` → `&lt;script>`, `[x](javascript:…)` → `\\[x\\](javascript:…)`)."""
    escaped = _MARKUP.sub(r"\\\1", str(text).replace("&", "&amp;"))
    return _cell(_TAG_START.sub("&lt;", escaped))


def _objective_row(objective: Mapping[str, Any]) -> str:
    name = objective["key"] + ("" if objective["blocking"] else " *(non-blocking)*")
    cells = [
        ICONS.get(objective["outcome"], ""),
        f"`{_cell(name)}`",
        _cell(objective.get("value_display") or "—"),
        _cell(objective["pass"]),
        _cell(objective.get("warn") or "—"),
        f"**{objective['outcome']}**",
        _text(objective["reason"]),
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(document: Mapping[str, Any]) -> str:
    verdict = document["verdict"]
    window = document["window"]
    summary = ", ".join(f"{n} {o}" for o, n in document["summary"].items() if n)
    heading = f"## {ICONS.get(verdict, '')} slocheck verdict: **{verdict}** (exit {document['exit_code']})"
    if (document.get("run") or {}).get("interrupted"):  # exit 130 fails the gate: never headed with a PASS tick
        heading = (
            f"## ⏹️ slocheck verdict: **INTERRUPTED** (exit {document['exit_code']}), {verdict} over the partial window"
        )
    lines = [
        heading,
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
        load = run.get("load") or {}
        if load.get("failed"):
            lines.append(f"**The load failed**: {_text(load.get('failure') or 'see run.json')}")
        lines += [f"**Load warning**: {_text(w)}" for w in load.get("warnings") or []]
        settle = run.get("settle") or {}
        if settle.get("expired"):
            lines.append(f"**Settle warning**: {_text(settle.get('reason'))}")
        elif settled := settle_text(settle):
            lines.append(f"Settle wait: {_text(settled)}")
    lines += [f"**Warning**: {_text(n)}" for n in document.get("notes") or []]
    lines += [
        "",
        "| | objective | value | pass | warn | outcome | evidence |",
        "|---|---|---:|---|---|---|---|",
        *(_objective_row(o) for o in document["objectives"]),
        "",
    ]
    return "\n".join(lines)
