"""The production guard refuses load on protected hosts unless asked explicitly."""

from __future__ import annotations

import pytest

from slocheck.config.guard import DEFAULT_PROTECTED_HOSTS, check_target, matching_pattern
from slocheck.config.settings import Settings
from slocheck.core.errors import ConfigError


def test_the_default_patterns_protect_any_host_with_prod_in_its_name() -> None:
    assert matching_pattern("https://api.Production.example.com:8443/x", DEFAULT_PROTECTED_HOSTS) == "*prod*"


def test_a_staging_host_is_not_protected_by_default() -> None:
    assert matching_pattern("http://api.staging.example.com", DEFAULT_PROTECTED_HOSTS) is None


def test_a_protected_host_is_refused_naming_the_pattern_and_the_way_out() -> None:
    with pytest.raises(ConfigError, match=r'matches the protected_hosts pattern "\*prod\*".*--allow-production'):
        check_target("http://prod-db.example.com", ["*prod*"], allow_production=False)


def test_allow_production_lets_a_protected_host_through() -> None:
    check_target("http://prod-db.example.com", ["*prod*"], allow_production=True)


def test_the_settings_default_is_the_documented_pattern() -> None:
    assert Settings().protected_hosts == list(DEFAULT_PROTECTED_HOSTS)
