"""OpenSLO `v1` and `v1alpha` documents → slocheck SLO sets judging the same SLI over the run window.

Only Prometheus metric sources map (slocheck reads Prometheus; `type: Any`, Datadog, CloudWatch... cannot be
queried). Budgeting method `Occurrences` maps: a ratio SLI is judged against the target (`>= 99.9%`), a
threshold SLI as the share of its evaluations in the run that meet `op value`. Timeslice budgeting, rolling or
calendar windows and alert policies describe a long-running budget and are reported, field by field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slocheck.interop.common import Conversion, Document, Note, decimal, items, mapping, percent, slo_set, slug, unique
from slocheck.interop.common import text_labels as labels_of
from slocheck.interop.openslo_sli import OPS, Catalog, SliQuery, resolve_v1_sli, v1alpha_ratio, v1alpha_threshold


def flatten(documents: list[object]) -> list[object]:
    """oslo accepts a YAML list of documents as well as `---`-separated ones."""
    flat: list[object] = []
    for document in documents:
        flat.extend(document if isinstance(document, list) else [document])
    return flat


def convert_openslo(documents: list[object], source: str, taken: set[str] | None = None) -> Conversion:
    """Every OpenSLO SLO in `documents`; SLI and DataSource documents in the same batch are resolved by name."""
    result = Conversion()
    taken = set() if taken is None else taken
    flat = flatten(documents)
    catalog = Catalog.of([mapping(d) for d in flat])
    for index, document in enumerate(flat):
        data = mapping(document)
        version, kind = data.get("apiVersion"), data.get("kind")
        name = mapping(data.get("metadata")).get("name", "?")
        where = f"{kind or 'document'} {name} (document {index + 1})"
        if version not in ("openslo/v1", "openslo/v1alpha"):
            result.notes.append(Note(source, f"{where}: apiVersion", f"{version!r} is not openslo/v1 or v1alpha"))
        elif kind == "SLO":
            converted = _slo(data, version == "openslo/v1alpha", catalog, where, source)
            result.notes.extend(converted.notes)
            for slo_doc in converted.documents:
                slo_doc["metadata"]["name"] = unique(slo_doc["metadata"]["name"], taken)
                result.documents.append(slo_doc)
        elif kind not in ("SLI", "DataSource"):
            message = f"kind {kind} has nothing a run-scoped gate judges"
            result.notes.append(Note(source, where, message, imported=True))
    return result


def _slo(data: dict[str, Any], alpha: bool, catalog: Catalog, where: str, source: str) -> Conversion:
    result = Conversion()
    metadata, spec = mapping(data.get("metadata")), mapping(data.get("spec"))
    service = str(spec.get("service") or "")
    if not service:
        result.notes.append(Note(source, f"{where}: spec.service", "is missing"))
        return result
    result.notes.extend(_not_applicable(spec, where, source))
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        result.notes.extend(_timeslice_notes(spec, str(method), where, source))
    objectives = _objectives(spec, alpha, catalog, where, source, result.notes, str(metadata.get("name", "slo")))
    if objectives and method == "Occurrences":
        description = str(metadata.get("displayName") or spec.get("description") or "")
        labels = labels_of(metadata.get("labels"))
        result.documents.append(slo_set(slug(str(metadata.get("name", "slo"))), service, description, labels,
                                        objectives))  # fmt: skip
    return result


def _timeslice_notes(spec: dict[str, Any], method: str, where: str, source: str) -> list[Note]:
    """Timeslice budgeting judges the share of good slices of a long window: every field that says so."""
    notes = [Note(source, f"{where}: spec.budgetingMethod",
                  f"{method} judges time slices of a long window; a gate judges the whole run once "
                  "(budgetingMethod Occurrences imports)")]  # fmt: skip
    for index, item in enumerate(items(spec.get("objectives"))):
        for key in ("timeSliceTarget", "timeSliceWindow"):
            if key in mapping(item):
                notes.append(Note(source, f"{where}: spec.objectives[{index}].{key}", f"belongs to {method} budgeting"))
    return notes


def _not_applicable(spec: dict[str, Any], where: str, source: str) -> list[Note]:
    notes = []
    for key in ("timeWindow", "timeWindows"):
        if spec.get(key):
            message = "the SLO's rolling/calendar window; a gate judges the run window ($__range) instead"
            notes.append(Note(source, f"{where}: spec.{key}", message, imported=True))
    if spec.get("alertPolicies"):
        message = "alerting on a long-running budget does not apply to a gate"
        notes.append(Note(source, f"{where}: spec.alertPolicies", message, imported=True))
    return notes


def _objectives(
    spec: dict[str, Any], alpha: bool, catalog: Catalog, where: str, source: str, notes: list[Note], slo_name: str
) -> list[Document]:
    converted: list[Document] = []
    names: set[str] = set()
    for index, raw in enumerate(items(spec.get("objectives"))):
        item = mapping(raw)
        path = f"{where}: spec.objectives[{index}]"
        sli = _sli_for(spec, item, alpha, catalog, path, source)
        target = _target(item)
        problems = sli.notes
        if target is None:
            problems = [*problems, Note(source, f"{path}.target", "needs target in [0, 1) or targetPercent")]
        if sli.query is None or target is None or problems:
            notes.extend(note for note in problems if note not in notes)  # a shared SLI is reported once
            continue
        notes.extend(note for note in sli.extra if note not in notes)
        query, bar = _judge(sli, item, target, path, source, notes)
        if query is None:
            continue
        label = str(item.get("displayName") or "")
        name = unique(slug(label or slo_name), names)
        description = "; ".join(t for t in (label, str(spec.get("description") or "")) if t)
        converted.append({"name": name, **({"description": description} if description else {}),
                          "indicator": {"prometheus": {"query": query}}, "pass": bar})  # fmt: skip
    return converted


def _sli_for(
    spec: dict[str, Any], item: dict[str, Any], alpha: bool, catalog: Catalog, path: str, source: str
) -> SliQuery:
    if alpha:
        if item.get("ratioMetrics"):
            return v1alpha_ratio(mapping(item["ratioMetrics"]), f"{path}.ratioMetrics", source)
        threshold = mapping(mapping(spec.get("indicator")).get("thresholdMetric"))
        return v1alpha_threshold(
            threshold, path.split(": ", maxsplit=1)[0] + ": spec.indicator.thresholdMetric", source
        )
    if item.get("indicator") or item.get("indicatorRef"):  # a composite SLO: one indicator per objective
        return resolve_v1_sli(item, catalog, path, source)
    return resolve_v1_sli(spec, catalog, path.split(": ", maxsplit=1)[0] + ": spec", source)


def _target(item: dict[str, Any]) -> Decimal | None:
    target = decimal(item.get("target"))
    if target is None and decimal(item.get("targetPercent")) is not None:
        target = Decimal(str(item["targetPercent"])) / 100
    if target is None or not Decimal(0) < target <= Decimal(1):
        return None
    return target


def _judge(
    sli: SliQuery, item: dict[str, Any], target: Decimal, path: str, source: str, notes: list[Note]
) -> tuple[str | None, str]:
    """The query and the bar: a ratio against the target; a threshold as the share of evaluations meeting it."""
    assert sli.query is not None
    if not sli.threshold:
        return sli.query, f">= {percent(target)}"
    op, value = item.get("op"), decimal(item.get("value"))
    if op not in OPS or value is None:
        notes.append(Note(source, f"{path}.op", "a threshold SLI needs op (lt, lte, gt, gte) and a numeric value"))
        return None, ""
    share = f"avg_over_time((({sli.query}) {OPS[op]} bool {format(value.normalize(), 'f')})[$__range:])"
    return share, f">= {percent(target)}"
