"""Backend settings from `slocheck.yaml`, `SLOCHECK_*` environment variables and CLI flags.

Precedence: CLI flag > environment > config file > default. Secrets are written in the config as
`${ENV_NAME}` and expanded from the environment, so no token ever has to sit in a file.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool, ValidationError, field_validator

from slocheck.config.guard import DEFAULT_PROTECTED_HOSTS
from slocheck.core.errors import ConfigError, one_line
from slocheck.core.spec.loader import TooLarge, read_bounded
from slocheck.core.spec.yamldoc import Located, YamlSyntaxError, load_documents
from slocheck.core.units import Kind, UnitError, parse_duration, parse_quantity

DEFAULT_CONFIG_NAME = "slocheck.yaml"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MEASURE_DEADLINE = 600.0
MAX_CONFIG_BYTES = 1024 * 1024
# Where each key of a config file read in this process was (for file:line:col in validation errors).
_CONFIG_POSITIONS: dict[str, Located] = {}
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
    insecure: StrictBool = False
    timeout: float = 30.0
    retry_budget: float = 20.0
    concurrency: int = Field(default=16, ge=1, le=256)
    # The largest answer body read from this backend (read streaming, the cap enforced while reading).
    max_body: int = Field(default=DEFAULT_MAX_BODY, gt=0)

    @field_validator("timeout", "retry_budget", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return duration_field(value)

    @field_validator("max_body", mode="before")
    @classmethod
    def _size(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_size(value)
        return value

    @field_validator("timeout")
    @classmethod
    def _positive_timeout(cls, value: float) -> float:
        if not value > 0 or value == float("inf"):
            raise ValueError(f"must be a positive duration such as 10s (got {value:g} s)")
        return value

    @field_validator("retry_budget")
    @classmethod
    def _budget_not_negative(cls, value: float) -> float:
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"must be a duration of 0s or more, such as 20s (got {value:g} s)")
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle_exists(cls, value: str | None) -> str | None:
        if value is not None and not os.path.isfile(value):
            raise ValueError(f"CA bundle {value} is not a readable file; give the path of a PEM file")
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
        return duration_field(value)


def duration_field(value: object) -> object:
    """A duration key as people write it (`30s`, `10m`), before pydantic checks the number."""
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
    located = _parse_config(path)
    if located is None:
        return {}, str(path)
    if not isinstance(located.data, dict):
        raise ConfigError(f"{path}: the config must be a mapping with a backends: section")
    _CONFIG_POSITIONS[str(path)] = located
    return _expand_env(located.data, environ, str(path)), str(path)


def _parse_config(path: Path) -> Located | None:
    """The config's one YAML document with positions, or None when it is empty; duplicate keys are refused."""
    try:
        text = read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
        documents = load_documents(text)
    except TooLarge:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 2**20} MiB; is it a slocheck config?") from None
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; pass --config PATH or create {DEFAULT_CONFIG_NAME}"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory; pass the config file (e.g. {DEFAULT_CONFIG_NAME})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8") from None
    except YamlSyntaxError as exc:
        where = f":{exc.line}:{exc.column}" if exc.line is not None else ""
        raise ConfigError(one_line(f"{path}{where}: {exc} in the config file")) from None
    if len(documents) > 1:
        raise ConfigError(f"{path}: holds {len(documents)} YAML documents; a config file is one mapping")
    if not documents:
        return None
    located = documents[0]
    if located.duplicates:
        key_path, (line, column) = located.duplicates[0]
        raise ConfigError(f"{path}:{line}:{column}: {'.'.join(map(str, key_path))}: duplicate key; keep one")
    return located


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
            shared = {"ca_bundle": "--ca-bundle", "insecure": "--insecure"}  # one flag for every backend
            origins[(backend, key)] = shared.get(key) or f"--{backend}-{key.replace('_', '-')}"
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(str(p) for p in first["loc"])
        message = _message(first, loc)
        origin = origins.get((loc[1], loc[2])) if len(loc) >= 3 and loc[0] == "backends" else None
        if origin is not None:
            raise ConfigError(one_line(f"{origin}: {message}")) from None
        raise ConfigError(one_line(f"{_located(source, loc)}: {'.'.join(loc)}: {message}")) from None


def _message(error: Any, loc: tuple[str, ...]) -> str:
    """Pydantic's message, with a did-you-mean for an unknown key."""
    if error["type"] == "extra_forbidden":
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else f"; known keys: {', '.join(known)}"
        return f"unknown key{hint}"
    return str(error.get("ctx", {}).get("error", error["msg"]))


def _known_keys(parent: tuple[str, ...]) -> list[str]:
    model: Any = Settings
    for name in parent:
        field = model.model_fields.get(name)
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return sorted(model.model_fields)


def _located(source: str, loc: tuple[str, ...]) -> str:
    """`file:line:col` of the key at `loc` (or its closest parent) when the config file says where."""
    located = _CONFIG_POSITIONS.get(source)
    position = located.position(loc, key=True) if located is not None else None
    return f"{source}:{position[0]}:{position[1]}" if position else source
