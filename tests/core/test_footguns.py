"""Silent footguns in SLO files are refused with one located line: a warn bar pointing the other way, a bar at
infinity, `blocking` that is not a boolean, and --var names no file uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.core.errors import ConfigError, SpecError
from slocheck.core.spec.loader import load_slo_files


def _slo(tmp_path: Path, objective: str, *, vars_: str = "{job: api}") -> Path:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: gate}\nspec:\n  service: api\n"
        f"  vars: {vars_}\n  objectives:\n    - name: latency\n"
        "      indicator: {prometheus: {query: 'up{job=\"${job}\"}'}}\n" + objective,
        encoding="utf-8",
    )
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_slo_files([path])
    return [str(p) for p in caught.value.problems]


def test_a_warn_bar_pointing_the_other_way_is_refused(tmp_path: Path) -> None:
    path = _slo(tmp_path, '      pass: "< 500ms"\n      warn: "> 800ms"\n')
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:8:7: objectives[0]: ")
    assert 'warn "> 800ms" points the other way from pass "< 500ms"' in problem


def test_a_warn_bar_stricter_than_pass_is_refused(tmp_path: Path) -> None:
    (problem,) = _problems(_slo(tmp_path, '      pass: ">= 99%"\n      warn: ">= 99.9%"\n'))
    assert 'warn ">= 99.9%" is stricter than pass ">= 99%"' in problem


def test_a_looser_warn_bar_in_the_same_direction_loads(tmp_path: Path) -> None:
    (slo_set,) = load_slo_files([_slo(tmp_path, '      pass: "< 500ms"\n      warn: "<= 800ms"\n')])
    assert str(slo_set.objectives[0].warn_bar) == "<= 800ms"


@pytest.mark.parametrize("bar", ["< 1e999", "> -1e999", "< 1e308GiB"])
def test_a_bar_that_overflows_to_infinity_is_refused_like_inf(tmp_path: Path, bar: str) -> None:
    path = _slo(tmp_path, f'      pass: "{bar}"\n')
    assert _problems(path) == [
        f'{path}:10:13: objectives[0].pass: "{bar}" is not a finite number; '
        "write the bar with a value it can be compared with"
    ]


@pytest.mark.parametrize("value", ['"yes"', "1", "null", '"true"'])
def test_blocking_takes_only_a_boolean(tmp_path: Path, value: str) -> None:
    (problem,) = _problems(_slo(tmp_path, f'      pass: "< 500ms"\n      blocking: {value}\n'))
    assert ":11:17: objectives[0].blocking: " in problem
    assert "must be true or false" in problem


def test_a_var_no_file_uses_is_refused_with_a_did_you_mean(tmp_path: Path) -> None:
    path = _slo(tmp_path, '      pass: "< 500ms"\n')
    with pytest.raises(ConfigError) as caught:
        load_slo_files([path], {"jbo": "checkout"})
    assert str(caught.value) == '--var jbo: no SLO file defines or uses a variable named "jbo"; did you mean "job"?'


def test_a_var_the_file_uses_without_defining_it_is_accepted(tmp_path: Path) -> None:
    path = _slo(tmp_path, '      pass: "< 500ms"\n', vars_="{}")
    (slo_set,) = load_slo_files([path], {"job": "checkout"})
    assert 'job="checkout"' in slo_set.objectives[0].indicator.query  # type: ignore[union-attr]


def test_a_missing_spec_is_named_in_the_message(tmp_path: Path) -> None:
    path = tmp_path / "nospec.yaml"
    path.write_text("apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: x}\n", encoding="utf-8")
    assert _problems(path) == [f"{path}:1:1: spec: is required"]


def test_several_unknown_variables_are_named_in_the_plural(tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: gate}\nspec:\n  service: api\n  objectives:\n"
        '    - name: up\n      indicator: {prometheus: {query: \'up{a="${a}",b="${b}"}\'}}\n      pass: "== 1"\n',
        encoding="utf-8",
    )
    (problem,) = _problems(path)
    assert problem.endswith("unknown variables ${a}, ${b}; define them under spec.vars or pass --var NAME=VALUE")
