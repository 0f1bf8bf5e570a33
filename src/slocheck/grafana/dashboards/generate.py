"""A Grafana dashboard from SLO files: one time-series panel per Prometheus (or Loki) objective. Pure.

Each panel plots the objective's query per interval (see `queries.py`), with the pass/warn bars as thresholds
in the objective's unit. The dashboard has a `datasource` variable, the run annotations (tag `slocheck`, and
one run's own through the `run` variable), and links to the other slocheck dashboards.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.counters import counter_promql
from slocheck.core.errors import ConfigError
from slocheck.core.model import CounterSpec, Objective, SLOSet
from slocheck.core.units import Kind
from slocheck.grafana.dashboards.queries import per_interval_query, sums_over_window
from slocheck.grafana.dashboards.thresholds import grafana_unit, threshold_steps

SCHEMA_VERSION = 39
PANEL_HEIGHT, PANEL_WIDTH, PANELS_PER_ROW = 8, 12, 2
DATASOURCE_VARIABLES = {"prometheus": "datasource", "loki": "loki_datasource"}
GRAFANA_DATASOURCE = {"type": "grafana", "uid": "-- Grafana --"}
MAX_UID = 40


def _plotted(objective: Objective) -> tuple[str, str, Mapping[str, str]] | None:
    """(backend, query template, variables) when Grafana can plot the indicator, else None (Locust, Jaeger)."""
    indicator = objective.indicator
    backend = str(getattr(indicator, "backend", ""))
    if backend not in DATASOURCE_VARIABLES:
        return None
    template = getattr(indicator, "template", "") or getattr(indicator, "query", "")
    counter = getattr(indicator, "counter", None)
    if isinstance(counter, CounterSpec):  # charted with its PromQL counterpart; the gate itself counts exactly
        template = counter_promql(counter.form, counter.selector, counter.total, counter.by, "$__range")
    variables = getattr(indicator, "variables", {}) or {}
    return (backend, str(template), dict(variables)) if template else None


def dashboard_uid(sets: Sequence[SLOSet]) -> str:
    """`slocheck-<set names>`, shortened with a hash to Grafana's 40 characters; stable for the same sets."""
    names = "-".join(sorted(s.name for s in sets))
    uid = re.sub(r"[^A-Za-z0-9_-]+", "-", f"slocheck-{names}").strip("-")
    if len(uid) <= MAX_UID:
        return uid
    digest = hashlib.sha1(uid.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{uid[: MAX_UID - 9].rstrip('-')}-{digest}"


def _description(objective: Objective, thresholds_apply: bool) -> str:
    bars = f"pass {objective.pass_bar}" + (f", warn {objective.warn_bar}" if objective.warn_bar else "")
    lines = [f"{objective.key} ({objective.source}): {bars} over the run window."]
    if objective.description:
        lines.append(objective.description)
    if not thresholds_apply:
        lines.append("Plotted per interval; the bar applies to the total over the whole run, so it is not drawn.")
    if not objective.blocking:
        lines.append("Non-blocking: reported, never changes the verdict.")
    return "\n".join(lines)


def objective_panel(objective: Objective, panel_id: int, grid: Mapping[str, int]) -> dict[str, Any] | None:
    plotted = _plotted(objective)
    if plotted is None:
        return None
    backend, template, variables = plotted
    language = "promql" if backend == "prometheus" else "logql"
    datasource = {"type": backend, "uid": f"${{{DATASOURCE_VARIABLES[backend]}}}"}
    thresholds_apply = objective.kind is not Kind.NUMBER or not sums_over_window(template)
    steps = (
        threshold_steps(objective.pass_bar, objective.warn_bar)
        if thresholds_apply
        else [{"color": "green", "value": None}]
    )
    target: dict[str, Any] = {
        "refId": "A",
        "datasource": datasource,
        "expr": per_interval_query(template, variables, language=language),
        "legendFormat": "__auto",
        "range": True,
        "instant": False,
        "editorMode": "code",
    }
    if backend == "loki":
        target["queryType"] = "range"
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": objective.name,
        "description": _description(objective, thresholds_apply),
        "datasource": datasource,
        "gridPos": dict(grid),
        "fieldConfig": {
            "defaults": {
                "unit": grafana_unit(objective.kind),
                "color": {"mode": "palette-classic"},
                "thresholds": {"mode": "absolute", "steps": steps},
                "custom": {
                    "drawStyle": "line",
                    "lineWidth": 1,
                    "fillOpacity": 10,
                    "showPoints": "never",
                    "spanNulls": False,
                    "thresholdsStyle": {"mode": "dashed" if thresholds_apply else "off"},
                },
            },
            "overrides": [],
        },
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []},
            "tooltip": {"mode": "multi", "sort": "none"},
        },
        "targets": [target],
    }


