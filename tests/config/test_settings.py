"""settings.py: slocheck.yaml with ${ENV} expansion, SLOCHECK_* overrides and CLI flags, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.config.settings import load_settings
from slocheck.core.errors import ConfigError
from tests.support.builders import write

CONFIG = """\
backends:
  prometheus:
    url: http://from-file:9090/
    token: ${PROM_TOKEN}
    timeout: 2s
    retry_budget: 500ms
    headers: {X-Scope-OrgID: "${TENANT}"}
"""
ENV = {"PROM_TOKEN": "s3cr3t-t0ken", "TENANT": "team-a"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write(tmp_path, "slocheck.yaml", CONFIG)


def test_a_config_file_is_read_with_durations_in_seconds(config: Path) -> None:
    prometheus = load_settings(config, ENV).backends.prometheus
    assert prometheus.url == "http://from-file:9090"
    assert prometheus.timeout == 2.0
    assert prometheus.retry_budget == 0.5


def test_env_references_in_the_config_are_expanded(config: Path) -> None:
    prometheus = load_settings(config, ENV).backends.prometheus
    assert prometheus.token is not None
    assert prometheus.token.get_secret_value() == "s3cr3t-t0ken"
    assert prometheus.headers == {"X-Scope-OrgID": "team-a"}


def test_the_token_never_shows_in_a_repr(config: Path) -> None:
    settings = load_settings(config, ENV)
    assert "s3cr3t-t0ken" not in repr(settings)
    assert "s3cr3t-t0ken" not in str(settings)


def test_a_missing_env_variable_is_named_in_the_error(config: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(config, {"TENANT": "team-a"})
    assert str(caught.value) == f"{config}: environment variable PROM_TOKEN is not set (referenced as ${{PROM_TOKEN}})"


def test_the_environment_overrides_the_file(config: Path) -> None:
    settings = load_settings(config, {**ENV, "SLOCHECK_PROMETHEUS_URL": "http://from-env:9090"})
    assert settings.backends.prometheus.url == "http://from-env:9090"


def test_a_cli_flag_overrides_the_environment(config: Path) -> None:
    settings = load_settings(
        config,
        {**ENV, "SLOCHECK_PROMETHEUS_URL": "http://from-env:9090"},
        {("prometheus", "url"): "http://from-cli:9090"},
    )
    assert settings.backends.prometheus.url == "http://from-cli:9090"


def test_a_cli_flag_left_unset_does_not_override(config: Path) -> None:
    settings = load_settings(config, ENV, {("prometheus", "url"): None})
    assert settings.backends.prometheus.url == "http://from-file:9090"


def test_an_empty_environment_variable_does_not_override(config: Path) -> None:
    settings = load_settings(config, {**ENV, "SLOCHECK_PROMETHEUS_URL": ""})
    assert settings.backends.prometheus.url == "http://from-file:9090"


def test_the_token_can_come_from_the_environment_alone(clean_env: Path) -> None:
    settings = load_settings(None, {"SLOCHECK_PROMETHEUS_TOKEN": "env-token"})
    token = settings.backends.prometheus.token
    assert token is not None
    assert token.get_secret_value() == "env-token"
    assert "env-token" not in repr(settings)


def test_without_a_config_file_defaults_apply(clean_env: Path) -> None:
    prometheus = load_settings(None, {}).backends.prometheus
    assert prometheus.url is None
    assert prometheus.timeout == 30.0
    assert prometheus.retry_budget == 20.0


def test_slocheck_yaml_in_the_working_directory_is_read_by_default(clean_env: Path) -> None:
    write(clean_env, "slocheck.yaml", "backends: {prometheus: {url: 'http://cwd:9090'}}\n")
    assert load_settings(None, {}).backends.prometheus.url == "http://cwd:9090"


def test_slocheck_config_names_the_config_file(clean_env: Path, tmp_path: Path) -> None:
    named = write(tmp_path, "other.yaml", "backends: {prometheus: {url: 'http://named:9090'}}\n")
    assert load_settings(None, {"SLOCHECK_CONFIG": str(named)}).backends.prometheus.url == "http://named:9090"


def test_a_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml: config file not found; pass --config PATH"):
        load_settings(missing, {})


def test_a_url_that_is_not_http_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: {prometheus: {url: 'ftp://x'}}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert str(caught.value) == (
        f'{path}:1:25: backends.prometheus.url: "ftp://x" is not an http(s) URL (e.g. http://127.0.0.1:9090)'
    )


def test_an_unknown_key_is_rejected_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: {prometheus: {urll: 'http://x'}}\n")
    with pytest.raises(ConfigError, match=r"backends\.prometheus\.urll: "):
        load_settings(path, {})


def test_an_unknown_backend_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: {graphite: {url: 'http://x'}}\n")
    with pytest.raises(ConfigError, match=r"backends\.graphite: "):
        load_settings(path, {})


def test_a_bad_timeout_is_rejected_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: {prometheus: {timeout: soon}}\n")
    expected = r"backends\.prometheus\.timeout: \"soon\" is not a valid duration \(units: ns, us, ms, s, m, h\)"
    with pytest.raises(ConfigError, match=expected):
        load_settings(path, {})


def test_invalid_yaml_in_the_config_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: {prometheus: {url: x\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert str(caught.value) == (
        f"{path}:2:1: invalid YAML: expected ',' or '}}', but got '<stream end>' in the config file"
    )


def test_a_config_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "- a\n")
    with pytest.raises(ConfigError, match="the config must be a mapping with a backends: section"):
        load_settings(path, {})


def test_backends_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "backends: [a]\n")
    with pytest.raises(ConfigError, match="backends must be a mapping"):
        load_settings(path, {})


def test_an_empty_config_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "c.yaml", ""), {}).backends.prometheus.url is None


def test_an_env_url_that_is_invalid_is_rejected(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match=r'"nope" is not an http\(s\) URL'):
        load_settings(None, {"SLOCHECK_PROMETHEUS_URL": "nope"})


def test_an_invalid_env_url_error_names_the_env_variable(clean_env: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"SLOCHECK_PROMETHEUS_URL": "nope"})
    assert "SLOCHECK_PROMETHEUS_URL" in str(caught.value)
