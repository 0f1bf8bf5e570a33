"""Fixtures for the report tests: the real demo runs in data/ (see make_data.py), copied so tests may edit them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from slocheck.app.report_inputs import load_report_inputs
from slocheck.report.html import render_html
from tests.support.paths import BASELINE, RUN


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A copy of the stored FAIL run (5 % injected server errors)."""
    target = tmp_path / "run"
    shutil.copytree(RUN, target)
    return target


@pytest.fixture(scope="session")
def report_html() -> str:
    """The HTML report of the stored run, compared with the stored baseline."""
    return render_html(load_report_inputs(RUN, BASELINE))
