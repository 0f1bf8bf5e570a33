import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.counting_server import CountingServer

DATA = Path(__file__).parent / "data"


@pytest.fixture
def server() -> Iterator[CountingServer]:
    """A real HTTP server on 127.0.0.1 that counts what it receives (200s, 500 on /fail)."""
    with CountingServer() as running:
        yield running


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def collect_load_garbage() -> Iterator[None]:
    """Collect the HTTP clients of finished Locust users inside the test that created them.

    Locust never closes a stopped user's `requests` session; slocheck closes them after a run, but a socket still
    referenced by a discarded response is only freed by the garbage collector, with a ResourceWarning that
    pytest (warnings as errors) would pin on whichever later test happens to trigger the collection.
    """
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
