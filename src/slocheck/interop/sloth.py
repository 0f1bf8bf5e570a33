"""Sloth `prometheus/v1` service specs (and the `PrometheusServiceLevel` Kubernetes form) → slocheck SLO sets.

A Sloth SLI is an error ratio over `{{.window}}`; slocheck judges the same ratio over the run window
(`$__range`), and the objective (e.g. 99.9) becomes the pass bar on it (`<= 0.1%`). Alerting (burn-rate
alerts over rolling windows) does not apply to a gate that judges one run; plugin SLIs cannot be read.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from slocheck.interop.common import (
    Conversion,
    Document,
    Note,
    decimal,
    items,
    mapping,
    objective,
    percent,
    slo_set,
    slug,
    text_labels,
    unique,
    zero_when_absent,
)

WINDOW_RE = re.compile(r"\{\{\s*\.window\s*\}\}")
_OTHER_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}")


def run_window_query(query: str) -> str | None:
    """`{{.window}}` → `$__range`; None when another Go template is left (it cannot be filled in)."""
    replaced = WINDOW_RE.sub("$__range", query.strip())
    return None if _OTHER_TEMPLATE_RE.search(replaced) else replaced


def is_sloth(document: object) -> bool:
    data = mapping(document)
    return data.get("version") == "prometheus/v1" or data.get("kind") == "PrometheusServiceLevel"


def convert_sloth(documents: list[object], source: str, taken: set[str] | None = None) -> Conversion:
    """Every Sloth service spec in `documents` (the YAML documents of file `source`)."""
    result = Conversion()
    taken = set() if taken is None else taken
    for index, document in enumerate(documents):
        where = f"document {index + 1}"
        if not is_sloth(document):
            hint = (
                "; use `slocheck import openslo`"
                if str(mapping(document).get("apiVersion", "")).startswith("openslo/")
                else ""
            )
            result.notes.append(Note(source, where, f'not a Sloth spec (needs version: "prometheus/v1"){hint}'))
            continue
        data = mapping(document)
        spec = mapping(data["spec"]) if data.get("kind") == "PrometheusServiceLevel" else data
        result.extend(_service(spec, source, where, taken))
    return result


def _service(spec: dict[str, Any], source: str, where: str, taken: set[str]) -> Conversion:
    result = Conversion()
    service = str(spec.get("service") or "")
    if not service:
        result.notes.append(Note(source, f"{where}: service", "is missing; Sloth needs the service name"))
        return result
    objectives: list[Document] = []
    names: set[str] = set()
    for index, slo in enumerate(items(spec.get("slos"))):
        path = f"{where}: slos[{index}]"
        converted, notes = _slo(mapping(slo), path, source, names)
        result.notes.extend(notes)
        if converted is not None:
            objectives.append(converted)
    if objectives:
        name = unique(slug(service), taken)
        labels = text_labels(spec.get("labels"))
        description = f"Imported from Sloth spec {source} (service {service})."
        result.documents.append(slo_set(name, service, description, labels, objectives))
    elif not result.notes:
        result.notes.append(Note(source, f"{where}: slos", "has no SLOs"))
    return result


def _slo(slo: dict[str, Any], path: str, source: str, names: set[str]) -> tuple[Document | None, list[Note]]:
    notes: list[Note] = []
    label = f"{path} ({slo.get('name', '?')})"
    target = decimal(slo.get("objective"))
    if target is None or not Decimal(0) < target <= Decimal(100):
        return None, [Note(source, f"{label}.objective", "must be a number in (0, 100], e.g. 99.9")]
    query, query_notes = _error_ratio(mapping(slo.get("sli")), f"{label}.sli", source)
    notes.extend(query_notes)
    if query is None:
        return None, notes
    if slo.get("alerting"):
        message = "burn-rate alerts over rolling windows; a gate judges the run window once"
        notes.append(Note(source, f"{label}.alerting", message, imported=True))
    allowed = (Decimal(100) - target) / Decimal(100)
    name = unique(slug(str(slo.get("name") or "slo")), names)
    description = str(slo.get("description") or "")
    return objective(name, query, f"<= {percent(allowed)}", description), notes


def _error_ratio(sli: dict[str, Any], path: str, source: str) -> tuple[str | None, list[Note]]:
    """The error ratio query over the run window, or None and why."""
    if "plugin" in sli:
        plugin = mapping(sli["plugin"]).get("id", "?")
        message = f"plugin SLI {plugin} is Go code Sloth runs; write its queries as sli.events or sli.raw"
        return None, [Note(source, f"{path}.plugin", message)]
    if "raw" in sli:
        raw = mapping(sli["raw"]).get("error_ratio_query")
        query = run_window_query(raw) if isinstance(raw, str) else None
        if query is None:
            return None, [Note(source, f"{path}.raw.error_ratio_query", "is missing or uses templates besides .window")]
        return query, []
    events = mapping(sli.get("events"))
    error = events.get("error_query")
    total = events.get("total_query")
    error_q = run_window_query(error) if isinstance(error, str) else None
    total_q = run_window_query(total) if isinstance(total, str) else None
    if error_q is None or total_q is None:
        where = "error_query" if error_q is None else "total_query"
        message = "is missing or uses templates besides .window (needs sli.events, sli.raw or sli.plugin)"
        return None, [Note(source, f"{path}.events.{where}", message)]
    numerator, _ = zero_when_absent(error_q)
    return f"({numerator})\n/\n({total_q})", []
