"""`slocheck init`: a starter SLO file from what a service's metrics in Prometheus show."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.init_slo import build_starter, render_starter
from slocheck.cli import options
from slocheck.cli.app import app
from slocheck.cli.options import (
    BackendFlags,
    CaBundleOption,
    ConfigOption,
    DebugOption,
    InsecureOption,
    PromUrlOption,
    settings_from,
    stderr_console,
)
from slocheck.core.errors import ConfigError
from slocheck.interop.common import slug
from slocheck.sources.prometheus import PrometheusBackend


@app.command()
def init(
    prometheus_url: PromUrlOption = None,
    job: Annotated[
        str | None, typer.Option("--job", help="Only the series of this Prometheus job (the service).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the file (default slo/<job or service>.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file when it exists.")] = False,
    config: ConfigOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Write a starter SLO file with real queries for the metrics Prometheus has (bars left for you to set)."""
    name = slug(job or "service")
    target = output or Path("slo") / f"{name}.yaml"
    if target.exists() and not force:
        raise ConfigError(f"{target} exists; pass --force to replace it, or -o another file")
    settings = settings_from(config, BackendFlags(prometheus_url, ca_bundle=ca_bundle, insecure=insecure))
    if not settings.backends.prometheus.url:
        raise ConfigError("init needs Prometheus: pass --prometheus-url or set SLOCHECK_PROMETHEUS_URL")
    backend = PrometheusBackend(settings.backends.prometheus)
    try:
        starter = build_starter(backend, job, options.clock())
    finally:
        backend.close()
    text = render_starter(name, job or "service", job, backend.shown_url, starter)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    err = stderr_console()
    for candidate, reason in starter.dropped:
        err.print(f"left out {candidate.name}: {reason}", markup=False)
    kept = ", ".join(k.candidate.name for k in starter.kept)
    err.print(f"wrote {target}: {len(starter.kept)} objective(s) ({kept}); set every bar marked SET YOUR BAR",
              markup=False)  # fmt: skip
    return 0
