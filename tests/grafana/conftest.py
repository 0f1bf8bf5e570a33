"""Fixtures for the Grafana tests: settings pointing at the fake Grafana (fixture `grafana`, tests/support),
and the Grafana CLI commands registered on the app (cli.py imports them at its end)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

import slocheck.cli.main  # noqa: F401 - registers every command (annotate, dashboards) on the app
from slocheck.config.settings import GrafanaSettings
from tests.support.fake_grafana import TOKEN, FakeGrafana
from tests.support.net import closed_port


@pytest.fixture
def settings(grafana: FakeGrafana) -> GrafanaSettings:
    return GrafanaSettings(url=grafana.url, token=SecretStr(TOKEN), timeout=5, retry_budget=2)


@pytest.fixture
def down_settings() -> GrafanaSettings:
    return GrafanaSettings(url=f"http://127.0.0.1:{closed_port()}", token=SecretStr(TOKEN), timeout=1, retry_budget=0.3)
