"""`result.json`: the machine-readable verdict with its evidence (schema in docs/result-schema.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slocheck import __version__
from slocheck.core.evaluate import change_text
from slocheck.core.model import Compare, Evaluation, Judgement, ObjectiveResult, SeriesResult

SCHEMA = "slocheck.result/v1"


def _number(value: float) -> float | None:
    """JSON has no NaN/Inf; they become null and the display string keeps what it was."""
    return value if math.isfinite(value) else None


def _worst_value(result: ObjectiveResult) -> float | None:
    matching = [s for s in result.series if s.outcome is result.outcome] or list(result.series)
    return _number(matching[0].value) if matching else None


def objective_document(result: ObjectiveResult) -> dict[str, Any]:
    objective = result.objective
    measurement = result.measurement
    worst = _worst_value(result)
    return {
        "key": objective.key,
        "slo_set": objective.slo_set,
        "name": objective.name,
        "description": objective.description,
        "service": objective.service,
        "source": objective.source,
        "backend": measurement.backend,
        "query": measurement.query,
        "blocking": objective.blocking,
        "on_no_data": objective.on_no_data.value,
        "unit": objective.kind.value,
        "pass": str(objective.pass_bar),
        "warn": str(objective.warn_bar) if objective.warn_bar else None,
        "outcome": result.outcome.value,
        "counts_as": result.counts_as.value,
        "reason": result.reason,
        "value": worst,
        "value_display": objective.format(worst) if worst is not None else None,
        "sample_size": measurement.sample_size,
        "series": [_series_document(result, s) for s in result.series],
        "details": dict(measurement.details),
        **_compare_document(objective.compare),
        **_judgement_document(result.judgement),
    }


def _compare_document(compare: Compare | None) -> dict[str, Any]:
    """The objective's own judge settings, so `slocheck compare` judges it the same way later."""
    if compare is None:
        return {}
    return {"compare": {"test": compare.test, "direction": compare.direction, "alpha": compare.alpha,
                        "min_effect": compare.min_effect}}  # fmt: skip


def _series_document(result: ObjectiveResult, series: SeriesResult) -> dict[str, Any]:
    objective = result.objective
    found: dict[str, Any] = {
        "labels": dict(series.labels),
        "value": _number(series.value),
        "display": objective.format(series.value),
        "outcome": series.outcome.value,
    }
    if objective.relative:
        base = series.baseline
        found["baseline"] = _number(base) if base is not None else None
        found["baseline_display"] = objective.format(base) if base is not None else None
        usable = base is not None and math.isfinite(base) and math.isfinite(series.value)
        found["change_display"] = change_text(objective, series.value, base) if usable and base is not None else None
        if series.note:
            found["baseline_note"] = series.note
    return found


def _judgement_document(judgement: Judgement | None) -> dict[str, Any]:
    if judgement is None:
        return {}
    return {
        "judgement": {
            "test": "mann-whitney",
            "outcome": judgement.outcome.value,
            "text": judgement.text,
            "p_value": judgement.p_value,
            "effect": judgement.effect,
            "n_current": judgement.n_current,
            "n_baseline": judgement.n_baseline,
            "significant": judgement.significant,
            "observations": judgement.observations,
        }
    }


def result_document(
    evaluation: Evaluation,
    *,
    exit_code: int,
    generated_at: datetime,
    run: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    window = evaluation.window
    document = {
        "schema": SCHEMA,
        "tool": {"name": "slocheck", "version": __version__},
        "generated_at": generated_at.isoformat(),
        "verdict": evaluation.verdict.value,
        "exit_code": exit_code,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "seconds": window.seconds},
        "summary": {outcome.value: count for outcome, count in evaluation.counts().items()},
        "run": dict(run) if run else None,
        "notes": list(evaluation.notes),
        "objectives": [objective_document(r) for r in evaluation.results],
    }
    if baseline is not None:
        document["baseline"] = dict(baseline)
    return document


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
