"""Fixtures for every test folder (registered as a plugin by the root conftest.py): a clean environment, the fake
servers (real HTTP on 127.0.0.1), a self-signed certificate, and a garbage collection after each test."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import net
from tests.support.counting_server import CountingServer
from tests.support.env import use_clean_env
from tests.support.fake_grafana import TOKEN, FakeGrafana
from tests.support.fake_jaeger import FakeJaeger
from tests.support.fake_loki import FakeLoki
from tests.support.fake_prometheus import FakePrometheus
from tests.support.http_server import serving
from tests.support.otlp_receiver import OtlpReceiver
from tests.support.tls import self_signed_certificate


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOCHECK_*/OTEL_*/GITHUB_* variables from the caller, wide plain output, and a working directory
    (tmp_path, returned) without a slocheck.yaml."""
    return use_clean_env(monkeypatch, tmp_path)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The working directory of a slocheck subprocess (no slocheck.yaml in it)."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def closed_url() -> str:
    """An http URL on which nothing listens."""
    return net.closed_url()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, made by `openssl`."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "server")


@pytest.fixture
def target() -> Iterator[CountingServer]:
    """The system under test: counts every request (200s; 500 on /fail)."""
    yield from serving(CountingServer(delay=0.0))


@pytest.fixture
def fake_prometheus() -> Iterator[FakePrometheus]:
    yield from serving(FakePrometheus())


@pytest.fixture
def grafana() -> Iterator[FakeGrafana]:
    yield from serving(FakeGrafana())


@pytest.fixture
def grafana_env(grafana: FakeGrafana, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGrafana:
    """The CLI configured through the environment, as a pipeline would."""
    monkeypatch.setenv("SLOCHECK_GRAFANA_URL", grafana.url)
    monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", TOKEN)
    return grafana


@pytest.fixture
def fake_loki() -> Iterator[FakeLoki]:
    yield from serving(FakeLoki())


@pytest.fixture
def fake_jaeger() -> Iterator[FakeJaeger]:
    yield from serving(FakeJaeger())


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    yield from serving(OtlpReceiver())


@pytest.fixture(autouse=True)
def collect_garbage() -> Iterator[None]:
    """Free sockets of HTTP clients a test dropped inside that test (warnings are errors in this suite)."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
