"""`slocheck demo` and `slocheck demo-service`: the demo package's commands, added to `slocheck` through the
`slocheck.commands` entry point (see demo/pyproject.toml and `slocheck.cli.plugins`).

As in slocheck's own command modules, the heavy imports (Locust, the pipeline, aiohttp) happen inside the commands.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.evidence import OutputPaths
from slocheck.cli import options
from slocheck.cli.load import DEFAULT_RUNS_ROOT, PASS_THROUGH, parse_workers
from slocheck.cli.options import BaselineAnyOption, BaselineOption, DebugOption, emit, stderr_console
from slocheck.core.errors import ConfigError
from slocheck.core.timeparse import parse_positive_duration

app = typer.Typer(pretty_exceptions_enable=False, rich_markup_mode=None, add_completion=False)


@app.command()
def demo(
    inject: Annotated[
        str | None, typer.Option("--inject", help="Turn on a fault in the demo service: latency, errors, llm-errors.")
    ] = None,
    slo: Annotated[Path, typer.Option("--slo", help="SLO file to evaluate.")] = Path("slo/demo.yaml"),
    scenario: Annotated[Path, typer.Option("--scenario")] = Path("scenarios/agent_platform.py"),
    profile: Annotated[str, typer.Option("--profile")] = "smoke",
    users: Annotated[int | None, typer.Option("--users")] = None,
    duration: Annotated[str | None, typer.Option("--duration")] = None,
    workers: Annotated[str, typer.Option("--workers", help="N or auto (0 = in-process).")] = "0",
    out: Annotated[Path, typer.Option("--out", help="Root of the run directories.")] = DEFAULT_RUNS_ROOT,
    baseline: BaselineOption = None,
    baseline_any: BaselineAnyOption = False,
    debug: DebugOption = False,
) -> int:
    """The whole loop on this machine: demo service + Redis + PostgreSQL + exporters + Prometheus, load, verdict."""
    from slocheck.load.progress import ProgressReporter
    from slocheck_demo.run_demo import INJECTIONS, DemoRequest, run_demo

    if inject is not None and inject not in INJECTIONS:
        raise ConfigError(f'--inject "{inject}": choose one of {", ".join(INJECTIONS)}')
    load_seconds = None if duration is None else parse_positive_duration(duration, "--duration")
    console = stderr_console()
    with tempfile.TemporaryDirectory(prefix="slocheck-demo-") as workdir, ProgressReporter(console) as progress:
        request = DemoRequest(
            slo, scenario, profile, out, Path(workdir), inject, users, load_seconds, parse_workers(workers),
            baseline, baseline_any,
        )  # fmt: skip
        result = run_demo(
            request,
            say=lambda message: console.print(message, markup=False, highlight=False),
            clock=options.clock,
            on_progress=progress,
        )
    # every format, in the run dir
    code = emit(
        result.evaluation, result.document, OutputPaths(run_dir=result.run_dir), result.exit_code,
        result.output_failures,
    )  # fmt: skip
    console.print(f"artifacts: {result.run_dir}", markup=False)
    return code


@app.command(name="demo-service", context_settings=PASS_THROUGH, add_help_option=False)
def demo_service(ctx: typer.Context) -> int:
    """Run the bundled demo service (system under test); --help lists its options."""
    from slocheck_demo.service import main as service_main

    return service_main(list(ctx.args))
