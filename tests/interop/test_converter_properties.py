"""Whatever shape a document has, the converters answer with documents slocheck accepts and notes — never a crash."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from slocheck.core.spec.schema import SLOSetModel
from slocheck.interop.common import Conversion
from slocheck.interop.openslo import convert_openslo
from slocheck.interop.sloth import convert_sloth

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCALARS = st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=True) | st.text(max_size=8)
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                    max_size=3), max_leaves=8)  # fmt: skip
SLOTH = yaml.safe_load((FIXTURES / "sloth" / "kubernetes-apiserver.yml").read_text())
OPENSLO = list(yaml.safe_load_all((FIXTURES / "sloth" / "openslo-kubernetes-apiserver.yml").read_text()))[1]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    document = copy.deepcopy(data)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def _all_valid(result: Conversion) -> None:
    for document in result.documents:
        SLOSetModel.model_validate(document)


@settings(max_examples=150, deadline=None)
@given(st.data(), JUNK)
def test_sloth_spec_with_any_field_replaced_converts_or_is_refused(data: st.DataObject, junk: Any) -> None:
    path = data.draw(st.sampled_from(_paths(SLOTH)))
    _all_valid(convert_sloth([_replace(SLOTH, path, junk)], "f.yml"))


@settings(max_examples=150, deadline=None)
@given(st.data(), JUNK)
def test_openslo_document_with_any_field_replaced_converts_or_is_refused(data: st.DataObject, junk: Any) -> None:
    path = data.draw(st.sampled_from(_paths(OPENSLO)))
    _all_valid(convert_openslo([_replace(OPENSLO, path, junk)], "f.yml"))


@settings(max_examples=100, deadline=None)
@given(st.lists(JUNK, max_size=3))
def test_arbitrary_documents_never_crash_either_converter(documents: list[Any]) -> None:
    _all_valid(convert_sloth(documents, "f.yml"))
    _all_valid(convert_openslo(documents, "f.yml"))
