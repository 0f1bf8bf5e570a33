"""Fixtures for the HTTP seam's tests: the fault suite's fake Prometheus (real HTTP on 127.0.0.1) and a
self-signed certificate."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest

from tests.faults.fake_prometheus import FakePrometheus
from tests.tls import self_signed_certificate


@pytest.fixture
def fake_prometheus() -> Iterator[FakePrometheus]:
    with FakePrometheus() as server:
        yield server


@pytest.fixture
def other_prometheus() -> Iterator[FakePrometheus]:
    """A second server: another origin to redirect to."""
    with FakePrometheus() as server:
        yield server


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "server")


@pytest.fixture(autouse=True)
def collect_garbage() -> Iterator[None]:
    """Free sockets of HTTP clients the test dropped (warnings are errors in this suite)."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
