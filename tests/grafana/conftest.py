"""Fixtures for the Grafana tests: a fake Grafana (a real HTTP server on 127.0.0.1), settings pointing at it,
and the Grafana CLI commands registered on the app (cli.py imports them at its end)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

import slocheck.cli.main  # noqa: F401 - registers every command (annotate, dashboards) on the app
from slocheck.config.settings import GrafanaSettings

from .fake_grafana import TOKEN, FakeGrafana

REPO_ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def grafana() -> Iterator[FakeGrafana]:
    with FakeGrafana() as server:
        yield server


@pytest.fixture
def settings(grafana: FakeGrafana) -> GrafanaSettings:
    return GrafanaSettings(url=grafana.url, token=SecretStr(TOKEN), timeout=5, retry_budget=2)


@pytest.fixture
def down_settings() -> GrafanaSettings:
    return GrafanaSettings(url=f"http://127.0.0.1:{closed_port()}", token=SecretStr(TOKEN), timeout=1, retry_budget=0.3)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOCHECK_* variables, no slocheck.yaml, plain wide console output."""
    for name in list(os.environ):
        if name.startswith("SLOCHECK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def grafana_env(grafana: FakeGrafana, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGrafana:
    """The CLI configured through the environment, as a pipeline would."""
    monkeypatch.setenv("SLOCHECK_GRAFANA_URL", grafana.url)
    monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", TOKEN)
    return grafana
