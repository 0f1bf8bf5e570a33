"""Reading a run directory into `ReportInputs`: result.json (required), run.json, context.json and Locust's CSV
files, each optional. The only place report inputs touch the file system."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slocheck.app.runs import trend_of
from slocheck.app.runstore import read_json, read_result, read_text
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


def _client_for(run_dir: Path, document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = client_of(document)
    if found is not None:
        return found
    stats = read_text(run_dir / STATS_FILE)
    return client_from_csv(stats, read_text(run_dir / FAILURES_FILE)) if stats else None


def load_report_inputs(run_dir: Path, baseline_dir: Path | None = None) -> ReportInputs:
    """Read everything a report of `run_dir` can use; only result.json is required. Without `baseline_dir`,
    the baseline recorded in result.json is used when its directory still exists."""
    document = read_result(run_dir)
    recorded = Path(str((document.get("baseline") or {}).get("path") or ""))
    if baseline_dir is None and document.get("baseline") and (recorded / RESULT_FILE).is_file():
        baseline_dir = recorded
    history_text = read_text(run_dir / HISTORY_FILE)
    baseline = read_result(baseline_dir) if baseline_dir is not None else None
    try:
        run, context = read_json(run_dir / RUN_FILE), read_json(run_dir / CONTEXT_FILE)
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
