"""OpenSLO SLIs → one PromQL query over the run window (`$__range`), or the notes saying why not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slocheck.interop.common import Note, counter_increase, gauge_total, mapping, zero_when_absent
from slocheck.interop.sloth import WINDOW_RE, run_window_query

OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


@dataclass(frozen=True)
class Catalog:
    """The SLI and DataSource documents of an import batch, by name."""

    slis: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, documents: list[dict[str, Any]]) -> Catalog:
        slis: dict[str, dict[str, Any]] = {}
        sources: dict[str, dict[str, Any]] = {}
        for document in documents:
            name = str(mapping(document.get("metadata")).get("name", ""))
            if document.get("kind") == "SLI":
                slis[name] = document
            elif document.get("kind") == "DataSource":
                sources[name] = document
        return cls(slis, sources)


@dataclass
class SliQuery:
    """The query (None when it cannot be built), whether it is a threshold SLI, and notes."""

    query: str | None = None
    threshold: bool = False
    name: str | None = None
    notes: list[Note] = field(default_factory=list)
    extra: list[Note] = field(default_factory=list)  # imported, but worth knowing


def resolve_v1_sli(holder: dict[str, Any], catalog: Catalog, path: str, source: str) -> SliQuery:
    """The SLI of an SLO (or of a composite objective): inline `indicator` or `indicatorRef`."""
    if holder.get("indicator"):
        indicator = mapping(holder["indicator"])
        spec, where = mapping(indicator.get("spec")), f"{path}.indicator.spec"
        name = mapping(indicator.get("metadata")).get("name")
    elif holder.get("indicatorRef"):
        ref = str(holder["indicatorRef"])
        if ref not in catalog.slis:
            message = f'SLI "{ref}" is not among the imported files; pass the file that defines it too'
            return SliQuery(notes=[Note(source, f"{path}.indicatorRef", message)])
        spec, where, name = mapping(catalog.slis[ref].get("spec")), f'SLI "{ref}": spec', ref
    else:
        return SliQuery(notes=[Note(source, path, "needs indicator or indicatorRef")])
    result = _v1_metric(spec, catalog, where, source)
    result.name = str(name) if name else None
    return result


def _v1_metric(spec: dict[str, Any], catalog: Catalog, where: str, source: str) -> SliQuery:
    if spec.get("thresholdMetric"):
        query, refused = _source_query(mapping(spec["thresholdMetric"]), catalog, f"{where}.thresholdMetric", source)
        return SliQuery(query, threshold=True, notes=refused)
    ratio = mapping(spec.get("ratioMetric"))
    if not ratio:
        return SliQuery(notes=[Note(source, where, "needs ratioMetric or thresholdMetric")])
    path = f"{where}.ratioMetric"
    if ratio.get("raw"):
        return _raw(ratio, catalog, path, source)
    parts: dict[str, str] = {}
    notes: list[Note] = []
    for part in ("good", "bad", "total"):
        if ratio.get(part):
            query, found = _source_query(mapping(ratio[part]), catalog, f"{path}.{part}", source)
            notes.extend(found)
            if query is not None:
                parts[part] = query
    if notes:
        return SliQuery(notes=notes)
    if "total" not in parts or ("good" in parts) == ("bad" in parts):
        return SliQuery(notes=[Note(source, path, "needs total and exactly one of good or bad")])
    return _ratio(parts, ratio.get("counter") is not False, path, source)


def _ratio(parts: dict[str, str], counter: bool, path: str, source: str) -> SliQuery:
    exact = True
    over_window: dict[str, str] = {}
    for part, query in parts.items():
        if counter:
            over_window[part], part_exact = counter_increase(query)
            exact = exact and part_exact
        else:
            over_window[part] = gauge_total(query)
    extra: list[Note] = []
    if not exact:
        message = "counter query is not a plain selector: its increase comes from a subquery (resets can skew it)"
        extra.append(Note(source, f"{path}.counter", message, imported=True))
    if "good" in over_window:
        return SliQuery(f"{over_window['good']}\n/\n{over_window['total']}", extra=extra)
    bad, _ = zero_when_absent(over_window["bad"])
    return SliQuery(f"1 - (\n{bad}\n/\n{over_window['total']}\n)", extra=extra)


def _raw(ratio: dict[str, Any], catalog: Catalog, path: str, source: str) -> SliQuery:
    query, notes = _source_query(mapping(ratio["raw"]), catalog, f"{path}.raw", source)
    if query is None:
        return SliQuery(notes=notes)
    raw_type = ratio.get("rawType")
    if raw_type not in ("success", "failure"):
        return SliQuery(notes=[Note(source, f"{path}.rawType", "must be success or failure with raw")])
    average = f"avg_over_time(({query.strip()})[$__range:])"
    return SliQuery(average if raw_type == "success" else f"1 - {average}")


def _source_query(holder: dict[str, Any], catalog: Catalog, path: str, source: str) -> tuple[str | None, list[Note]]:
    """The Prometheus query of a `metricSource`, resolving `metricSourceRef` for its type."""
    metric = mapping(holder.get("metricSource"))
    ref = metric.get("metricSourceRef")
    kind = metric.get("type")
    if kind is None and ref is not None:
        kind = mapping(mapping(catalog.sources.get(str(ref))).get("spec")).get("type")
        if kind is None:
            message = f'DataSource "{ref}" is not among the imported files and no type is given'
            return None, [Note(source, f"{path}.metricSource.metricSourceRef", message)]
    if str(kind).lower() != "prometheus":
        message = f"type {kind} is not a source slocheck can query (only Prometheus maps)"
        return None, [Note(source, f"{path}.metricSource.type", message)]
    query = mapping(metric.get("spec")).get("query")
    if not isinstance(query, str) or not query.strip():
        return None, [Note(source, f"{path}.metricSource.spec.query", "is missing (a PromQL query is needed)")]
    return query.strip(), []


def v1alpha_ratio(ratio: dict[str, Any], path: str, source: str) -> SliQuery:
    """Sloth's OpenSLO form: `good`/`total` queries with `{{.window}}` (rates over the window)."""
    parts: dict[str, str] = {}
    for part in ("good", "total"):
        query, notes = _alpha_query(mapping(ratio.get(part)), f"{path}.{part}", source)
        if query is None:
            return SliQuery(notes=notes)
        parts[part] = query
    if any(WINDOW_RE.search(query) for query in parts.values()):  # Sloth's form: rates over {{.window}}
        return SliQuery(f"({run_window_query(parts['good'])})\n/\n({run_window_query(parts['total'])})")
    return _ratio(parts, bool(ratio.get("incremental", True)), path, source)


def v1alpha_threshold(threshold: dict[str, Any], path: str, source: str) -> SliQuery:
    if not threshold:
        return SliQuery(notes=[Note(source, path, "needs objectives[].ratioMetrics or spec.indicator.thresholdMetric")])
    query, notes = _alpha_query(threshold, path, source)
    if query is None:
        return SliQuery(notes=notes)
    window_query = run_window_query(query)
    if window_query is None:
        return SliQuery(notes=[Note(source, f"{path}.query", "uses templates besides .window")])
    return SliQuery(window_query, threshold=True)


def _alpha_query(part: dict[str, Any], path: str, source: str) -> tuple[str | None, list[Note]]:
    if str(part.get("source", "")).lower() != "prometheus":
        message = f"source {part.get('source')} is not a source slocheck can query (only prometheus maps)"
        return None, [Note(source, f"{path}.source", message)]
    query = part.get("query")
    if not isinstance(query, str) or not query.strip():
        return None, [Note(source, f"{path}.query", "is missing (a PromQL query is needed)")]
    if run_window_query(query) is None:
        return None, [Note(source, f"{path}.query", "uses templates besides .window")]
    return query.strip(), []
