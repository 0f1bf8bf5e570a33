"""Fixtures of the CLI tests: the fault suite's servers and working directory, and an in-process `slocheck`
whose stderr lines a test can read (no SLOCHECK_* from the caller, wide plain output)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from slocheck.__main__ import main
from tests.faults.conftest import collect_garbage, fake_prometheus, target, work

__all__ = ["collect_garbage", "fake_prometheus", "target", "work"]

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


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`cli(*args)` → (exit code, stderr lines), run in `tmp_path` where `good.yaml` is a valid SLO file."""
    for name in list(os.environ):
        if name.startswith(("SLOCHECK_", "GITHUB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(GOOD_SLO, encoding="utf-8")

    def run(*args: str) -> tuple[int, list[str]]:
        code = main(list(args))
        return code, capsys.readouterr().err.splitlines()

    return run
