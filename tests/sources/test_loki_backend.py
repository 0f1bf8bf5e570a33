"""The Loki adapter against a fake Loki over real HTTP: tenant, auth, errors as Loki words them, retries."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from slocheck.config.settings import LokiSettings
from slocheck.core.errors import BackendUnavailable, QueryError
from slocheck.sources.loki import LokiBackend
from tests.support.fake_loki import INSTANT_LOG_QUERY, TENANT, FakeLoki

NOW = datetime.now(UTC).replace(microsecond=0)


def backend(url: str, **settings: object) -> LokiBackend:
    return LokiBackend(LokiSettings.model_validate({"url": url, "retry_budget": 0.5, "timeout": 2, **settings}))


def fill(loki: FakeLoki, tenant: str = TENANT) -> None:
    for second in range(10):
        level = "error" if second % 5 == 0 else "info"
        at = int((NOW - timedelta(seconds=second + 1)).timestamp() * 1e9)
        loki.add({"app": "api", "level": level}, at, f"{level.upper()} request {second}", tenant)


def test_an_instant_count_query_sends_the_tenant_and_gets_one_series_per_level(fake_loki: FakeLoki) -> None:
    fill(fake_loki)

    result = backend(fake_loki.url, tenant=TENANT).instant('sum by (level) (count_over_time({app="api"}[1m]))', NOW)

    assert {s.labels["level"]: s.value for s in result.series} == {"error": 2.0, "info": 8.0}


def test_a_request_without_tenant_is_refused_with_lokis_no_org_id_and_a_hint(fake_loki: FakeLoki) -> None:
    with pytest.raises(QueryError) as raised:
        backend(fake_loki.url).instant('sum(count_over_time({app="api"}[1m]))', NOW)

    message = str(raised.value)
    assert message.startswith("Loki: ")
    assert "HTTP 401: no org id" in message
    assert "SLOCHECK_LOKI_TENANT" in message


def test_a_tenant_sees_only_its_own_lines(fake_loki: FakeLoki) -> None:
    fill(fake_loki, tenant="team-b")

    result = backend(fake_loki.url, tenant=TENANT).instant('sum(count_over_time({app="api"}[1m]))', NOW)

    assert result.series == ()


def test_a_syntax_error_is_lokis_plain_text_message_on_one_line(fake_loki: FakeLoki) -> None:
    query = 'sum(count_over_time({app="api"} |= "ERROR" [5m])'

    with pytest.raises(QueryError) as raised:
        backend(fake_loki.url, tenant=TENANT).instant(query, NOW)

    assert str(raised.value) == f"Loki: parse error at line 1, col {len(query) + 1}: syntax error: unexpected $end"


def test_an_instant_log_query_is_lokis_own_rejection(fake_loki: FakeLoki) -> None:
    with pytest.raises(QueryError) as raised:
        backend(fake_loki.url, tenant=TENANT).instant('{app="api"} |= "ERROR"', NOW)

    assert str(raised.value) == f"Loki: {INSTANT_LOG_QUERY}"


def test_a_range_log_query_is_rejected_because_lines_are_not_numbers(fake_loki: FakeLoki) -> None:
    fill(fake_loki)

    with pytest.raises(QueryError, match="returns log lines, not a number"):
        backend(fake_loki.url, tenant=TENANT).range('{app="api"}', NOW - timedelta(minutes=1), NOW, 15)


def test_a_range_metric_query_gets_the_points_loki_has_for_the_steps(fake_loki: FakeLoki) -> None:
    fill(fake_loki)

    result = backend(fake_loki.url, tenant=TENANT).range(
        'sum(count_over_time({app="api"}[1m]))', NOW - timedelta(seconds=30), NOW, 15
    )

    [(labels, points)] = result.series
    assert (labels, points) == ({}, ((NOW.timestamp(), 10.0),))  # the earlier steps had no line in their minute


def test_a_loki_that_keeps_failing_with_503_is_unavailable_after_the_retry_budget(fake_loki: FakeLoki) -> None:
    fake_loki.fail_with = (503, "Ingester not ready: waiting for 15s after being ready\n")

    with pytest.raises(BackendUnavailable) as raised:
        backend(fake_loki.url, tenant=TENANT).instant('sum(count_over_time({app="api"}[1m]))', NOW)

    message = str(raised.value)
    assert message.startswith("Loki: ")
    assert "HTTP 503: Ingester not ready: waiting for 15s after being ready" in message
    assert "gave up after" in message
    assert len([r for r in fake_loki.requests if r[1] == "/loki/api/v1/query"]) >= 2


def test_an_unreachable_loki_is_unavailable_and_named(closed_url: str) -> None:
    with pytest.raises(BackendUnavailable) as raised:
        backend(closed_url, tenant=TENANT).instant("sum(x)", NOW)

    assert str(raised.value).startswith(f"Loki: cannot reach {closed_url}: Connection refused")


def test_a_bearer_token_and_extra_headers_are_sent(fake_loki: FakeLoki) -> None:
    loki = backend(fake_loki.url, tenant=TENANT, token="s3cret", headers={"X-Team": "sre"})

    loki.instant('sum(count_over_time({app="api"}[1m]))', NOW)

    sent = fake_loki.headers[-1]
    assert (sent["Authorization"], sent["X-Team"], sent["X-Scope-OrgID"]) == ("Bearer s3cret", "sre", TENANT)


def test_basic_auth_is_sent_when_a_username_is_set(fake_loki: FakeLoki) -> None:
    backend(fake_loki.url, tenant=TENANT, username="ops", password="pw").instant(
        'sum(count_over_time({app="api"}[1m]))', NOW
    )

    assert fake_loki.headers[-1]["Authorization"] == "Basic " + base64.b64encode(b"ops:pw").decode()


def test_a_valid_query_passes_the_syntax_check(fake_loki: FakeLoki) -> None:
    backend(fake_loki.url, tenant=TENANT).check_query('sum(count_over_time({app="api"} |= "ERROR" [1s]))')


def test_the_syntax_check_reports_lokis_parse_error(fake_loki: FakeLoki) -> None:
    with pytest.raises(QueryError, match="syntax error"):
        backend(fake_loki.url, tenant=TENANT).check_query('sum(count_over_time({app="api"} [1s])')
