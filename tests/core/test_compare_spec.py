"""`compare:` in the SLO file: defaults, and the combinations that are refused with a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.core.errors import SpecError
from slocheck.core.model import Compare
from slocheck.core.spec.loader import load_slo_files
from tests.support.builders import slo_document, write


def load(tmp_path: Path, indicator: str, compare: str) -> Compare | None:
    objectives = f"""\
    - name: x
      indicator: {indicator}
      pass: "< 2s"
      compare: {compare}
"""
    return load_slo_files([write(tmp_path, "slo.yaml", slo_document(objectives))])[0].objectives[0].compare


def test_an_empty_compare_takes_the_documented_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "{locust: {stat: p95}}", "{}") == Compare("mann-whitney", "increase", 0.05, 0.05)


def test_min_effect_is_read_as_a_ratio(tmp_path: Path) -> None:
    found = load(tmp_path, "{prometheus: {query: up}}", "{direction: decrease, min_effect: 10%}")
    assert found == Compare("mann-whitney", "decrease", 0.05, 0.1)


@pytest.mark.parametrize(
    ("indicator", "compare", "message"),
    [
        ("{locust: {stat: rps}}", "{}", "stat rps is not a latency"),
        ("{jaeger: {service: api, stat: p95}}", "{}", "not on jaeger"),
        ("{prometheus: {query: up}}", "{min_effect: 5ms}", '"5ms" is not a percentage'),
        ("{prometheus: {query: up}}", "{test: t-test}", "compare.test"),
    ],
)
def test_a_compare_that_cannot_work_is_refused(tmp_path: Path, indicator: str, compare: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load(tmp_path, indicator, compare)
    assert message in str(caught.value)
