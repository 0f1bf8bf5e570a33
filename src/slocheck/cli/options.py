"""What every command shares: option types, consoles, the clock, backend settings from flags, evidence output."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from slocheck.app.evidence import OutputPaths, exit_code_with_evidence, write_outputs
from slocheck.config.settings import Settings, load_settings
from slocheck.core.errors import OutputError
from slocheck.core.model import Evaluation
from slocheck.report.console import print_evaluation

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
JunitOption = Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML here ('-' = stdout).")]
MarkdownOption = Annotated[
    Path | None, typer.Option("--markdown", help="Write a Markdown summary here ('-' = stdout).")
]
HtmlOption = Annotated[
    Path | None, typer.Option("--html", help="Write the self-contained HTML report here ('-' = stdout).")
]
ReportDirOption = Annotated[
    Path | None, typer.Option("--report-dir", help="Write result.json, junit.xml and report.md into this directory.")
]
BaselineOption = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        help="Judge against an earlier run: last-pass, last, a run id or a run directory (docs/baselines.md).",
    ),
]
BaselineAnyOption = Annotated[
    bool, typer.Option("--baseline-any", help="Accept a baseline of another scenario, profile or SLO set.")
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


def emit(
    evaluation: Evaluation,
    document: Mapping[str, Any],
    outputs: OutputPaths,
    exit_code: int,
    failures: Sequence[OutputError] = (),
) -> int:
    """The console table (on stderr when stdout carries JSON), then every requested file; returns the exit code,
    which is 3 instead of 0 when a file could not be written (see `exit_code_with_evidence`)."""
    console = stderr_console() if outputs.stdout_busy else stdout_console()
    print_evaluation(console, evaluation)
    written = write_outputs(document, outputs)
    for path in written.files:
        console.print(f"wrote {path}", markup=False)
    return report_output_failures([*failures, *written.failures], exit_code)


def report_output_failures(failures: Sequence[OutputError], exit_code: int) -> int:
    """One `error:` line per file that could not be written, and what that does to the exit code."""
    final = exit_code_with_evidence(exit_code, failures)
    errors = stderr_console()
    for failure in failures:
        errors.print(f"error: {failure}", markup=False)
    if failures:
        kept = "the verdict's exit code stands" if final == exit_code else "exit 3: the gate never passes without it"
        errors.print(f"error: the evidence is incomplete ({len(failures)} file(s) not written); {kept}", markup=False)
    return final
