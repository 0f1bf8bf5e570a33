"""`slocheck demo`: start the local stack, run the agent-platform scenario at `smoke`, evaluate slo/demo.yaml,
stop everything. `--inject` turns on one of the demo service's fault knobs so the gate can be seen failing."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from slocheck.app.pipeline import Clock, LoadOverrides, RunRequest, RunResult, execute_run
from slocheck.config.settings import Backends, BackendSettings, Settings
from slocheck_demo.processes import StackError
from slocheck_demo.stack import SERVICE_JOB, DemoStack

# Fault knobs of the demo service, by the name `--inject` takes, with the objectives each should break.
INJECTIONS: dict[str, tuple[str, ...]] = {
    "latency": ("--latency", "900"),
    "errors": ("--error-rate", "0.05"),
    "llm-errors": ("--llm-error-rate", "0.25"),
}
SCRAPED_JOBS = (SERVICE_JOB, "redis", "postgres")


@dataclass(frozen=True)
class DemoRequest:
    slo_file: Path
    scenario: Path
    profile: str
    out_root: Path
    workdir: Path
    inject: str | None = None
    users: int | None = None
    duration: float | None = None
    workers: int = 0
    baseline: str | None = None
    baseline_any: bool = False


def wait_for_scrapes(prometheus_url: str, jobs: Sequence[str], timeout: float = 30.0) -> None:
    """Block until Prometheus has scraped every job up at least twice, so rate() has data from the start."""
    selector = f'up{{job=~"{"|".join(jobs)}"}}'
    query = f"count((count_over_time({selector}[1m]) >= 2) and ({selector} == 1))"
    url = f"{prometheus_url}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as response:
            result = json.load(response)["data"]["result"]
        if result and int(float(result[0]["value"][1])) >= len(jobs):
            return
        time.sleep(0.5)
    raise StackError(f"Prometheus did not scrape {', '.join(jobs)} within {timeout:g}s; see {prometheus_url}/targets")


def run_demo(
    request: DemoRequest,
    *,
    say: Callable[[str], None],
    clock: Clock,
    on_progress: Callable[..., None] | None = None,
) -> RunResult:
    service_args = INJECTIONS[request.inject] if request.inject else ()
    say("starting the demo stack: Redis, PostgreSQL, both exporters, the demo service and Prometheus (127.0.0.1)")
    with DemoStack(request.workdir, service_args) as stack:
        assert stack.urls is not None
        wait_for_scrapes(stack.urls.prometheus, SCRAPED_JOBS)
        say(f"demo service {stack.urls.service}, Prometheus {stack.urls.prometheus}")
        settings = Settings(backends=Backends(prometheus=BackendSettings(url=stack.urls.prometheus, retry_budget=10)))
        run = RunRequest(
            slo_files=(request.slo_file,),
            scenario=request.scenario,
            profile=request.profile,
            profiles_file=None,
            host=stack.urls.service,
            out_root=request.out_root,
            overrides=LoadOverrides(users=request.users, duration=request.duration),
            workers=request.workers,
            baseline=request.baseline,
            baseline_any=request.baseline_any,
        )
        return execute_run(run, settings, say=say, clock=clock, on_progress=on_progress)
