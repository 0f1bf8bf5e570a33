"""Backend settings from `slocheck.yaml`, `SLOCHECK_*` environment variables and CLI flags.

Precedence: CLI flag > environment > config file > default. Secrets are written in the config as
`${ENV_NAME}` and expanded from the environment, so no token ever has to sit in a file.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from slocheck.config.guard import DEFAULT_PROTECTED_HOSTS
from slocheck.core.errors import ConfigError
from slocheck.core.units import Kind, UnitError, parse_duration, parse_quantity

DEFAULT_CONFIG_NAME = "slocheck.yaml"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MEASURE_DEADLINE = 600.0
_ENV_REF_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class BackendSettings(BaseModel):
    """Connection settings shared by every HTTP backend."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    ca_bundle: str | None = None
    insecure: bool = False
    timeout: float = 30.0
    retry_budget: float = 20.0
    concurrency: int = Field(default=16, ge=1, le=256)
    # The largest answer body read from this backend (read streaming, the cap enforced while reading).
    max_body: int = Field(default=DEFAULT_MAX_BODY, gt=0)

    @field_validator("timeout", "retry_budget", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except UnitError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("max_body", mode="before")
    @classmethod
    def _size(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_size(value)
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f'"{value}" is not an http(s) URL (e.g. http://127.0.0.1:9090)')
        return value.rstrip("/") if value else value


def parse_size(text: str) -> int:
    """`64MiB`, `500KB` or a plain number of bytes."""
    try:
        value, kind = parse_quantity(text)
    except UnitError:
        kind, value = Kind.RATIO, 0.0
    if kind not in (Kind.BYTES, Kind.NUMBER) or not math.isfinite(value):
        raise ValueError(f'"{text}" is not a size (e.g. 64MiB, 500KB, or a number of bytes)')
    return int(value)


class LokiSettings(BackendSettings):
    """Loki; `tenant` is sent as X-Scope-OrgID (join several with `|`)."""

    tenant: str | None = None


class JaegerSettings(BackendSettings):
    """Jaeger query service (port 16686); `ui_url` builds trace links when the UI lives elsewhere."""

    ui_url: str | None = None


class GrafanaSettings(BackendSettings):
    """Grafana for run annotations, dashboards and deep links."""

    org_id: int | None = None
    dashboard_uid: str | None = None
    panel_id: int | None = None
    prometheus_datasource_uid: str | None = None
    loki_datasource_uid: str | None = None
    timeout: float = 10.0
    retry_budget: float = 10.0


class Backends(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prometheus: BackendSettings = Field(default_factory=BackendSettings)
    loki: LokiSettings = Field(default_factory=LokiSettings)
    jaeger: JaegerSettings = Field(default_factory=JaegerSettings)
    grafana: GrafanaSettings = Field(default_factory=GrafanaSettings)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backends: Backends = Field(default_factory=Backends)
    # Glob patterns of target hosts that refuse load unless --allow-production (see guard.py).
    protected_hosts: list[str] = Field(default_factory=lambda: list(DEFAULT_PROTECTED_HOSTS))
    # How long measuring every objective may take as a whole; objectives still waiting then are ERROR.
    measure_deadline: float = Field(default=DEFAULT_MEASURE_DEADLINE, gt=0)

    @field_validator("measure_deadline", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except UnitError as exc:
                raise ValueError(str(exc)) from None
        return value


def _expand_env(value: Any, environ: Mapping[str, str], source: str) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise ConfigError(f"{source}: environment variable {name} is not set (referenced as ${{{name}}})")
            return environ[name]

        return _ENV_REF_RE.sub(replace, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, environ, source) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, environ, source) for v in value]
    return value


def _read_config(path: Path | None, environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    if path is None:
        named = environ.get("SLOCHECK_CONFIG")
        path = Path(named) if named else Path(DEFAULT_CONFIG_NAME)
        if not named and not path.exists():
            return {}, "defaults"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; pass --config PATH or create {DEFAULT_CONFIG_NAME}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML in the config file") from None
    if raw is None:
        return {}, str(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the config must be a mapping with a backends: section")
    return _expand_env(raw, environ, str(path)), str(path)


# SLOCHECK_<BACKEND>_<KEY>, e.g. SLOCHECK_PROMETHEUS_URL, SLOCHECK_GRAFANA_TOKEN, SLOCHECK_LOKI_TENANT.
_ENV_KEYS = ("url", "token", "username", "password", "tenant", "ca_bundle")
_ENV_OVERRIDES = {
    f"SLOCHECK_{backend.upper()}_{key.upper()}": (backend, key)
    for backend in ("prometheus", "loki", "jaeger", "grafana")
    for key in _ENV_KEYS
    if key != "tenant" or backend == "loki"
}


def load_settings(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cli_overrides: Mapping[tuple[str, str], object] | None = None,
) -> Settings:
    """Merge config file, environment and CLI flags into validated settings."""
    env = os.environ if environ is None else environ
    data, source = _read_config(config_path, env)
    backends = data.setdefault("backends", {})
    if not isinstance(backends, dict):
        raise ConfigError(f"{source}: backends must be a mapping (e.g. backends: {{prometheus: {{url: ...}}}})")
    # Where each overridden value came from, so an error names the variable or flag, not the file.
    origins: dict[tuple[str, str], str] = {}
    for variable, (backend, key) in _ENV_OVERRIDES.items():
        if env.get(variable):
            backends.setdefault(backend, {})[key] = env[variable]
            origins[(backend, key)] = f"environment variable {variable}"
    for (backend, key), value in (cli_overrides or {}).items():
        if value is not None:
            backends.setdefault(backend, {})[key] = value
            origins[(backend, key)] = f"--{backend}-{key.replace('_', '-')}"
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(str(p) for p in first["loc"])
        message = str(first.get("ctx", {}).get("error", first["msg"]))
        origin = origins.get((loc[1], loc[2])) if len(loc) >= 3 and loc[0] == "backends" else None
        if origin is not None:
            raise ConfigError(f"{origin}: {message}") from None
        raise ConfigError(f"{source}: {'.'.join(loc)}: {message}") from None
