"""Hypothesis over the slocheck.yaml loader: whatever the file holds, it loads, or it is a ConfigError (exit 2)
with one line that starts with the file's name — never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from slocheck.config.settings import Settings, load_settings
from slocheck.core.errors import EXIT_INVALID, ConfigError

KEYS = [
    "backends", "prometheus", "loki", "jaeger", "grafana", "url", "token", "username", "password", "headers",
    "ca_bundle", "insecure", "timeout", "retry_budget", "concurrency", "tenant", "ui_url", "org_id",
    "dashboard_uid", "panel_id", "protected_hosts", "timout",
]  # fmt: skip
WORDS = ["http://127.0.0.1:9090", "ftp://x", "5s", "-5s", "0s", "1e999", "${HOME}", "${NOPE_NOT_SET}", "", "yes"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(WORDS),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=4),
    ),
    max_leaves=20,
)
NESTED = st.fixed_dictionaries(
    {"backends": st.dictionaries(st.sampled_from(KEYS[1:5]), st.dictionaries(st.sampled_from(KEYS), SCALARS))}
)


@pytest.fixture(scope="module")
def config_path() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="slocheck-config-fuzz-") as name:
        yield Path(name) / "slocheck.yaml"


def _load(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    refused: ConfigError | None = None
    try:
        loaded = load_settings(path, {"HOME": "/root"})
    except ConfigError as error:
        refused = error
    if refused is None:
        assert isinstance(loaded, Settings)
        return
    message = str(refused)
    assert message.startswith(str(path)), message
    assert len(message.splitlines()) == 1, message
    assert refused.exit_code == EXIT_INVALID


@settings(max_examples=150, deadline=None)
@given(NESTED)
def test_a_config_of_known_keys_loads_or_is_one_located_line(config_path: Path, document: Any) -> None:
    _load(config_path, yaml.safe_dump(document, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(VALUES)
def test_any_yaml_value_loads_or_is_one_located_line(config_path: Path, document: Any) -> None:
    _load(config_path, yaml.safe_dump(document, allow_unicode=True).encode())


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.dictionaries(st.text(max_size=6), SCALARS, max_size=2), max_size=2))
def test_keys_with_any_characters_are_named_on_one_line(config_path: Path, backends: Any) -> None:
    _load(config_path, yaml.safe_dump({"backends": backends}, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_load_or_are_one_located_line(config_path: Path, data: bytes) -> None:
    _load(config_path, data)
