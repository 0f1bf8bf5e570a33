"""Fixtures for the command-line tests: the repository's test data, and every command registered on the app."""

from __future__ import annotations

from pathlib import Path

import pytest

import slocheck.cli.main  # noqa: F401 - registers every command on the app
from tests.support.paths import DATA_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
