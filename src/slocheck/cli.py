"""The `slocheck` command line: parse, build backends from settings, call the core, render, exit."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from slocheck import __version__
from slocheck.errors import SlocheckError, SpecError
from slocheck.evaluate import evaluate, exit_code_for
from slocheck.measure import measure_all
from slocheck.model import Evaluation
from slocheck.outputs import OutputPaths, write_outputs
from slocheck.report.console import print_evaluation
from slocheck.report.json_report import result_document
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
LokiUrlOption = Annotated[str | None, typer.Option("--loki-url", help="Loki base URL [env SLOCHECK_LOKI_URL].")]
LokiTenantOption = Annotated[
    str | None, typer.Option("--loki-tenant", help="Loki tenant (X-Scope-OrgID) [env SLOCHECK_LOKI_TENANT].")
]
JaegerUrlOption = Annotated[
    str | None, typer.Option("--jaeger-url", help="Jaeger query URL (port 16686) [env SLOCHECK_JAEGER_URL].")
]
GrafanaUrlOption = Annotated[
    str | None, typer.Option("--grafana-url", help="Grafana base URL [env SLOCHECK_GRAFANA_URL].")
]
RequireGrafanaOption = Annotated[
    bool,
    typer.Option(
        "--require-grafana", help="Stop before any load (exit 3) when Grafana cannot be reached or refuses the token."
    ),
]
CaBundleOption = Annotated[Path | None, typer.Option("--ca-bundle", help="CA bundle for TLS verification.")]
InsecureOption = Annotated[bool, typer.Option("--insecure", help="Skip TLS verification (explicit opt-out).")]
JsonOption = Annotated[str | None, typer.Option("--json", help="Write result.json here ('-' = stdout).")]
JunitOption = Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML here.")]
MarkdownOption = Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown summary here.")]
HtmlOption = Annotated[Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")]
ReportDirOption = Annotated[
    Path | None, typer.Option("--report-dir", help="Write result.json, junit.xml and report.md into this directory.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]


# Piped output (CI logs) is not wrapped at Rich's default of 80 columns: tables stay readable.
PIPED_WIDTH = 160


def _console(stderr: bool, soft_wrap: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


def stderr_console() -> Console:
    return _console(stderr=True, soft_wrap=True)


def stdout_console() -> Console:
    return _console(stderr=False)


@dataclass(frozen=True)
class BackendFlags:
    """Backend settings given on the command line; they win over the environment and slocheck.yaml."""

    prometheus_url: str | None = None
    loki_url: str | None = None
    loki_tenant: str | None = None
    jaeger_url: str | None = None
    grafana_url: str | None = None
    ca_bundle: Path | None = None
    insecure: bool = False


ALL_BACKENDS = ("prometheus", "loki", "jaeger", "grafana")


def settings_from(config: Path | None, flags: BackendFlags) -> Settings:
    overrides: dict[tuple[str, str], object] = {
        ("prometheus", "url"): flags.prometheus_url,
        ("loki", "url"): flags.loki_url,
        ("loki", "tenant"): flags.loki_tenant,
        ("jaeger", "url"): flags.jaeger_url,
        ("grafana", "url"): flags.grafana_url,
    }
    for backend in ALL_BACKENDS:  # TLS flags apply to every backend
        if flags.ca_bundle is not None:
            overrides[(backend, "ca_bundle")] = str(flags.ca_bundle)
        if flags.insecure:
            overrides[(backend, "insecure")] = True
    return load_settings(config, cli_overrides=overrides)


@app.command()
def validate(
    files: SloFiles,
    online: Annotated[bool, typer.Option("--online", help="Also ask Prometheus to parse every query.")] = False,
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    loki_url: LokiUrlOption = None,
    loki_tenant: LokiTenantOption = None,
    jaeger_url: JaegerUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Check SLO files (offline by default; --online also checks every query against its backend)."""
    sets = load_slo_files(files, parse_vars(var))
    objectives = all_objectives(sets)
    out = stdout_console()
    if online:
        sources = build_sources(
            settings_from(
                config, BackendFlags(prometheus_url, loki_url, loki_tenant, jaeger_url, None, ca_bundle, insecure)
            ),
            objectives,
        )
        try:
            warnings = check_queries(sources, objectives, clock())
        finally:
            sources.close()
        for warning in warnings:  # e.g. a latency bar between two histogram buckets: valid, but imprecise
            stderr_console().print(f"warning: {warning}", markup=False)
    checked = " and every query parses" if online else ""
    out.print(f"ok: {len(files)} file(s), {len(sets)} SLO set(s), {len(objectives)} objective(s) are valid{checked}")
    return 0


@app.command(name="evaluate")
def evaluate_command(
    files: SloFiles,
    start: Annotated[str | None, typer.Option("--from", help="Window start: RFC 3339, unix seconds or now-1h.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end (default now).")] = None,
    last: Annotated[str | None, typer.Option("--last", help="Window = the last DURATION (e.g. 15m).")] = None,
    json_path: JsonOption = None,
    junit: JunitOption = None,
    markdown: MarkdownOption = None,
    report_dir: ReportDirOption = None,
    html: HtmlOption = None,
    var: VarOption = [],  # noqa: B006
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Exit 1 on WARN.")] = False,
    config: ConfigOption = None,
    prometheus_url: PromUrlOption = None,
    loki_url: LokiUrlOption = None,
    loki_tenant: LokiTenantOption = None,
    jaeger_url: JaegerUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Measure every objective over a window (no load) and print the verdict."""
    now = clock()
    window = resolve_window(start, end, last, now)
    sets = load_slo_files(files, parse_vars(var))
    objectives = all_objectives(sets)
    outputs = OutputPaths(json_path, junit, markdown, report_dir, html)
    outputs.check_writable()
    sources = build_sources(
        settings_from(
            config, BackendFlags(prometheus_url, loki_url, loki_tenant, jaeger_url, None, ca_bundle, insecure)
        ),
        objectives,
    )
    try:
        measurements = measure_all(objectives, window, sources)
    finally:
        sources.close()
    evaluation = evaluate(objectives, measurements, window)
    code = exit_code_for(evaluation.verdict, fail_on_warn=fail_on_warn)
    emit(evaluation, result_document(evaluation, exit_code=code, generated_at=clock()), outputs)
    return code


def emit(evaluation: Evaluation, document: Mapping[str, Any], outputs: OutputPaths) -> None:
    """The console table (on stderr when stdout carries JSON), then every requested file."""
    console = stderr_console() if outputs.json == "-" else stdout_console()
    print_evaluation(console, evaluation)
    for path in write_outputs(document, outputs):
        console.print(f"wrote {path}", markup=False)


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


# The load commands register themselves on `app`; imported last because they import from this module.
from slocheck import commands_grafana, commands_load, commands_report  # noqa: E402, F401
