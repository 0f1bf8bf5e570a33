"""Real servers for the demo tests: the demo service (subprocess) and the throwaway datastores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slocheck_demo.datastores import DatastoreStack
from tests.demo.helpers import DemoClient, running


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClient]:
    """The demo service with its in-process stand-ins and default knobs."""
    with running(DemoClient(tmp_path_factory.mktemp("service"))) as client:
        yield client


@pytest.fixture(scope="module")
def token(service: DemoClient) -> str:
    return service.token()


@pytest.fixture(scope="session")
def datastores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatastoreStack]:
    """Redis, PostgreSQL, redis_exporter and postgres_exporter from Debian's packages."""
    stack = DatastoreStack(tmp_path_factory.mktemp("datastores"))
    with stack:
        yield stack


@pytest.fixture(scope="module")
def backed_service(tmp_path_factory: pytest.TempPathFactory, datastores: DatastoreStack) -> Iterator[DemoClient]:
    """The demo service on the real PostgreSQL and Redis."""
    args = ["--database-url", datastores.postgres.url, "--redis-url", datastores.redis.url]
    with running(DemoClient(tmp_path_factory.mktemp("backed-service"), args)) as client:
        yield client
