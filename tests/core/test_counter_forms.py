"""The exact counter forms of a Prometheus indicator: count, rate, ratio (bad|good over total), by."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.core.errors import SpecError
from slocheck.core.model import CounterSpec, PrometheusIndicator, SeriesNoData
from slocheck.core.spec.loader import load_slo_files

HEAD = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: gate}
spec:
  service: api
  vars: {job: api}
  objectives:
    - name: one
      indicator:
        prometheus:
"""


def indicator_of(tmp_path: Path, body: str, pass_: str = '">= 1"') -> PrometheusIndicator:
    path = tmp_path / "slo.yaml"
    path.write_text(HEAD + body + f"      pass: {pass_}\n", encoding="utf-8")
    (slo_set,) = load_slo_files([path])
    indicator = slo_set.objectives[0].indicator
    assert isinstance(indicator, PrometheusIndicator)
    return indicator


def problems(tmp_path: Path, body: str) -> str:
    with pytest.raises(SpecError) as caught:
        indicator_of(tmp_path, body)
    return " | ".join(str(p) for p in caught.value.problems)


def test_count_keeps_its_selector_as_a_template_and_shows_the_form(tmp_path: Path) -> None:
    indicator = indicator_of(tmp_path, '          count: http_requests_total{job="${job}"}\n')
    assert indicator.counter == CounterSpec("count", 'http_requests_total{job="${job}"}')
    assert indicator.query == 'count: http_requests_total{job="api"}'
    assert indicator.variables == {"job": "api"}


def test_ratio_with_bad_and_by_becomes_a_ratio_per_group(tmp_path: Path) -> None:
    body = "          ratio: {bad: 'x_total{code=\"500\"}', total: x_total}\n          by: [route]\n"
    assert indicator_of(tmp_path, body, '"< 1%"').counter == CounterSpec(
        "ratio", 'x_total{code="500"}', "x_total", "bad", ("route",)
    )


def test_ratio_with_good_names_the_good_numerator(tmp_path: Path) -> None:
    spec = indicator_of(tmp_path, "          ratio: {good: ok_total, total: all_total}\n", '">= 99%"').counter
    assert spec is not None
    assert (spec.numerator, spec.selector) == ("good", "ok_total")


def test_rate_is_a_counter_form(tmp_path: Path) -> None:
    spec = indicator_of(tmp_path, "          rate: x_total\n", '">= 1/s"').counter
    assert spec == CounterSpec("rate", "x_total")


def test_a_function_call_is_not_a_counter_selector(tmp_path: Path) -> None:
    assert "takes a counter selector" in problems(tmp_path, "          count: sum(rate(x_total[1m]))\n")


def test_query_and_count_together_are_rejected(tmp_path: Path) -> None:
    body = "          query: up\n          count: x_total\n"
    assert "exactly one of query, count, rate or ratio" in problems(tmp_path, body)


def test_a_ratio_needs_bad_or_good(tmp_path: Path) -> None:
    assert "exactly one of bad or good" in problems(tmp_path, "          ratio: {total: x_total}\n")


def test_by_does_not_apply_to_a_query(tmp_path: Path) -> None:
    assert "by applies to count" in problems(tmp_path, "          query: up\n          by: [job]\n")


def test_an_unknown_variable_in_a_ratio_selector_is_reported(tmp_path: Path) -> None:
    assert "${nope}" in problems(tmp_path, "          ratio: {bad: 'x{a=\"${nope}\"}', total: x}\n")


def test_series_no_data_is_read_from_the_objective(tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    body = "          count: x_total\n      pass: '>= 1'\n      series_no_data: ignore\n"
    path.write_text(HEAD + body, encoding="utf-8")
    (slo_set,) = load_slo_files([path])
    assert slo_set.objectives[0].series_no_data is SeriesNoData.IGNORE
