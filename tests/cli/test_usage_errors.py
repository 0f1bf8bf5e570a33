"""Command-line usage errors are invalid input: exit 2, as docs/slo-file.md says."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["validate", "good.yaml", "--bogus"], "No such option: --bogus"),
        (["evaluate"], "Missing argument"),
        (["evaluate", "good.yaml", "--from"], "Option '--from' requires an argument"),
    ],
)
def test_a_usage_error_exits_2(cli: Cli, args: list[str], said: str) -> None:
    code, lines = cli(*args)
    assert code == 2
    assert any(said in line for line in lines), lines
