"""The runs under an output root (`.slocheck/runs`), and choosing a baseline among them.

`--baseline last-pass|last|RUN_ID|PATH`: `last-pass` is the newest PASS run with the same scenario, profile and
SLO set names; `last` the newest such run whatever its verdict; a run id or a directory names one run. A run of
another scenario, profile or SLO set is refused unless `--baseline-any`. The chosen run becomes a `Baseline`
(core/baseline.py): its objectives' values from result.json, its observations from history.json.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slocheck.app.runstore import read_result
from slocheck.core.baseline import Baseline
from slocheck.core.errors import ConfigError
from slocheck.core.model import LocustIndicator, Objective, SeriesValue
from slocheck.report.html_inputs import RESULT_FILE, RUN_FILE

KEYWORDS = ("last-pass", "last")


@dataclass(frozen=True)
class RunSummary:
    """One stored run, as `runs list` shows it and baseline selection sees it."""

    id: str
    path: Path
    started_at: str
    scenario: str
    profile: str
    slo_sets: tuple[str, ...]
    verdict: str
    window: Mapping[str, Any] = field(default_factory=dict)
    document: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str, tuple[str, ...]]:
        return self.scenario, self.profile, self.slo_sets


def _json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def scenario_name(value: object) -> str:
    """`scenarios/agent_platform.py` → `agent_platform`: runs from another checkout still match."""
    return Path(str(value)).stem if value else ""


def summarize(run_dir: Path) -> RunSummary:
    """A run directory's summary; a ConfigError when it has no readable result.json."""
    document = read_result(run_dir)
    run = _json(run_dir / RUN_FILE) or dict(document.get("run") or {})
    sets = tuple(sorted({str(o.get("slo_set")) for o in document.get("objectives", [])}))
    return RunSummary(
        id=str(run.get("id") or run_dir.name),
        path=run_dir,
        started_at=str(run.get("started_at") or (document.get("window") or {}).get("start") or ""),
        scenario=scenario_name(run.get("scenario")),
        profile=str(run.get("profile") or ""),
        slo_sets=sets,
        verdict=str(document.get("verdict", "")),
        window=dict(document.get("window") or {}),
        document=document,
    )


def list_runs(root: Path) -> list[RunSummary]:
    """Every finished run under `root` (a directory with result.json), newest first."""
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        if (child / RESULT_FILE).is_file():
            try:
                found.append(summarize(child))
            except ConfigError:
                continue  # a damaged run is skipped here; `runs show` on it says what is wrong
    return sorted(found, key=lambda r: (r.started_at, r.id), reverse=True)


@dataclass(frozen=True)
class Chosen:
    summary: RunSummary
    selected_by: str
    why: str


def _mismatch(candidate: RunSummary, scenario: str | None, profile: str | None, sets: Sequence[str]) -> str:
    """Why `candidate` is not a like-for-like baseline, or ""."""
    differences = []
    if scenario is not None and candidate.scenario != scenario:
        differences.append(f"scenario {candidate.scenario or '(none)'} ≠ {scenario}")
    if profile is not None and candidate.profile != profile:
        differences.append(f"profile {candidate.profile or '(none)'} ≠ {profile}")
    if tuple(sorted(sets)) != candidate.slo_sets:
        differences.append(f"SLO sets {', '.join(candidate.slo_sets)} ≠ {', '.join(sorted(sets))}")
    return "; ".join(differences)


