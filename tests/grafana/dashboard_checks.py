"""Checks a dashboard must pass before it reaches Grafana: the JSON schema of tests/grafana/dashboard.schema.json,
unique panel ids, no overlapping panels, and every `$variable` a query uses defined (or one of Grafana's own)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "dashboard.schema.json").read_text(encoding="utf-8"))
GRAFANA_VARIABLES = {
    "__rate_interval",
    "__interval",
    "__interval_ms",
    "__range",
    "__range_s",
    "__range_ms",
    "__from",
    "__to",
    "__auto",
    "__all",
}
_VARIABLE_RE = re.compile(r"\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def variables_used(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in _VARIABLE_RE.finditer(text)}


def problems(dashboard: dict[str, Any]) -> list[str]:
    found = [
        f"schema: {e.json_path}: {e.message}" for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(dashboard)
    ]
    if found:
        return found
    panels = dashboard["panels"]
    ids = [p["id"] for p in panels]
    if len(ids) != len(set(ids)):
        found.append(f"panel ids repeat: {ids}")
    cells: dict[tuple[int, int], str] = {}
    for panel in panels:
        grid = panel["gridPos"]
        if grid["x"] + grid["w"] > 24:
            found.append(f"panel {panel['title']!r} is wider than the dashboard")
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                if (x, y) in cells:
                    found.append(f"panel {panel['title']!r} overlaps {cells[(x, y)]!r}")
                    break
                cells[(x, y)] = panel["title"]
            else:
                continue
            break
    defined = {v["name"] for v in dashboard["templating"]["list"]} | GRAFANA_VARIABLES
    texts = [json.dumps(p.get("targets", [])) + json.dumps(p.get("datasource", {})) for p in panels]
    texts += [json.dumps(v.get("query", "")) for v in dashboard["templating"]["list"]]
    texts += [json.dumps(a.get("target", {})) for a in dashboard["annotations"]["list"]]
    for text in texts:
        for name in sorted(variables_used(text) - defined):
            found.append(f"${name} is used but not defined")
    return found
