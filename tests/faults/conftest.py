"""Fixtures for the fault tests: a target that counts every request it gets, fake Prometheus and Grafana servers
(real HTTP on 127.0.0.1), a self-signed certificate, and the real servers of the integration and end-to-end suites
(a Prometheus scraping a known exporter; the demo stack), reused as they are."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import demo_stack
from tests.grafana.fake_grafana import FakeGrafana
from tests.integration.conftest import known_exporter, prometheus
from tests.load.server import CountingServer
from tests.support.tls import self_signed_certificate

from .fake_prometheus import FakePrometheus

__all__ = ["demo_stack", "known_exporter", "prometheus"]


@pytest.fixture
def target() -> Iterator[CountingServer]:
    """The system under test: counts every request (200s; 500 on /fail)."""
    with CountingServer(delay=0.0) as server:
        yield server


@pytest.fixture
def grafana() -> Iterator[FakeGrafana]:
    with FakeGrafana() as server:
        yield server


@pytest.fixture
def fake_prometheus() -> Iterator[FakePrometheus]:
    with FakePrometheus() as server:
        yield server


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, made by `openssl`."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "server")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The working directory of the slocheck subprocess (no slocheck.yaml in it)."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def collect_garbage() -> Iterator[None]:
    """Free sockets of HTTP clients the test dropped inside the test (warnings are errors in this suite)."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