def choose_baseline(
    spec: str,
    root: Path,
    *,
    scenario: str | None,
    profile: str | None,
    slo_sets: Sequence[str],
    any_run: bool = False,
    exclude: str | None = None,
) -> Chosen:
    """Resolve `--baseline`; scenario/profile None (evaluate) are not compared."""
    wanted = f"scenario {scenario}, profile {profile}, " if scenario is not None else ""
    wanted += f"SLO sets {', '.join(sorted(slo_sets))}"
    if spec in KEYWORDS:
        runs = [r for r in list_runs(root) if r.id != exclude]
        alike = runs if any_run else [r for r in runs if not _mismatch(r, scenario, profile, slo_sets)]
        pool = [r for r in alike if r.verdict == "PASS"] if spec == "last-pass" else alike
        if not pool:
            which = "PASS run" if spec == "last-pass" else "run"
            raise ConfigError(
                f"--baseline {spec}: no earlier {which} with {wanted} under {root} ({len(runs)} run(s) there); "
                "run one first, name a run with --baseline RUN_ID, or add --baseline-any"
            )
        picked = pool[0]
        why = f"the newest {'PASS ' if spec == 'last-pass' else ''}run with {wanted} under {root}"
        return Chosen(picked, spec, why + (" (--baseline-any: any scenario/profile/SLO set)" if any_run else ""))
    by_path = Path(spec).is_dir()
    path = Path(spec) if by_path else root / spec
    if not path.is_dir():
        raise ConfigError(
            f"--baseline {spec}: neither a run directory nor a run id under {root}; see slocheck runs list"
        )
    picked = summarize(path)
    mismatch = _mismatch(picked, scenario, profile, slo_sets)
    if mismatch and not any_run:
        raise ConfigError(
            f"--baseline {spec}: run {picked.id} is not comparable ({mismatch}); "
            "compare like with like, or add --baseline-any"
        )
    return Chosen(picked, "path" if by_path else "id", "named on the command line")


def _series_of(objective: Mapping[str, Any]) -> tuple[SeriesValue, ...]:
    values = []
    for s in objective.get("series") or []:
        value = s.get("value")
        values.append(SeriesValue(dict(s.get("labels") or {}), float(value) if value is not None else math.nan))
    return tuple(values)


def load_baseline(chosen: Chosen, objectives: Sequence[Objective], width: float) -> Baseline:
    """The chosen run as data for the evaluator: values from result.json, observations from history.json
    (client latency in blocks of `width` seconds, the current run's)."""
    from slocheck.app.history import client_judge_gap, read_history, samples_from  # imports slocheck.load

    summary = chosen.summary
    series: dict[str, tuple[SeriesValue, ...]] = {}
    missing: dict[str, str] = {}
    for stored in summary.document.get("objectives", []):
        key = str(stored.get("key"))
        found = _series_of(stored)
        if found:
            series[key] = found
        else:
            missing[key] = f"baseline run {summary.id} has no value for {key} ({stored.get('outcome')})"
    history = read_history(summary.path)
    samples = samples_from(objectives, history, width)
    for objective in objectives:
        if objective.compare is None or objective.key in samples:
            continue
        if history is None:
            missing.setdefault(objective.key, f"baseline run {summary.id} has no history.json (an older run)")
        elif isinstance(objective.indicator, LocustIndicator) and (gap := client_judge_gap(history, "")):
            missing.setdefault(objective.key, f"baseline run {summary.id}{gap}")
    return Baseline(summary.id, series, samples, missing)


def baseline_record(chosen: Chosen) -> dict[str, Any]:
    """What result.json says about the baseline."""
    summary = chosen.summary
    return {
        "id": summary.id,
        "path": str(summary.path),
        "verdict": summary.verdict,
        "window": dict(summary.window),
        "selected_by": chosen.selected_by,
        "why": chosen.why,
        "scenario": summary.scenario,
        "profile": summary.profile,
        "slo_sets": list(summary.slo_sets),
    }


TREND_RUNS = 10


def trend_of(run_dir: Path, document: Mapping[str, Any], limit: int = TREND_RUNS) -> list[dict[str, Any]]:
    """The last `limit` runs like this one (same scenario, profile, SLO sets) under the same root, oldest first,
    ending with this run; each with its objectives' values by key."""
    try:
        current = summarize(run_dir)
    except ConfigError:
        return []
    alike = [r for r in list_runs(run_dir.parent) if r.identity == current.identity and r.id != current.id]
    alike = [r for r in alike if r.started_at <= current.started_at][: limit - 1]

    def point(run: RunSummary, doc: Mapping[str, Any]) -> dict[str, Any]:
        values = {o.get("key"): o.get("value") for o in doc.get("objectives", [])}
        return {"id": run.id, "started_at": run.started_at, "verdict": run.verdict, "values": values}

    return [point(r, r.document) for r in reversed(alike)] + [point(current, document)]
