"""Folders of the repository the tests read."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "tests" / "data"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# Two real runs of the demo stack (a FAIL run and its baseline), made by tests/report/make_data.py.
REPORT_DATA = REPO_ROOT / "tests" / "report" / "data"
RUN = REPORT_DATA / "run"
BASELINE = REPORT_DATA / "baseline"
