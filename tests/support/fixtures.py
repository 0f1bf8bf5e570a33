"""Fixtures for every test folder (registered as a plugin by the root conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.env import use_clean_env


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOCHECK_*/OTEL_*/GITHUB_* variables from the caller, wide plain output, and a working directory
    (tmp_path, returned) without a slocheck.yaml."""
    return use_clean_env(monkeypatch, tmp_path)
