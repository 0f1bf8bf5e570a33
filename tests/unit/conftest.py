"""Fixtures for unit tests: the shared reference fixtures and the repository's test data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "reference" / "fixtures"
DATA_DIR = REPO_ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """`<repo>/../shared/reference/fixtures`: real responses recorded from real servers."""
    if not (SHARED_FIXTURES / "prometheus-2.42").is_dir():
        pytest.fail(
            f"recorded backend responses not found at {SHARED_FIXTURES}; the project expects the shared folder "
            "beside the repository (<repo>/../shared/reference/fixtures/prometheus-2.42)",
            pytrace=False,
        )
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
