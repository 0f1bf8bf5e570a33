"""Regenerate tests/report/data/: two real runs of the demo stack (not part of the suite).

    .venv/bin/python -m tests.report.make_data [--duration 20]

`run/` has the demo service answering 5 % of requests with a 500 (`--error-rate 0.05`), so objectives fail and
the error sections have content; `baseline/` is a clean run. Each keeps what the report reads: result.json (with
the top-level `client` = ClientStats.to_dict() the pipeline adds), run.json, context.json (collect_context against
the stack's Prometheus right after the run) and Locust's CSV files.
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import argparse
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slocheck.app import pipeline
from slocheck.sources.prometheus import PrometheusBackend
from slocheck.app.context import collect_context, context_step, objective_range_queries, render_context
from slocheck_demo.run_demo import SCRAPED_JOBS, wait_for_scrapes
from slocheck_demo.stack import SERVICE_JOB, DemoStack
from slocheck.core.model import Window
from slocheck.report.json_report import render_json
from slocheck.config.settings import Backends, BackendSettings, Settings

HERE = Path(__file__).parent / "data"
KEEP = (
    "result.json",
    "run.json",
    "context.json",
    "locust_stats.csv",
    "locust_stats_history.csv",
    "locust_failures.csv",
    "locust_exceptions.csv",
)
REPO = Path(__file__).resolve().parents[2]


def _context(settings: BackendSettings, window: Window, document: dict[str, Any]) -> dict[str, Any]:
    backend = PrometheusBackend(settings)
    try:
        scrape = backend.scrape_interval()
        return collect_context(
            backend, window, job=SERVICE_JOB, step_seconds=context_step(window.seconds, scrape),
            scrape_interval_seconds=scrape, extra=objective_range_queries(document),
        )  # fmt: skip
    finally:
        backend.close()


def _keep(run_dir: Path, name: str) -> Path:
    target = HERE / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for file in KEEP:
        if (run_dir / file).exists():
            shutil.copyfile(run_dir / file, target / file)
    return target


def one_run(name: str, service_args: tuple[str, ...], duration: float, scratch: Path) -> None:
    captured: dict[str, Any] = {}
    original = pipeline.run_load  # type: ignore[attr-defined]

    def capture(*args: Any, **kwargs: Any) -> Any:
        captured["outcome"] = outcome = original(*args, **kwargs)
        return outcome

    setattr(pipeline, "run_load", capture)  # noqa: B010 - wraps the pipeline's import to keep the ClientStats
    with DemoStack(scratch / f"stack-{name}", service_args) as stack:
        assert stack.urls is not None
        wait_for_scrapes(stack.urls.prometheus, SCRAPED_JOBS)
        backend_settings = BackendSettings(url=stack.urls.prometheus, retry_budget=10)
        request = pipeline.RunRequest(
            slo_files=(REPO / "slo" / "demo.yaml", HERE / "slo-over-time.yaml"),
            scenario=REPO / "scenarios" / "agent_platform.py",
            profile="smoke",
            profiles_file=None,
            host=stack.urls.service,
            out_root=scratch / "runs",
            overrides=pipeline.LoadOverrides(duration=duration),
        )
        settings = Settings(backends=Backends(prometheus=backend_settings))
        result = pipeline.execute_run(request, settings, say=print, clock=lambda: datetime.now(UTC))
        document = {**result.document, "client": captured["outcome"].stats.to_dict()}
        (result.run_dir / "result.json").write_text(render_json(document), encoding="utf-8")
        context = _context(backend_settings, Window(result.evaluation.window.start, result.evaluation.window.end),
                           document)  # fmt: skip
    (result.run_dir / "context.json").write_text(render_context(context), encoding="utf-8")
    print(f"{name}: {result.evaluation.verdict.value}, copied into {_keep(result.run_dir, name)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slocheck-report-data-") as scratch:
        one_run("baseline", (), args.duration, Path(scratch))
        one_run("run", ("--error-rate", "0.05"), args.duration, Path(scratch))


if __name__ == "__main__":
    main()
