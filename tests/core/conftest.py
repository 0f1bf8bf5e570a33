"""Fixtures for unit tests: the repository's test data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import DATA_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
