"""OpenTelemetry is the `trace` extra (`pip install 'slocheck[trace]'`): whether it is installed, and the one-line
error when tracing is on without it. Checked before any load; OpenTelemetry itself is never imported here."""

from __future__ import annotations

import os
from importlib.util import find_spec

from slocheck.core.errors import ConfigError

INSTALL_HINT = "pip install 'slocheck[trace]'"
OTLP_ENV = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_MODULES = ("opentelemetry.sdk", "opentelemetry.proto")


def tracing_reason(trace: bool) -> str | None:
    """What turns tracing on: `--trace`, or an OTLP endpoint in the environment; None when tracing is off."""
    if trace:
        return "--trace"
    return next((name for name in OTLP_ENV if os.environ.get(name)), None)


def tracing_installed() -> bool:
    for module in _MODULES:
        try:
            if find_spec(module) is None:
                return False
        except ModuleNotFoundError:  # a parent package is missing
            return False
    return True


def require_tracing(trace: bool) -> None:
    """Raise the one-line error when tracing is on but OpenTelemetry is not installed."""
    reason = tracing_reason(trace)
    if reason is not None and not tracing_installed():
        raise ConfigError(
            f"{reason} turns on tracing, which needs OpenTelemetry (the slocheck[trace] extra): {INSTALL_HINT}"
        )
