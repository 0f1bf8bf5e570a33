"""slocheck objectives → OpenSLO v1 SLOs (threshold SLIs on a Prometheus DataSource).

A slocheck objective is one value judged against a bar; in OpenSLO that is a `thresholdMetric` whose
objective is `op value` with a budget `target` (which slocheck does not have, so the caller chooses it).
`$__range` in a query becomes the given rate window; objectives on other backends, with several
conditions in one bar, or using `$__start`/`$__end`/`$__interval` do not map and are reported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from slocheck.core.model import Objective, PrometheusIndicator, SLOSet
from slocheck.interop.common import Conversion, Note, slug

DATASOURCE = "prometheus"
_OPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_RANGE_RE = re.compile(r"\$\{?__range\}?(?!_)")
_OTHER_BUILTIN_RE = re.compile(r"\$\{?__(range_s|interval|start|end)\b")


def export_openslo(sets: list[SLOSet], target: Decimal, rate_window: str) -> Conversion:
    """A Prometheus DataSource and one OpenSLO SLO per objective that maps."""
    result = Conversion()
    for slo_set in sets:
        for objective in slo_set.objectives:
            document, note = _objective(objective, target, rate_window)
            if note is not None:
                result.notes.append(note)
            elif document is not None:
                result.documents.append(document)
    if result.documents:
        source = {
            "apiVersion": "openslo/v1",
            "kind": "DataSource",
            "metadata": {"name": DATASOURCE},
            "spec": {"type": "Prometheus", "connectionDetails": {}},
        }
        result.documents.insert(0, source)
    return result


def _objective(objective: Objective, target: Decimal, rate_window: str) -> tuple[dict[str, Any] | None, Note | None]:
    where = f"{objective.slo_set}/{objective.name}"

    def refuse(message: str) -> tuple[None, Note]:
        return None, Note(objective.source, where, message)

    indicator = objective.indicator
    if not isinstance(indicator, PrometheusIndicator):
        return refuse(f"a {indicator.backend} indicator; OpenSLO export covers Prometheus objectives")
    if indicator.range is not None or indicator.reduce is not None:
        return refuse("range/reduce have no OpenSLO equivalent")
    if len(objective.pass_bar.conditions) != 1 or objective.pass_bar.conditions[0].op not in _OPS:
        return refuse("the pass bar must be one condition with <, <=, > or >=")
    if _OTHER_BUILTIN_RE.search(indicator.query):
        return refuse("the query uses $__start, $__end, $__interval or $__range_s, which only a run window defines")
    condition = objective.pass_bar.conditions[0]
    query = _RANGE_RE.sub(rate_window, indicator.query)
    spec: dict[str, Any] = {
        "description": objective.description[:1050] if objective.description else f"Exported from {where}",
        "service": objective.service,
        "indicator": {
            "metadata": {"name": slug(f"{objective.slo_set}-{objective.name}")},
            "spec": {
                "thresholdMetric": {
                    "metricSource": {"metricSourceRef": DATASOURCE, "type": "Prometheus", "spec": {"query": query}}
                }
            },
        },
        "budgetingMethod": "Occurrences",
        "objectives": [
            {
                "displayName": condition.text,
                "op": _OPS[condition.op],
                "value": condition.threshold,
                "target": float(target),
            }
        ],
    }
    metadata = {"name": slug(f"{objective.slo_set}-{objective.name}"), "displayName": objective.name}
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": metadata, "spec": spec}, None


def _threshold(text: str, op: str, value: float, target: Decimal) -> dict[str, Any]:
    return {"displayName": text, "op": op, "value": value, "target": float(target)}