def _datasource_variable(backend: str) -> dict[str, Any]:
    return {
        "type": "datasource",
        "name": DATASOURCE_VARIABLES[backend],
        "label": backend.capitalize(),
        "query": backend,
        "current": {},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def _run_variable() -> dict[str, Any]:
    return {
        "type": "textbox",
        "name": "run",
        "label": "slocheck run id",
        "description": "Highlights one run's annotations (tag run:<id>)",
        "query": "",
        "current": {"text": "", "value": ""},
        "hide": 0,
        "options": [],
    }


def _annotations() -> list[dict[str, Any]]:
    return [
        {
            "builtIn": 1,
            "datasource": GRAFANA_DATASOURCE,
            "enable": True,
            "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        },
        {
            "datasource": GRAFANA_DATASOURCE,
            "enable": True,
            "hide": False,
            "iconColor": "orange",
            "name": "slocheck runs",
            "target": {"type": "tags", "tags": ["slocheck"], "limit": 100, "matchAny": False},
        },
        {
            "datasource": GRAFANA_DATASOURCE,
            "enable": True,
            "hide": False,
            "iconColor": "purple",
            "name": "this run ($run)",
            "target": {"type": "tags", "tags": ["run:${run}"], "limit": 100, "matchAny": False},
        },
    ]


def _links() -> list[dict[str, Any]]:
    return [
        {
            "title": "slocheck dashboards",
            "type": "dashboards",
            "tags": ["slocheck"],
            "asDropdown": True,
            "includeVars": True,
            "keepTime": True,
            "targetBlank": False,
            "icon": "external link",
            "tooltip": "",
            "url": "",
        }
    ]


def generate_dashboard(sets: Sequence[SLOSet], *, title: str | None = None, uid: str | None = None) -> dict[str, Any]:
    """The dashboard JSON (a bare dashboard, as `dashboards provision` and Grafana's import accept)."""
    panels: list[dict[str, Any]] = []
    backends: set[str] = set()
    y = 0
    for slo_set in sets:
        plottable = [o for o in slo_set.objectives if _plotted(o) is not None]
        if not plottable:
            continue
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": f"{slo_set.name} ({slo_set.service})" if slo_set.service else slo_set.name,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        for index, objective in enumerate(plottable):
            grid = {
                "h": PANEL_HEIGHT,
                "w": PANEL_WIDTH,
                "x": (index % PANELS_PER_ROW) * PANEL_WIDTH,
                "y": y + (index // PANELS_PER_ROW) * PANEL_HEIGHT,
            }
            panel = objective_panel(objective, len(panels) + 1, grid)
            assert panel is not None
            backends.add(panel["datasource"]["type"])
            panels.append(panel)
        y += -(-len(plottable) // PANELS_PER_ROW) * PANEL_HEIGHT
    if not backends:
        raise ConfigError(
            "none of the objectives query Prometheus or Loki, so there is nothing Grafana could plot "
            "(Locust and Jaeger objectives live in the run report)"
        )
    names = ", ".join(s.name for s in sets)
    sources = ", ".join(sorted({s.source for s in sets}))
    variables = [_datasource_variable(b) for b in ("prometheus", "loki") if b in backends] + [_run_variable()]
    return {
        "uid": uid or dashboard_uid(sets),
        "title": title or f"SLOs: {names}",
        "description": f"Generated by `slocheck dashboards generate` from {sources}.",
        "tags": ["slocheck", "slo"],
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "timezone": "browser",
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": variables},
        "annotations": {"list": _annotations()},
        "links": _links(),
        "panels": panels,
    }
