"""The summary after invalid SLO files says what was stopped only for the commands that would have done it."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.__main__ import main

pytestmark = pytest.mark.usefixtures("cli_env")

BROKEN = "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: x}\nspec: {service: s, objectives: []}\n"


def test_evaluate_says_nothing_was_measured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(BROKEN)
    assert main(["evaluate", str(path), "--last", "5m", "--prometheus-url", "http://127.0.0.1:1"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "1 problem(s) in 1 file(s); nothing was measured"


def test_validate_measures_nothing_so_does_not_say_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(BROKEN)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "1 problem(s) in 1 file(s)"
