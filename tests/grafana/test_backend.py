"""The Grafana adapter against the fake Grafana: auth, error translation, retries, and the PATCH tag trap."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from slocheck.config.settings import GrafanaSettings
from slocheck.core.errors import EXIT_INCONCLUSIVE, BackendUnavailable, ConfigError, QueryError
from slocheck.grafana.client import GrafanaBackend
from slocheck.grafana.types import GrafanaNotFound, NewAnnotation
from tests.support.fake_grafana import TOKEN, FakeGrafana
from tests.support.http_server import FakeHttpServer

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
END = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
TAGS = ("slocheck", "run:r1", "scenario:smoke", "profile:smoke")


@pytest.fixture
def api(settings: GrafanaSettings) -> Iterator[GrafanaBackend]:
    with GrafanaBackend(settings) as backend:
        yield backend


def check(settings: GrafanaSettings) -> str:
    with GrafanaBackend(settings) as backend:
        return backend.check()


def test_the_health_check_reads_frontend_settings_with_the_token_and_returns_the_version(
    grafana: FakeGrafana, settings: GrafanaSettings
) -> None:
    assert check(settings) == "11.6.2"
    request = grafana.requests[-1]
    assert request.path == "/api/frontend/settings"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_wrong_token_is_a_query_error_naming_grafana_and_the_fix_without_the_token(grafana: FakeGrafana) -> None:
    wrong = "glsa_wrongTokenThatMustNeverBePrinted_99"
    settings = GrafanaSettings(url=grafana.url, token=SecretStr(wrong), retry_budget=1)
    with pytest.raises(QueryError) as caught:
        check(settings)
    message = str(caught.value)
    assert message.startswith(f"Grafana: {grafana.url} refused the credentials (401 Invalid API key)")
    assert "SLOCHECK_GRAFANA_TOKEN" in message
    assert wrong not in message
    assert caught.value.exit_code == EXIT_INCONCLUSIVE


def test_no_credentials_at_all_get_grafanas_unauthorized_message(grafana: FakeGrafana) -> None:
    with pytest.raises(QueryError, match=r"refused the credentials \(401 Unauthorized\)"):
        check(GrafanaSettings(url=grafana.url, retry_budget=1))


def test_a_token_also_works_as_basic_auth_user_api_key(grafana: FakeGrafana) -> None:
    settings = GrafanaSettings(url=grafana.url, username="api_key", password=SecretStr(TOKEN))
    assert check(settings) == "11.6.2"


def test_a_wrong_password_is_reported_without_the_password(grafana: FakeGrafana) -> None:
    settings = GrafanaSettings(url=grafana.url, username="admin", password=SecretStr("hunter2-secret"), retry_budget=1)
    with pytest.raises(QueryError) as caught:
        check(settings)
    assert "Invalid username or password" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)


def test_the_org_id_and_extra_headers_are_sent_with_every_request(
    grafana: FakeGrafana, settings: GrafanaSettings
) -> None:
    configured = settings.model_copy(update={"org_id": 3, "headers": {"X-Team": "sre"}})
    check(configured)
    assert grafana.requests[-1].headers["x-grafana-org-id"] == "3"
    assert grafana.requests[-1].headers["x-team"] == "sre"


def test_a_grafana_that_is_down_is_unavailable_within_the_retry_budget(down_settings: GrafanaSettings) -> None:
    began = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"^Grafana: cannot reach http://127\.0\.0\.1:\d+: Connection refused"):
        check(down_settings)
    assert time.monotonic() - began < 5


def test_a_503_from_a_restarting_grafana_is_retried_until_it_answers(
    grafana: FakeGrafana, settings: GrafanaSettings
) -> None:
    grafana.fail_next(2, status=503)
    assert check(settings.model_copy(update={"retry_budget": 10})) == "11.6.2"
    assert [r.path for r in grafana.requests].count("/api/frontend/settings") == 3


def test_429_answers_until_the_budget_runs_out_are_unavailable(grafana: FakeGrafana, settings: GrafanaSettings) -> None:
    grafana.fail_next(1000, status=429, message="Too many requests")
    with pytest.raises(BackendUnavailable, match=r"answered 429: Too many requests \(gave up after \d+ attempts"):
        check(settings.model_copy(update={"retry_budget": 0.5}))


def test_a_missing_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SLOCHECK_GRAFANA_URL"):
        GrafanaBackend(GrafanaSettings())


def test_an_annotation_round_trips_in_slocheck_types(api: GrafanaBackend) -> None:
    annotation_id = api.create_annotation(NewAnnotation(time=START, time_end=END, text="load", tags=TAGS))
    stored = api.get_annotation(annotation_id)
    assert (stored.time, stored.time_end, stored.text, stored.tags) == (START, END, "load", TAGS)
    assert stored.dashboard_uid is None
    assert stored.panel_id is None


def test_an_unknown_annotation_id_is_not_found(api: GrafanaBackend) -> None:
    with pytest.raises(GrafanaNotFound, match=r"annotation 999 not found \(Annotation not found\)"):
        api.get_annotation(999)


def test_a_patch_with_empty_tags_erases_them_in_grafana_while_ours_always_sends_them(
    grafana: FakeGrafana, api: GrafanaBackend
) -> None:
    """The trap the adapter exists to avoid: proves the fake replaces tags as Grafana does.

    A naive partial update (what grafana-style clients send when no tags are given: nulls plus `tags: []`) erases
    the stored tags; the adapter's PATCH, sent the same way over HTTP, carries the full list and keeps them."""
    naive_id = api.create_annotation(NewAnnotation(time=START, text="load", tags=TAGS))
    ours_id = api.create_annotation(NewAnnotation(time=START, text="load", tags=TAGS))
    naive = requests.patch(
        f"{grafana.url}/api/annotations/{naive_id}",
        json={"time": None, "timeEnd": int(END.timestamp() * 1000), "tags": [], "text": None},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert naive.status_code == 200
    assert naive.json() == {"message": "Annotation patched"}
    assert api.get_annotation(naive_id).tags == ()
    assert api.get_annotation(naive_id).time_end == END

    api.patch_annotation(ours_id, tags=TAGS, time_end=END)
    assert api.get_annotation(ours_id).tags == TAGS
    patch = [r for r in grafana.requests if r.method == "PATCH"][-1]
    assert patch.path == f"/api/annotations/{ours_id}"
    assert patch.body == {"tags": list(TAGS), "timeEnd": int(END.timestamp() * 1000)}


def test_patch_annotation_sets_the_end_and_keeps_every_tag(api: GrafanaBackend) -> None:
    annotation_id = api.create_annotation(NewAnnotation(time=START, text="load", tags=TAGS))
    api.patch_annotation(annotation_id, tags=TAGS, time_end=END)
    stored = api.get_annotation(annotation_id)
    assert stored.tags == TAGS
    assert (stored.time, stored.time_end, stored.text) == (START, END, "load")


def test_find_annotations_ands_the_tags(api: GrafanaBackend) -> None:
    api.create_annotation(NewAnnotation(time=START, text="a", tags=("slocheck", "run:a")))
    wanted = api.create_annotation(NewAnnotation(time=START, text="b", tags=("slocheck", "run:b")))
    assert [a.id for a in api.find_annotations(["slocheck", "run:b"])] == [wanted]


def test_a_dashboard_that_does_not_exist_is_none(api: GrafanaBackend) -> None:
    assert api.get_dashboard("nope") is None


def test_a_json_answer_that_is_not_grafanas_is_a_query_error(settings: GrafanaSettings) -> None:
    """A URL pointing at some other HTTP server (here: a path prefix nothing serves) says so."""
    other = settings.model_copy(update={"url": f"{settings.url}/not-grafana"})
    with pytest.raises(QueryError, match=r"rejected the request \(404 Not found\)"):
        check(other)


class HtmlPage(FakeHttpServer):
    """Some other web server on the configured port: 200 with an HTML page for everything."""

    methods = ("GET",)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        self.reply(request, 200, b"<html><body>Welcome to nginx!</body></html>", "text/html")


@pytest.fixture
def html_server() -> Iterator[str]:
    with HtmlPage() as server:
        yield server.url


def test_a_web_page_instead_of_grafana_is_a_query_error_asking_for_the_base_url(html_server: str) -> None:
    settings = GrafanaSettings(url=html_server, token=SecretStr(TOKEN), retry_budget=1)
    with pytest.raises(QueryError, match=r"did not answer like Grafana \(\w+\); is this Grafana's base URL\?"):
        check(settings)


class BadGateway(FakeHttpServer):
    """A reverse proxy in front of a Grafana that is down: 502 with nginx's multi-line HTML page."""

    methods = ("GET",)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        body = (
            b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        )
        self.reply(request, 502, body, "text/html")


@pytest.fixture
def bad_gateway() -> Iterator[str]:
    with BadGateway() as server:
        yield server.url


def test_a_proxys_html_error_page_is_unavailable_in_one_line(bad_gateway: str) -> None:
    settings = GrafanaSettings(url=bad_gateway, token=SecretStr(TOKEN), retry_budget=0.3)
    with pytest.raises(BackendUnavailable) as caught:
        check(settings)
    message = str(caught.value)
    assert message.startswith(f"Grafana: {bad_gateway} answered 502: <html> <head><title>502 Bad Gateway</title>")
    assert "\n" not in message
    assert "\r" not in message


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_grafana_that_never_answers_is_unavailable_after_the_timeout(silent_url: str) -> None:
    settings = GrafanaSettings(url=silent_url, token=SecretStr(TOKEN), timeout=0.2, retry_budget=0.3)
    began = time.monotonic()
    with pytest.raises(BackendUnavailable, match=rf"^Grafana: {silent_url} did not answer within 0\.2s \(gave up"):
        check(settings)
    assert time.monotonic() - began < 3


def test_credentials_in_the_url_are_basic_auth_and_never_shown(grafana: FakeGrafana) -> None:
    with_user = grafana.url.replace("http://", "http://admin:admin-password@")
    with GrafanaBackend(GrafanaSettings(url=with_user)) as backend:
        assert backend.check() == "11.6.2"
        assert backend.url == grafana.url
    wrong = grafana.url.replace("http://", "http://admin:p%40ss-secret@")
    with pytest.raises(QueryError) as caught:
        check(GrafanaSettings(url=wrong, retry_budget=1))
    assert str(caught.value).startswith(f"Grafana: {grafana.url} refused the credentials (401 Invalid username")
    assert "p%40ss-secret" not in str(caught.value)
    assert "p@ss-secret" not in str(caught.value)


def test_a_netrc_entry_never_replaces_the_configured_token(
    grafana: FakeGrafana, settings: GrafanaSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests would send ~/.netrc credentials for the host instead; slocheck sends only what it is given."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login admin password stale-netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert check(settings) == "11.6.2"
    assert grafana.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(QueryError, match=r"refused the credentials \(401 Unauthorized\)"):
        check(GrafanaSettings(url=grafana.url, retry_budget=1))
    assert "authorization" not in grafana.requests[-1].headers


def test_the_dashboard_uid_is_quoted_in_the_path(grafana: FakeGrafana, api: GrafanaBackend) -> None:
    assert api.get_dashboard("a/b c") is None
    assert grafana.requests[-1].path == "/api/dashboards/uid/a%2Fb%20c"
