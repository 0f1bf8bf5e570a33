"""CLI commands that drive load: `run`, `worker` (`demo` and `demo-service` are in the demo package, demo/).

Their heavy imports (Locust, the pipeline) happen inside the commands: `slocheck validate` stays fast, and
`__main__` has already imported Locust first for these commands (gevent must patch before `requests`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.backends import parse_vars
from slocheck.app.evidence import OutputPaths
from slocheck.app.files import write_atomic
from slocheck.cli import options
from slocheck.cli.app import app
from slocheck.cli.options import (
    BackendFlags,
    BaselineAnyOption,
    BaselineOption,
    CaBundleOption,
    ConfigOption,
    DebugOption,
    GrafanaUrlOption,
    HtmlOption,
    InsecureOption,
    JaegerUrlOption,
    JsonOption,
    JunitOption,
    LokiTenantOption,
    LokiUrlOption,
    MarkdownOption,
    PromUrlOption,
    ReportDirOption,
    RequireGrafanaOption,
    VarOption,
    emit,
    settings_from,
    stderr_console,
)
from slocheck.core.errors import ConfigError, OutputError
from slocheck.core.timeparse import parse_positive_duration

DEFAULT_RUNS_ROOT = Path(".slocheck/runs")
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def parse_workers(value: str) -> int:
    """`--workers auto` is one worker process per core; a number is that many; 0 runs in this process."""
    if value == "auto":
        return os.cpu_count() or 1
    try:
        workers = int(value)
    except ValueError:
        raise ConfigError(f'--workers "{value}": expected a number of worker processes or "auto"') from None
    if workers < 0:
        raise ConfigError(f"--workers {workers}: must be 0 (in-process) or more")
    return workers


def _duration(value: str | None, option: str = "--duration") -> float | None:
    return None if value is None else parse_positive_duration(value, option)


@app.command()
def run(
    files: Annotated[list[Path], typer.Argument(help="SLO files to evaluate over the load's window.")],
    scenario: Annotated[Path, typer.Option("--scenario", help="A Locust file (any existing locustfile works).")],
    host: Annotated[str, typer.Option("--host", help="Base URL of the system under test.")],
    profile: Annotated[str, typer.Option("--profile", help="Load profile name (smoke, baseline, …).")] = "smoke",
    profiles: Annotated[Path | None, typer.Option("--profiles", help="Extra profiles file (YAML).")] = None,
    users: Annotated[int | None, typer.Option("--users", help="Override the profile's users.")] = None,
    spawn_rate: Annotated[float | None, typer.Option("--spawn-rate", help="Override users started per second.")] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Override the profile's duration (30s, 5m).")
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", help="Open model: start iterations at this rate (200/s, 600/m).")
    ] = None,
    max_users: Annotated[
        int | None, typer.Option("--max-users", help="Open model: users executing iterations (default: from rate).")
    ] = None,
    workers: Annotated[
        str, typer.Option("--workers", help="Local worker processes: N or auto (0 = in-process).")
    ] = "0",
    expect_workers: Annotated[int, typer.Option("--expect-workers", help="Remote workers to wait for.")] = 0,
    master_bind_host: Annotated[
        str, typer.Option("--master-bind-host", help="Master address for remote workers.")
    ] = "127.0.0.1",
    out: Annotated[Path, typer.Option("--out", help="Root of the run directories.")] = DEFAULT_RUNS_ROOT,
    settle: Annotated[
        str | None, typer.Option("--settle", help="Wait after the load (default: scrape interval + 2 s).")
    ] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Send W3C traceparent and client spans over OTLP.")] = False,
    trace_sample: Annotated[float, typer.Option("--trace-sample", help="Share of requests traced (0..1).")] = 1.0,
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Exit 1 on WARN.")] = False,
    json_path: JsonOption = None,
    junit: JunitOption = None,
    markdown: MarkdownOption = None,
    report_dir: ReportDirOption = None,
    html: HtmlOption = None,
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    loki_url: LokiUrlOption = None,
    loki_tenant: LokiTenantOption = None,
    jaeger_url: JaegerUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    grafana_url: GrafanaUrlOption = None,
    require_grafana: RequireGrafanaOption = False,
    allow_production: Annotated[
        bool, typer.Option("--allow-production", help="Send load to a host matching protected_hosts.")
    ] = False,
    baseline: BaselineOption = None,
    baseline_any: BaselineAnyOption = False,
    debug: DebugOption = False,
) -> int:
    """Validate, drive load with Locust, then measure every objective over exactly the load's window."""
    from slocheck.app.pipeline import LoadOverrides, RunRequest, execute_run
    from slocheck.load.progress import ProgressReporter

    outputs = OutputPaths(json_path, junit, markdown, report_dir, html)
    outputs.check_writable()
    request = RunRequest(
        slo_files=tuple(files),
        scenario=scenario,
        profile=profile,
        profiles_file=profiles,
        host=host,
        out_root=out,
        overrides=LoadOverrides(users, spawn_rate, _duration(duration), rate, max_users),
        variables=parse_vars(var),
        workers=parse_workers(workers),
        expect_workers=expect_workers,
        master_bind_host=master_bind_host,
        settle_seconds=_duration(settle, "--settle"),
        fail_on_warn=fail_on_warn,
        trace=trace,
        trace_sample=trace_sample,
        require_grafana=require_grafana,
        allow_production=allow_production,
        baseline=baseline,
        baseline_any=baseline_any,
    )
    settings = settings_from(
        config, BackendFlags(prometheus_url, loki_url, loki_tenant, jaeger_url, grafana_url, ca_bundle, insecure)
    )
    console = stderr_console()
    with ProgressReporter(console) as progress:
        result = execute_run(
            request,
            settings,
            say=lambda message: console.print(message, markup=False, highlight=False),
            clock=options.clock,
            on_progress=progress,
        )
    failures = [*result.output_failures, *_copy_html(html, result.run_dir)]
    return emit(result.evaluation, result.document, _with_run_dir(outputs, result.run_dir), result.exit_code, failures)


def _copy_html(html: Path | None, run_dir: Path) -> list[OutputError]:
    """`--html`: the pipeline's full report (with Locust history and run context), not a re-render; `-` = stdout."""
    if html is None:
        return []
    try:
        text = (run_dir / "report.html").read_text(encoding="utf-8")
    except OSError as exc:
        return [OutputError(f"cannot write {html}: the run's report.html is missing ({exc.strerror})")]
    if str(html) == "-":
        sys.stdout.write(text)  # the table goes to stderr
        return []
    try:
        write_atomic(html, text)
    except OutputError as exc:
        return [exc]
    return []


def _with_run_dir(outputs: OutputPaths, run_dir: Path) -> OutputPaths:
    """The run directory always gets every format; explicit paths are written as well."""
    # The run's report.html is the pipeline's full one; `--html -` is written by `run` itself.
    return replace(outputs, run_dir=run_dir, html=None, stdout_taken=outputs.stdout_busy)


@app.command(context_settings=PASS_THROUGH, add_help_option=False)
def worker(ctx: typer.Context) -> int:
    """Run a Locust worker for a distributed run: --master-host H --master-port P --scenario FILE."""
    from slocheck.load.worker import main as worker_main

    return worker_main(list(ctx.args))
