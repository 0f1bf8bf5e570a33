"""`slocheck annotate start|stop` end to end in-process, against the fake Grafana."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slocheck.__main__ import main
from slocheck.cli import options as cli
from tests.support.fake_grafana import FakeGrafana

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
END = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [START]
    monkeypatch.setattr(cli, "clock", lambda: now[0])
    return now


def test_annotate_start_prints_only_the_new_id_on_stdout(
    grafana_env: FakeGrafana, pinned_clock: list[datetime], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["annotate", "start", "--tag", "k6", "--tag", "build:1234", "--text", "k6 soak test"])
    out = capsys.readouterr().out
    assert code == 0
    assert out == "1\n"
    stored = grafana_env.annotations[1]
    assert stored["tags"] == ["slocheck", "k6", "build:1234"]
    assert stored["text"] == "k6 soak test"
    assert stored["time"] == int(START.timestamp() * 1000)


def test_annotate_start_can_pin_the_annotation_to_a_dashboard_panel(
    grafana_env: FakeGrafana, capsys: pytest.CaptureFixture[str]
) -> None:
    grafana_env.add_dashboard({"uid": "api", "title": "API"})
    code = main(["annotate", "start", "--text", "load", "--dashboard-uid", "api", "--panel-id", "2"])
    assert code == 0
    stored = grafana_env.annotations[int(capsys.readouterr().out)]
    assert (stored["dashboardId"], stored["panelId"]) == (grafana_env.dashboards["api"].id, 2)


def test_annotate_stop_closes_the_region_now_keeping_tags_and_adding_the_verdict(
    grafana_env: FakeGrafana, pinned_clock: list[datetime], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["annotate", "start", "--tag", "k6", "--text", "k6 soak test"])
    annotation_id = capsys.readouterr().out.strip()
    pinned_clock[0] = END
    code = main(["annotate", "stop", annotation_id, "--verdict", "FAIL"])
    captured = capsys.readouterr()
    stored = grafana_env.annotations[int(annotation_id)]
    assert code == 0
    assert captured.out == ""
    assert stored["tags"] == ["slocheck", "k6", "verdict:fail"]
    assert (stored["time"], stored["timeEnd"]) == (int(START.timestamp() * 1000), int(END.timestamp() * 1000))
    assert stored["text"] == "k6 soak test\nverdict FAIL"


def test_annotate_stop_without_a_verdict_keeps_the_text_and_tags(
    grafana_env: FakeGrafana, pinned_clock: list[datetime], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["annotate", "start", "--tag", "jmeter", "--text", "nightly"])
    annotation_id = capsys.readouterr().out.strip()
    pinned_clock[0] = END
    assert main(["annotate", "stop", annotation_id]) == 0
    stored = grafana_env.annotations[int(annotation_id)]
    assert (stored["tags"], stored["text"]) == (["slocheck", "jmeter"], "nightly")
    assert stored["timeEnd"] == int(END.timestamp() * 1000)


def test_annotate_stop_replaces_an_earlier_verdict_tag(
    grafana_env: FakeGrafana, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["annotate", "start", "--text", "rerun"])
    annotation_id = capsys.readouterr().out.strip()
    main(["annotate", "stop", annotation_id, "--verdict", "inconclusive"])
    main(["annotate", "stop", annotation_id, "--verdict", "pass"])
    assert grafana_env.annotations[int(annotation_id)]["tags"] == ["slocheck", "verdict:pass"]


def test_an_unknown_verdict_is_invalid_input(grafana_env: FakeGrafana, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["annotate", "stop", "1", "--verdict", "great"])
    assert code == 2
    assert capsys.readouterr().err == 'error: --verdict "great": choose one of pass, warn, fail, inconclusive\n'
    assert grafana_env.requests == []


def test_stopping_an_unknown_annotation_exits_3_naming_it(
    grafana_env: FakeGrafana, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["annotate", "stop", "42"])
    assert code == 3
    assert capsys.readouterr().err == "error: Grafana: annotation 42 not found (Annotation not found)\n"


def test_annotate_without_a_grafana_url_is_invalid_input(clean_env: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["annotate", "start", "--text", "x"])
    assert code == 2
    assert "no Grafana URL: pass --grafana-url, set SLOCHECK_GRAFANA_URL" in capsys.readouterr().err


def test_a_refused_token_exits_3_with_one_line_and_no_token(
    grafana_env: FakeGrafana, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", "glsa_revokedButSecret_7777")
    code = main(["annotate", "start", "--text", "x"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1
    assert err.startswith(f"error: Grafana: {grafana_env.url} refused the credentials (401 Invalid API key)")
    assert "glsa_revokedButSecret_7777" not in err


def test_the_grafana_url_flag_wins_over_the_environment(
    grafana: FakeGrafana, clean_env: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.fake_grafana import TOKEN

    monkeypatch.setenv("SLOCHECK_GRAFANA_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", TOKEN)
    assert main(["annotate", "start", "--text", "x", "--grafana-url", grafana.url]) == 0
    assert capsys.readouterr().out == "1\n"
