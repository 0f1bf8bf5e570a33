"""Fixtures of the HTTP seam's tests (the shared ones — fake_prometheus, certificate, work, target — come from
tests/support/fixtures.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.fake_prometheus import FakePrometheus
from tests.support.http_server import serving


@pytest.fixture
def other_prometheus() -> Iterator[FakePrometheus]:
    """A second server: another origin to redirect to."""
    yield from serving(FakePrometheus())


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
