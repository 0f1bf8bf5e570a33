"""`slocheck compare A B`: two stored runs side by side, from their run directories only (no backend).

Every objective's A value, B value and change; where stored observations exist (per-interval client latency
histograms, metric series at the history step) the Mann-Whitney judge says whether B is significantly worse.
An objective with `compare:` is judged with its own settings as B's result.json recorded them (direction, alpha,
min_effect); `--alpha`/`--min-effect` override them when given. Objectives without (or runs written before the
settings were recorded) get the bad direction from the pass bar (`<` bars: an increase is worse; `>` bars: a
decrease) and alpha 0.05, min_effect 5 %. Exit 1 when B is significantly worse (significant and at least
min_effect) on a blocking objective.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slocheck.app.history import ClientHistograms, client_judge_gap, read_history, series_samples
from slocheck.app.runs import RunSummary
from slocheck.core.baseline import Samples, block_seconds
from slocheck.core.judge import judge
from slocheck.core.model import Compare, LocustIndicator, Outcome
from slocheck.core.spec.schema import JUDGED_LOCUST_STATS
from slocheck.core.units import Kind, format_value, percent_text
from slocheck.load.histogram import LogHistogram, bucket_value
from slocheck.load.stats import AGGREGATED

COMPARE_SCHEMA = "slocheck.compare/v1"
CLIENT_STATS = ("requests", "rps", "p50", "p95", "p99", "fail_ratio")
CDF_POINTS = 120


DEFAULT_ALPHA = 0.05
DEFAULT_MIN_EFFECT = 0.05


@dataclass(frozen=True)
class CompareSettings:
    """The command's overrides; None: each objective's own setting (or the default)."""

    alpha: float | None = None
    min_effect: float | None = None


def direction_of(pass_bar: str) -> str:
    """`< 500ms` → an increase is bad; `>= 5/s` → a decrease is bad."""
    return "decrease" if pass_bar.strip().startswith(">") else "increase"


def _kind(unit: object) -> Kind:
    try:
        return Kind(str(unit))
    except ValueError:
        return Kind.NUMBER


def _locust_indicator(objective: Mapping[str, Any]) -> LocustIndicator | None:
    """The locust selection an objective measured, read back from its series labels and query."""
    series = objective.get("series") or []
    if not series:
        return None
    labels = series[0].get("labels") or {}
    stat = str(objective.get("query", "")).split(" of ", 1)[0]
    request = labels.get("request")
    return LocustIndicator(stat, None if request == AGGREGATED else request, labels.get("method"))


def _is_latency(objective: Mapping[str, Any]) -> bool:
    indicator = _locust_indicator(objective) if objective.get("backend") == "locust" else None
    return indicator is not None and indicator.stat in JUDGED_LOCUST_STATS


def _samples(objective: Mapping[str, Any], history: Mapping[str, Any] | None, width: float) -> Samples | None:
    if objective.get("backend") == "locust":
        indicator = _locust_indicator(objective)
        if indicator is None or indicator.stat not in JUDGED_LOCUST_STATS:
            return None  # throughput or failure counts are not per-request latencies
        client = ClientHistograms.of(history)
        return client.samples(indicator, width) if client is not None else None
    return series_samples(((history or {}).get("objectives") or {}).get(str(objective.get("key"))))


def compare_of(objective: Mapping[str, Any], settings: CompareSettings) -> tuple[Compare, str]:
    """The judge settings for one objective of B, and where they came from."""
    stored = objective.get("compare")
    if isinstance(stored, Mapping):
        alpha, effect = float(stored.get("alpha", DEFAULT_ALPHA)), float(stored.get("min_effect", DEFAULT_MIN_EFFECT))
        direction, source = str(stored.get("direction", "increase")), "objective"
    else:
        alpha, effect = DEFAULT_ALPHA, DEFAULT_MIN_EFFECT
        direction, source = direction_of(str(objective.get("pass", ""))), "default"
    if settings.alpha is not None or settings.min_effect is not None:
        source += " + command line"
    alpha = settings.alpha if settings.alpha is not None else alpha
    effect = settings.min_effect if settings.min_effect is not None else effect
    return Compare("mann-whitney", direction, alpha, effect), source


def _change(a: float | None, b: float | None, kind: Kind) -> tuple[float | None, str]:
    if a is None or b is None:
        return None, "no data"
    delta = b - a
    ratio = delta / abs(a) if a != 0 else None
    sign = "+" if delta >= 0 else "-"
    text = f"{sign}{format_value(abs(delta), kind)}" + (
        f" ({percent_text(ratio, signed=True)} %)" if ratio is not None else ""
    )
    return ratio, text


def _missing(objective: Mapping[str, Any], a: Samples | None, histories: tuple[Any, Any]) -> str:
    gap = ""
    if _is_latency(objective):
        gap = client_judge_gap(histories[1], "run B") if a is not None else client_judge_gap(histories[0], "run A")
    return gap or ("run B" if a is not None else "run A") + " has no stored observations (history.json)"


def _judged(
    objective: Mapping[str, Any], a: Samples | None, b: Samples | None, histories: tuple[Any, Any],
    settings: CompareSettings,
) -> Any:  # fmt: skip
    stored = objective.get("judgement") or {}
    compare, source = compare_of(objective, settings)
    if a is None and b is None and not (_is_latency(objective) and any(histories)):
        return None
    found = judge(compare, b, a, "" if a is not None and b is not None else _missing(objective, a, histories))
    return {
        "outcome": found.outcome.value,
        "text": found.text,
        "p_value": found.p_value,
        "effect": found.effect,
        "n_a": found.n_baseline,
        "n_b": found.n_current,
        "significant": found.significant,
        "observations": found.observations,
        "direction": compare.direction,
        "alpha": compare.alpha,
        "min_effect": compare.min_effect,
        "settings_from": source,
        "worse": found.outcome is Outcome.FAIL,
        "in_run_b": stored.get("text"),
    }


def _objective_row(
    a_obj: Mapping[str, Any] | None, b_obj: Mapping[str, Any], histories: tuple[Any, Any], settings: CompareSettings,
    width: float,
) -> dict[str, Any]:  # fmt: skip
    kind = _kind(b_obj.get("unit"))
    a_value = (a_obj or {}).get("value")
    b_value = b_obj.get("value")
    ratio, change = _change(a_value, b_value, kind)
    a_samples = _samples(a_obj, histories[0], width) if a_obj else None
    judged = _judged(b_obj, a_samples, _samples(b_obj, histories[1], width), histories, settings)
    return {
        "key": b_obj.get("key"),
        "unit": kind.value,
        "blocking": bool(b_obj.get("blocking", True)),
        "pass": b_obj.get("pass"),
        "a": {"value": a_value, "display": _display(a_value, kind), "outcome": (a_obj or {}).get("outcome")},
        "b": {"value": b_value, "display": _display(b_value, kind), "outcome": b_obj.get("outcome")},
        "change": ratio,
        "change_display": change,
        "judge": judged,
    }


def _display(value: float | None, kind: Kind) -> str:
    return "no data" if value is None else format_value(value, kind)


def _client_rows(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    def rows(client: Mapping[str, Any] | None) -> dict[tuple[str, str], Mapping[str, Any]]:
        found = {(str(r.get("method")), str(r.get("name"))): r for r in (client or {}).get("endpoints") or []}
        if (client or {}).get("aggregated"):
            found[("", AGGREGATED)] = (client or {})["aggregated"]
        return found

    left, right = rows(a), rows(b)
    return [
        {"method": key[0], "name": key[1], "a": {s: left.get(key, {}).get(s) for s in CLIENT_STATS},
         "b": {s: right.get(key, {}).get(s) for s in CLIENT_STATS}}
        for key in sorted(set(left) | set(right), key=lambda k: (k[1] == AGGREGATED, k[1], k[0]))
    ]  # fmt: skip


def cdf(histogram: LogHistogram, points: int = CDF_POINTS) -> list[tuple[float, float]]:
    """(latency, share of requests at or below it), thinned to about `points` points."""
    total = histogram.count
    if total <= 0:
        return []
    seen = histogram.zero_count
    curve = [(0.0, seen / total)] if seen else []
    for index in sorted(histogram.counts):
        seen += histogram.counts[index]
        curve.append((bucket_value(index), seen / total))
    stride = max(1, math.ceil(len(curve) / points))
    return curve[::stride] + ([curve[-1]] if (len(curve) - 1) % stride else [])


def _cdfs(histories: tuple[Any, Any]) -> list[dict[str, Any]]:
    clients = [ClientHistograms.of(h) for h in histories]
    keys: set[tuple[str, str]] = set()
    for client in clients:
        if client is not None:
            keys |= set(client.endpoints)
    found = []
    for key in [("", AGGREGATED), *sorted(keys, key=lambda k: (k[1], k[0]))]:
        curves = []
        for client in clients:
            histogram = None if client is None else (client.aggregated if key[1] == AGGREGATED and not key[0]
                                                     else client.endpoints.get(key))  # fmt: skip
            curves.append(cdf(histogram) if histogram is not None else [])
        found.append({"method": key[0], "name": key[1], "a": curves[0], "b": curves[1]})
    return found


def _aligned_series(history: Mapping[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """A stored objective's series with time measured from the run's load start."""
    if not history:
        return []
    start = _start_seconds(history)
    entry = (history.get("objectives") or {}).get(key) or {}
    return [
        {"labels": s.get("labels") or {}, "points": [[t - start, v] for t, v in s.get("points", [])]}
        for s in entry.get("series", [])
    ]


def _start_seconds(history: Mapping[str, Any]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str((history.get("window") or {}).get("start"))).timestamp()


def _run_facts(run: RunSummary, history: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "id": run.id, "path": str(run.path), "verdict": run.verdict, "window": dict(run.window),
        "scenario": run.scenario, "profile": run.profile, "slo_sets": list(run.slo_sets),
        "has_history": history is not None,
    }  # fmt: skip


def compare_runs(a: RunSummary, b: RunSummary, settings: CompareSettings | None = None) -> dict[str, Any]:
    """The comparison document (`--json`); `exit_code` 1 when B is significantly worse on a blocking objective."""
    settings = settings or CompareSettings()
    histories = (read_history(a.path), read_history(b.path))
    before = {o.get("key"): o for o in a.document.get("objectives", [])}
    width = block_seconds(float(b.window.get("seconds") or 0.0))  # the judge's blocks, the same in both runs
    rows = [
        _objective_row(before.get(o.get("key")), o, histories, settings, width)
        for o in b.document.get("objectives", [])
    ]
    worse = [r["key"] for r in rows if r["blocking"] and r["judge"] and r["judge"]["worse"]]
    keys = [str(r["key"]) for r in rows]
    series = {k: {"a": _aligned_series(histories[0], k), "b": _aligned_series(histories[1], k)} for k in keys}
    return {
        "schema": COMPARE_SCHEMA,
        "a": _run_facts(a, histories[0]),
        "b": _run_facts(b, histories[1]),
        "settings": {
            "test": "mann-whitney",
            "alpha": settings.alpha,
            "min_effect": settings.min_effect,
            "block_seconds": width,
        },
        "objectives": rows,
        "client": _client_rows(a.document.get("client"), b.document.get("client")),
        "cdf": _cdfs(histories),
        "series": {k: v for k, v in series.items() if v["a"] or v["b"]},
        "significantly_worse": worse,
        "exit_code": 1 if worse else 0,
    }
