import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.load.server import CountingServer

DATA = Path(__file__).parent / "data"


@pytest.fixture
def server() -> Iterator[CountingServer]:
    """A real HTTP server on 127.0.0.1 that counts what it receives (200s, 500 on /fail)."""
    with CountingServer() as running:
        yield running


@pytest.fixture
def data_dir() -> Path:
    return DATA
