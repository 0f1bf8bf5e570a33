"""Servers for the logs-and-traces tests: fake Loki and Jaeger (real HTTP), an OTLP receiver, and the real
Prometheus of the integration tests (its fixtures are reused as they are)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import known_exporter, prometheus, slo_file
from tests.logs_traces.fake_jaeger import FakeJaeger
from tests.logs_traces.fake_loki import FakeLoki
from tests.logs_traces.otlp_receiver import OtlpReceiver

__all__ = ["known_exporter", "prometheus", "slo_file"]

TENANT = "team-a"


@pytest.fixture
def fake_loki() -> Iterator[FakeLoki]:
    loki = FakeLoki().start()
    yield loki
    loki.stop()


@pytest.fixture
def fake_jaeger() -> Iterator[FakeJaeger]:
    jaeger = FakeJaeger().start()
    yield jaeger
    jaeger.stop()


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def closed_url() -> str:
    """An http URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOCHECK_*/OTEL_* variables from the caller, and a working directory without a slocheck.yaml."""
    for name in list(os.environ):
        if name.startswith(("SLOCHECK_", "OTEL_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
