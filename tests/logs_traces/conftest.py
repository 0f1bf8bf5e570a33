"""Servers for the logs-and-traces tests: fake Loki and Jaeger (real HTTP), an OTLP receiver, and the real
Prometheus of the integration tests (its fixtures are reused as they are)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import known_exporter, prometheus, slo_file
from tests.logs_traces.fake_jaeger import FakeJaeger
from tests.logs_traces.fake_loki import FakeLoki
from tests.logs_traces.otlp_receiver import OtlpReceiver
from tests.support import net

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
    return net.closed_url()
