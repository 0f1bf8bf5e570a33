"""Fixtures for the command-line tests: the repository's test data, every command registered on the app, an
in-process command line with no SLOCHECK_* variables from the caller and a clean working directory, and an
in-process `slocheck` whose stderr lines a test can read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import slocheck.cli.main  # noqa: F401 - registers every command on the app
from slocheck.__main__ import main
from tests.support.paths import DATA_DIR

GOOD_SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: gate}
spec:
  service: api
  vars: {job: api}
  objectives:
    - name: up
      indicator: {prometheus: {query: 'up{job="${job}"}'}}
      pass: "== 1"
"""

Cli = Callable[..., tuple[int, list[str]]]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOCHECK_* or GITHUB_* variables from the caller, wide plain output, the working directory `tmp_path`."""
    for name in list(os.environ):
        if name.startswith(("SLOCHECK_", "GITHUB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`cli(*args)` → (exit code, stderr lines), run in `tmp_path` where `good.yaml` is a valid SLO file."""
    (cli_env / "good.yaml").write_text(GOOD_SLO, encoding="utf-8")

    def run(*args: str) -> tuple[int, list[str]]:
        code = main(list(args))
        return code, capsys.readouterr().err.splitlines()

    return run
