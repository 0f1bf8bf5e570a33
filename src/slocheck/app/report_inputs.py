"""Reading a run directory into `ReportInputs`: result.json (required), run.json, context.json and Locust's CSV
files, each optional. The only place report inputs touch the file system."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slocheck.core.errors import ConfigError
from slocheck.report.html_inputs import (
    CONTEXT_FILE,
    FAILURES_FILE,
    HISTORY_FILE,
    RESULT_FILE,
    RUN_FILE,
    STATS_FILE,
    ReportInputs,
    client_from_csv,
    client_of,
    parse_history,
)


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def _read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def read_result(run_dir: Path) -> dict[str, Any]:
    """result.json of a run directory, or a ConfigError (exit 2) saying what is missing."""
    path = run_dir / RESULT_FILE
    if not path.is_file():
        raise ConfigError(f"{run_dir}: no {RESULT_FILE} here; pass a run directory (e.g. .slocheck/runs/<id>)")
    try:
        document = _read_json(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None
    if document is None or "objectives" not in document:
        raise ConfigError(f"{path}: not a slocheck result document (no objectives)")
    return document


def _client_for(run_dir: Path, document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = client_of(document)
    if found is not None:
        return found
    stats = _read_text(run_dir / STATS_FILE)
    return client_from_csv(stats, _read_text(run_dir / FAILURES_FILE)) if stats else None


TREND_RUNS = 10


def trend_of(run_dir: Path, document: Mapping[str, Any], limit: int = TREND_RUNS) -> list[dict[str, Any]]:
    """The last `limit` runs like this one (same scenario, profile, SLO sets) under the same root, oldest first,
    ending with this run; each with its objectives' values by key."""
    from slocheck.app.runs import RunSummary, list_runs, summarize

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


def load_report_inputs(run_dir: Path, baseline_dir: Path | None = None) -> ReportInputs:
    """Read everything a report of `run_dir` can use; only result.json is required. Without `baseline_dir`,
    the baseline recorded in result.json is used when its directory still exists."""
    document = read_result(run_dir)
    recorded = Path(str((document.get("baseline") or {}).get("path") or ""))
    if baseline_dir is None and document.get("baseline") and (recorded / RESULT_FILE).is_file():
        baseline_dir = recorded
    history_text = _read_text(run_dir / HISTORY_FILE)
    baseline = read_result(baseline_dir) if baseline_dir is not None else None
    try:
        run, context = _read_json(run_dir / RUN_FILE), _read_json(run_dir / CONTEXT_FILE)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{run_dir}: unreadable run.json/context.json ({exc})") from None
    sources = {RESULT_FILE: str(run_dir / RESULT_FILE)}
    for name, present in ((RUN_FILE, run), (CONTEXT_FILE, context), (HISTORY_FILE, history_text)):
        if present is not None:
            sources[name] = str(run_dir / name)
    return ReportInputs(
        document=document,
        run=run,
        context=context,
        history=parse_history(history_text) if history_text else (),
        client=_client_for(run_dir, document),
        baseline=baseline,
        baseline_client=_client_for(baseline_dir, baseline) if baseline_dir is not None and baseline else None,
        trend=trend_of(run_dir, document),
        sources=sources,
    )
