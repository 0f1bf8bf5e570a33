"""Hypothesis: whatever an SLO file contains, loading it returns SLO sets or raises SpecError, nothing else."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from slocheck.core.errors import ConfigError, SpecError
from slocheck.core.spec.loader import load_slo_files

KEYS = [
    "apiVersion", "kind", "metadata", "spec", "name", "description", "labels", "service", "vars", "defaults",
    "objectives", "indicator", "prometheus", "query", "range", "step", "reduce", "pass", "warn", "on_no_data",
    "blocking", "locust", "stat", "method", "request", "loki", "count", "jaeger", "operation", "min_traces",
]  # fmt: skip
WORDS = [
    "slocheck/v1", "SLOSet", "< 500ms", "<= 10", ">= 100/s", "< 1%", "== 1", "< 12GiB", "<= +10%", "p95", "p99",
    "max", "avg", "sum", "up", "rate(x[$__range])", "${job}", "${missing}", "$__interval", "1m", "0s", "-5s",
    "inconclusive", "fail", "pass", "{app=\"a\"}", "", " ", "\t", "é", "\u0000",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(WORDS),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), children, max_size=5),
    ),
    max_leaves=30,
)
VALID: dict[str, Any] = {
    "apiVersion": "slocheck/v1",
    "kind": "SLOSet",
    "metadata": {"name": "props", "labels": {"team": "sre"}},
    "spec": {
        "service": "api",
        "vars": {"job": "api"},
        "defaults": {"on_no_data": "inconclusive", "blocking": True},
        "objectives": [
            {"name": "p95", "indicator": {"prometheus": {"query": 'up{job="${job}"}', "reduce": "max"}},
             "pass": "< 500ms", "warn": "< 800ms"},
            {"name": "rate", "indicator": {"prometheus": {"query": "x[$__range]", "range": {"step": "1m",
             "reduce": "p95"}}}, "pass": ">= 1/s"},
            {"name": "client", "indicator": {"locust": {"stat": "p95"}}, "pass": "< 1s"},
            {"name": "logs", "indicator": {"loki": {"query": 'sum(count_over_time({app="a"}[$__range]))'}},
             "pass": "<= 10"},
            {"name": "traces", "indicator": {"jaeger": {"service": "api", "stat": "p99", "min_traces": 5}},
             "pass": "< 5s"},
        ],
    },
}  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


PATHS = _paths(VALID)[1:]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """The valid document with one to three subtrees replaced, deleted, or given an unknown key."""
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "delete", "extra"]))
            if action == "replace":
                parent[path[-1]] = draw(VALUES)
            elif action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return document


@pytest.fixture(scope="module")
def slo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props") / "slo.yaml"


def _load(path: Path, data: bytes, variables: dict[str, str] | None = None) -> None:
    """Load `data` as an SLO file: SLO sets, a SpecError naming at least one problem, or a ConfigError for an
    unused --var; anything else fails."""
    path.write_bytes(data)
    try:
        load_slo_files([path], variables)
    except SpecError as error:
        problems = error.problems
    except ConfigError as error:  # a --var no file defines or uses: refused, one line naming it
        message = str(error)
        assert message.startswith("--var ")
        assert "\n" not in message
        return
    else:
        return
    assert problems, "a SpecError names at least one problem"


def test_the_unmutated_document_is_valid(slo_path: Path) -> None:
    slo_path.write_text(yaml.safe_dump(VALID))
    assert len(load_slo_files([slo_path])[0].objectives) == 5


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_a_mutated_slo_document_loads_or_raises_only_spec_error(slo_path: Path, document: Any) -> None:
    _load(slo_path, yaml.safe_dump(document, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(st.one_of(VALUES, st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)))
def test_any_yaml_value_loads_or_raises_only_spec_error(slo_path: Path, document: Any) -> None:
    _load(slo_path, yaml.safe_dump(document, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_load_or_raise_only_spec_error(slo_path: Path, data: bytes) -> None:
    _load(slo_path, data)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=4))
def test_any_command_line_variables_load_or_raise_only_spec_error(slo_path: Path, variables: dict[str, str]) -> None:
    _load(slo_path, yaml.safe_dump(VALID).encode(), variables)
