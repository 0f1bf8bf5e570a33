"""Hypothesis over `slocheck validate`: whatever an SLO file holds, the only outcomes are "valid" (exit 0) or
exit 2 with one located line per problem — never a traceback, never "internal error", never exit 3."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slocheck.__main__ import main
from tests.core.test_parser_properties import VALID, VALUES, mutated

SUMMARY = re.compile(r"^\d+ problem\(s\) in \d+ file\(s\)$")  # validate measures nothing, so says only the count


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="slocheck-fuzz-") as name:
        yield Path(name)


@pytest.fixture(autouse=True)
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")


def _validate(folder: Path, data: bytes, capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    path = folder / "slo.yaml"
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["validate", str(path), *extra])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert "internal error" not in out.err
    assert code in (0, 2), out.err
    if code == 0:
        assert out.out.startswith("ok: ")
        return
    lines = out.err.splitlines()
    assert lines, "exit 2 says why"
    for line in lines:
        located = line.startswith((f"error: {path}:", f"error: {path} ", "error: --var "))
        assert located or SUMMARY.match(line), line


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(mutated())
def test_a_mutated_slo_file_is_valid_or_exit_2_with_located_lines(
    folder: Path, capsys: pytest.CaptureFixture[str], document: Any
) -> None:
    _validate(folder, yaml.safe_dump(document, allow_unicode=True).encode(), capsys)


@SETTINGS
@given(VALUES)
def test_any_yaml_value_is_valid_or_exit_2_with_located_lines(
    folder: Path, capsys: pytest.CaptureFixture[str], document: Any
) -> None:
    _validate(folder, yaml.safe_dump(document, allow_unicode=True).encode(), capsys)


@SETTINGS
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_valid_or_exit_2_with_located_lines(
    folder: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    _validate(folder, data, capsys)


@SETTINGS
@given(st.lists(st.text(max_size=12).map(lambda t: f"{t}=v"), max_size=3))
def test_any_var_is_accepted_or_exit_2_in_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str], pairs: list[str]
) -> None:
    _validate(folder, yaml.safe_dump(VALID).encode(), capsys, *(a for p in pairs for a in ("--var", p)))
