"""The `slocheck` command line: parse, build backends from settings, call the core, render, exit."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from slocheck import __version__
from slocheck.errors import SlocheckError, SpecError
from slocheck.evaluate import evaluate, exit_code_for
from slocheck.files import ensure_writable, write_atomic
from slocheck.measure import measure_all
from slocheck.model import Evaluation
from slocheck.report.console import print_evaluation
from slocheck.report.json_report import render_json, result_document
from slocheck.settings import Settings, load_settings
from slocheck.spec.loader import load_slo_files
from slocheck.timeparse import resolve_window
from slocheck.wiring import all_objectives, build_sources, check_queries, parse_vars

app = typer.Typer(
    name="slocheck",
    help="Tell, with evidence, whether a release meets its SLOs under load.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)

# The clock is injected so tests can pin "now".
Clock = Callable[[], datetime]
clock: Clock = lambda: datetime.now(UTC)  # noqa: E731

SloFiles = Annotated[list[Path], typer.Argument(help="SLO files (YAML, one or more SLOSet documents each).")]
VarOption = Annotated[list[str], typer.Option("--var", help="Set a query variable: NAME=VALUE (repeatable).")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Config file (default ./slocheck.yaml).")]
PromUrlOption = Annotated[
    str | None, typer.Option("--prometheus-url", help="Prometheus base URL [env SLOCHECK_PROMETHEUS_URL].")
]
CaBundleOption = Annotated[Path | None, typer.Option("--ca-bundle", help="CA bundle for TLS verification.")]
InsecureOption = Annotated[bool, typer.Option("--insecure", help="Skip TLS verification (explicit opt-out).")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Console:
    return Console(highlight=False)


def _settings(config: Path | None, prometheus_url: str | None, ca_bundle: Path | None, insecure: bool) -> Settings:
    overrides: dict[tuple[str, str], object] = {("prometheus", "url"): prometheus_url}
    if ca_bundle is not None:
        overrides[("prometheus", "ca_bundle")] = str(ca_bundle)
    if insecure:
        overrides[("prometheus", "insecure")] = True
    return load_settings(config, cli_overrides=overrides)


@app.command()
def validate(
    files: SloFiles,
    online: Annotated[bool, typer.Option("--online", help="Also ask Prometheus to parse every query.")] = False,
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Check SLO files (offline by default; --online also checks every query against its backend)."""
    sets = load_slo_files(files, parse_vars(var))
    objectives = all_objectives(sets)
    out = stdout_console()
    if online:
        sources = build_sources(_settings(config, prometheus_url, ca_bundle, insecure), objectives)
        try:
            check_queries(sources, objectives, clock())
        finally:
            sources.close()
    checked = " and every query parses" if online else ""
    out.print(f"ok: {len(files)} file(s), {len(sets)} SLO set(s), {len(objectives)} objective(s) are valid{checked}")
    return 0


@app.command(name="evaluate")
def evaluate_command(
    files: SloFiles,
    start: Annotated[str | None, typer.Option("--from", help="Window start: RFC 3339, unix seconds or now-1h.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end (default now).")] = None,
    last: Annotated[str | None, typer.Option("--last", help="Window = the last DURATION (e.g. 15m).")] = None,
    json_path: Annotated[str | None, typer.Option("--json", help="Write result.json here ('-' = stdout).")] = None,
    var: VarOption = [],  # noqa: B006
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Exit 1 on WARN.")] = False,
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Measure every objective over a window (no load) and print the verdict."""
    now = clock()
    window = resolve_window(start, end, last, now)
    sets = load_slo_files(files, parse_vars(var))
    objectives = all_objectives(sets)
    if json_path and json_path != "-":
        ensure_writable(Path(json_path).parent, "--json")
    sources = build_sources(_settings(config, prometheus_url, ca_bundle, insecure), objectives)
    try:
        measurements = measure_all(objectives, window, sources)
    finally:
        sources.close()
    evaluation = evaluate(objectives, measurements, window)
    code = exit_code_for(evaluation.verdict, fail_on_warn=fail_on_warn)
    _emit(evaluation, code, json_path)
    return code


def _emit(evaluation: Evaluation, code: int, json_path: str | None) -> None:
    console = stderr_console() if json_path == "-" else stdout_console()
    print_evaluation(console, evaluation)
    if json_path:
        text = render_json(result_document(evaluation, exit_code=code, generated_at=clock()))
        if json_path == "-":
            sys.stdout.write(text)
        else:
            write_atomic(Path(json_path), text)
            console.print(f"result: {json_path}")


@app.command()
def version() -> None:
    """Print the slocheck version."""
    typer.echo(f"slocheck {__version__}")


def report_error(error: SlocheckError) -> None:
    console = stderr_console()
    if isinstance(error, SpecError):
        for problem in error.problems:
            console.print(f"error: {problem}", markup=False)
        files = len({p.file for p in error.problems})
        console.print(f"{len(error.problems)} problem(s) in {files} file(s); nothing was measured", markup=False)
        return
    for line in str(error).splitlines():
        console.print(f"error: {line}", markup=False)
