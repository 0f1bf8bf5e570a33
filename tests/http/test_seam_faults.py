"""The HTTP seam against a misbehaving server, for every backend's client (Prometheus, Loki, Jaeger, Grafana):
secrets in their encoded forms, bodies cut only after masking, an overall deadline per attempt, a cap on the
body read, redirects, and short reasons. docs/reliability.md lists each row."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest

from slocheck.core.errors import BackendUnavailable, QueryError
from tests.support.fake_prometheus import (
    ANY_PATH,
    INSTANT,
    RECORDED_VALUE,
    FakePrometheus,
    error_in_200,
    huge,
    redirect,
    stall,
    trickle,
)

from .probes import BACKENDS, NAMES, failure, probe

TOKEN = "tok_5ecret0123456789abcdefghijklmnopqrstuv"
USER, PASSWORD = "alice", "pa55-w0rd!secret"
MIB = 1 << 20


@pytest.fixture
def guarded() -> Iterator[FakePrometheus]:
    """A server behind a gateway that accepts only `Bearer TOKEN` and quotes the credential it rejected."""
    with FakePrometheus(token=TOKEN, echo_auth=True) as server:
        yield server


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_base64_of_basic_auths_user_and_password_is_masked_in_the_message(
    backend: str, guarded: FakePrometheus
) -> None:
    message = str(failure(backend, guarded.url, username=USER, password=PASSWORD))
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert "401" in message
    assert "Basic ***" in message
    assert encoded not in message
    assert encoded[:12] not in message
    assert PASSWORD not in message


# Where each client cuts an error body: a token starting 10 characters before the cut.
CUTS = {"prometheus": 300, "loki": 500, "jaeger": 500, "grafana": 200}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_secret_straddling_the_cut_of_a_long_error_body_leaves_no_part_of_it(backend: str) -> None:
    quote = "invalid credential: Bearer "
    with FakePrometheus(token="another", echo_auth=True, echo_padding=CUTS[backend] - 10 - len(quote)) as server:
        message = str(failure(backend, server.url, token=TOKEN))
    assert "401" in message
    assert TOKEN[:6] not in message


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_that_trickles_its_answer_is_cut_at_the_timeout_as_a_whole(
    backend: str, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.misbehave(ANY_PATH, trickle(0.2))  # every read is fast; the whole answer takes a minute
    began = time.monotonic()
    error = failure(backend, fake_prometheus.url, timeout=1)
    assert time.monotonic() - began < 5
    assert isinstance(error, BackendUnavailable)
    assert str(error).startswith(f"{NAMES[backend]}: {fake_prometheus.url} did not answer within 1s (gave up after")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_that_stalls_in_the_middle_of_the_body_is_a_timeout(
    backend: str, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.misbehave(ANY_PATH, stall())
    began = time.monotonic()
    error = failure(backend, fake_prometheus.url, timeout=1)
    assert time.monotonic() - began < 5
    assert f"{fake_prometheus.url} did not answer within 1s" in str(error)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_that_accepts_and_never_answers_is_a_timeout_not_unreachable(backend: str, silent_url: str) -> None:
    message = str(failure(backend, silent_url, timeout=0.5))
    assert message.startswith(f"{NAMES[backend]}: {silent_url} did not answer within 0.5s (gave up after")
    assert "cannot reach" not in message


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_max_body_is_an_error_naming_the_cap(
    backend: str, declared: bool, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.misbehave(ANY_PATH, huge(8 * MIB, declare_length=declared))
    error = failure(backend, fake_prometheus.url, max_body="1MiB", timeout=20)
    assert isinstance(error, QueryError)
    assert f"{fake_prometheus.url} sent an answer larger than max_body (1 MiB)" in str(error)


def test_a_body_under_max_body_is_read_whole(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.misbehave(INSTANT, huge(3 * MIB, declare_length=False))
    answer = probe("prometheus", fake_prometheus.url, max_body="4MiB", timeout=20)
    assert answer.series == ()  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_redirect_to_another_host_is_refused_naming_both_hosts(
    backend: str, fake_prometheus: FakePrometheus, other_prometheus: FakePrometheus
) -> None:
    elsewhere = other_prometheus.url.replace("127.0.0.1", "localhost")
    fake_prometheus.misbehave(ANY_PATH, redirect(elsewhere + "{path}?{query}"))
    message = str(failure(backend, fake_prometheus.url, headers={"X-Scope-OrgID": "team-a"}))
    assert f"{fake_prometheus.url} redirected to another host, {elsewhere}" in message
    assert other_prometheus.requests == []  # the tenant header never reached the other host


def test_a_redirect_within_the_same_server_is_followed_with_the_credentials(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.token = TOKEN
    fake_prometheus.misbehave("/old" + INSTANT, redirect(INSTANT + "?{query}"))
    answer = probe("prometheus", fake_prometheus.url + "/old", token=TOKEN)
    assert answer.series[0].value == pytest.approx(RECORDED_VALUE)  # type: ignore[attr-defined]
    assert fake_prometheus.seen(INSTANT)[-1].headers["authorization"] == f"Bearer {TOKEN}"


def test_a_200_saying_status_error_keeps_prometheus_own_message(fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.misbehave(INSTANT, error_in_200())
    error = failure("prometheus", fake_prometheus.url)
    assert isinstance(error, QueryError)
    assert str(error) == "Prometheus: execution: query processing would load too many samples"


def test_a_tls_error_is_one_short_reason_and_the_one_hint(certificate: tuple[str, str]) -> None:
    with FakePrometheus(tls=certificate) as server:
        message = str(failure("prometheus", server.url))
    assert message == (
        f"Prometheus: TLS error talking to {server.url}: certificate verify failed: self-signed certificate; "
        "pass --ca-bundle or --insecure"
    )
