"""`--var` names that would be ignored silently are refused (exit 2, one line)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (
            "jbo=checkout",
            'error: --var jbo: no SLO file defines or uses a variable named "jbo"; did you mean "job"?',
        ),
        (
            "__range=1h",
            'error: --var "__range=1h": $__range is a built-in set from the window ($__range, $__interval, …); '
            "it cannot be set, choose the window with --last or --from/--to",
        ),
        ("a-b=1", 'error: --var "a-b=1": "a-b" is not a variable name (letters, digits and _, e.g. job)'),
    ],
)
def test_a_var_that_would_be_ignored_is_refused(cli: Cli, pair: str, message: str) -> None:
    assert cli("validate", "good.yaml", "--var", pair) == (2, [message])
