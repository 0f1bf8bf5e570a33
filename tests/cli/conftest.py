"""Fixtures for the command-line tests: the repository's test data, every command registered on the app, and an
in-process command line with no SLOCHECK_* variables from the caller and a clean working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import slocheck.cli.main  # noqa: F401 - registers every command on the app
from tests.support.paths import DATA_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("SLOCHECK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path
