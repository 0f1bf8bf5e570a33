"""TLS towards Grafana: verified by default, a CA bundle for an internal CA, `insecure` as an explicit opt-out.

The fake serves HTTPS with a self-signed certificate made by the `openssl` command for this test session.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest
from pydantic import SecretStr

from slocheck.config.settings import GrafanaSettings
from slocheck.core.errors import QueryError
from slocheck.grafana.client import GrafanaBackend
from tests.support.fake_grafana import TOKEN, FakeGrafana
from tests.support.tls import self_signed_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "grafana")


@pytest.fixture
def https_grafana(certificate: tuple[str, str]) -> Iterator[FakeGrafana]:
    with FakeGrafana(tls=certificate) as server:
        yield server


def check(settings: GrafanaSettings) -> str:
    with GrafanaBackend(settings) as backend:
        return backend.check()


def test_a_certificate_no_trusted_ca_signed_is_a_tls_error_naming_the_fix(https_grafana: FakeGrafana) -> None:
    settings = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN), retry_budget=5)
    began = time.monotonic()
    with pytest.raises(QueryError) as caught:
        check(settings)
    assert time.monotonic() - began < 3  # a TLS error is not retried: retrying cannot fix it
    message = str(caught.value)
    assert message.startswith(f"Grafana: TLS error talking to {https_grafana.url}: certificate verify failed")
    assert message.endswith("; set backends.grafana.ca_bundle")
    assert "\n" not in message
    assert TOKEN not in message
    assert https_grafana.requests == []


def test_the_ca_bundle_verifies_grafanas_certificate(https_grafana: FakeGrafana, certificate: tuple[str, str]) -> None:
    settings = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN), ca_bundle=certificate[0])
    assert check(settings) == "11.6.2"
    assert https_grafana.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"


def test_insecure_skips_verification_without_a_warning_per_request(https_grafana: FakeGrafana) -> None:
    settings = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN), insecure=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert check(settings) == "11.6.2"
    assert [str(w.message) for w in caught] == []


def test_requests_ca_bundle_in_the_environment_does_not_override_the_settings(
    https_grafana: FakeGrafana, certificate: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests lets REQUESTS_CA_BUNDLE win over a session's `verify`; slocheck's ca_bundle/insecure must win."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    base = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN))
    assert check(base.model_copy(update={"ca_bundle": certificate[0]})) == "11.6.2"
    assert check(base.model_copy(update={"insecure": True})) == "11.6.2"


def test_a_missing_ca_bundle_file_is_a_tls_error_naming_the_file(https_grafana: FakeGrafana, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    # The settings refuse a missing file (exit 2); this is one that disappears after they were read.
    base = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN), retry_budget=1)
    settings = base.model_copy(update={"ca_bundle": str(missing)})
    with pytest.raises(QueryError) as caught:
        check(settings)
    message = str(caught.value)
    assert message.startswith(f"Grafana: TLS error talking to {https_grafana.url}: ")
    assert str(missing) in message
    assert message.endswith("; set backends.grafana.ca_bundle")


def test_a_ca_bundle_that_is_not_a_certificate_is_a_tls_error(https_grafana: FakeGrafana, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    settings = GrafanaSettings(url=https_grafana.url, token=SecretStr(TOKEN), ca_bundle=str(garbage), retry_budget=1)
    with pytest.raises(QueryError) as caught:
        check(settings)
    message = str(caught.value)
    assert message.startswith(f"Grafana: TLS error talking to {https_grafana.url}: ")
    assert message.endswith("; set backends.grafana.ca_bundle")
    assert "\n" not in message


def test_an_https_url_for_a_plain_http_grafana_says_to_use_http(grafana: FakeGrafana) -> None:
    url = grafana.url.replace("http://", "https://")
    with pytest.raises(QueryError) as caught:
        check(GrafanaSettings(url=url, token=SecretStr(TOKEN), retry_budget=1))
    message = str(caught.value)
    assert message.startswith(f"Grafana: TLS error talking to {url}: ")
    assert message.endswith("; this port speaks plain HTTP: use an http:// URL")  # OpenSSL words the reason
