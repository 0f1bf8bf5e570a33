"""Fixtures (a plugin of the root conftest.py): the real demo stack (demo service + Redis + PostgreSQL + both
exporters + Prometheus) for `slocheck run`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slocheck_demo.run_demo import INJECTIONS, SCRAPED_JOBS, wait_for_scrapes
from slocheck_demo.stack import DemoStack, StackUrls


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    with DemoStack(tmp_path_factory.mktemp("demo-stack")) as stack:
        assert stack.urls is not None
        wait_for_scrapes(stack.urls.prometheus, SCRAPED_JOBS)
        yield stack.urls


@pytest.fixture(scope="session")
def slow_demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    """The same stack with `slocheck demo --inject latency`'s extra latency on every API request."""
    with DemoStack(tmp_path_factory.mktemp("slow-demo-stack"), INJECTIONS["latency"]) as stack:
        assert stack.urls is not None
        wait_for_scrapes(stack.urls.prometheus, SCRAPED_JOBS)
        yield stack.urls
