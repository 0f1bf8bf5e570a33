"""`slocheck validate` and `slocheck evaluate`: SLO files checked, or measured over a window without load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.backends import parse_vars
from slocheck.app.evaluate_window import WindowRequest, evaluate_window, validate_online
from slocheck.app.evidence import OutputPaths
from slocheck.app.phases import load_specs
from slocheck.cli import options
from slocheck.cli.app import app
from slocheck.cli.options import (
    BackendFlags,
    BaselineAnyOption,
    BaselineOption,
    CaBundleOption,
    ConfigOption,
    DebugOption,
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
    SloFiles,
    VarOption,
    emit,
    settings_from,
    stderr_console,
    stdout_console,
)
from slocheck.core.timeparse import naive_time_notes, resolve_window


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
    variables = parse_vars(var)
    if online:
        settings = settings_from(
            config, BackendFlags(prometheus_url, loki_url, loki_tenant, jaeger_url, None, ca_bundle, insecure)
        )
        specs, warnings = validate_online(files, variables, settings, options.clock())
        for warning in warnings:  # e.g. a latency bar between two histogram buckets: valid, but imprecise
            stderr_console().print(f"warning: {warning}", markup=False)
    else:
        specs = load_specs(files, variables)
    checked = " and every query parses" if online else ""
    count = f"{len(files)} file(s), {len(specs.sets)} SLO set(s), {len(specs.objectives)} objective(s)"
    stdout_console().print(f"ok: {count} are valid{checked}", markup=False)
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
    baseline: BaselineOption = None,
    baseline_any: BaselineAnyOption = False,
    out: Annotated[Path, typer.Option("--out", help="Root of the run directories (for --baseline).")] = Path(
        ".slocheck/runs"
    ),
    debug: DebugOption = False,
) -> int:
    """Measure every objective over a window (no load) and print the verdict."""
    window = resolve_window(start, end, last, options.clock())
    outputs = OutputPaths(json_path, junit, markdown, report_dir, html)
    outputs.check_writable()
    settings = settings_from(
        config, BackendFlags(prometheus_url, loki_url, loki_tenant, jaeger_url, None, ca_bundle, insecure)
    )
    notes = tuple(naive_time_notes(from_=start, to=end))
    request = WindowRequest(
        files, parse_vars(var), window, fail_on_warn, baseline=baseline, baseline_any=baseline_any, runs_root=out,
        notes=notes,
    )  # fmt: skip
    result = evaluate_window(request, settings, clock=options.clock)
    for warning in result.warnings:
        stderr_console().print(f"warning: {warning}", markup=False)
    if result.interrupted:
        stderr_console().print("interrupted while measuring: the evidence holds what was measured", markup=False)
    return emit(result.evaluation, result.document, outputs, result.exit_code)
