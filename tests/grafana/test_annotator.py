"""RunAnnotator against the fake Grafana: what Grafana ends up storing for a run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slocheck.config.settings import GrafanaSettings
from slocheck.core.errors import EXIT_INCONCLUSIVE, BackendUnavailable, ConfigError
from slocheck.core.evaluate import evaluate
from slocheck.core.model import Measurement, MeasurementStatus, SeriesValue, Verdict, Window
from slocheck.core.spec.loader import load_slo_files
from slocheck.grafana.annotator import RunAnnotator, verdict_summary
from slocheck.load.shapes import StageChange
from tests.support.fake_grafana import FakeGrafana
from tests.support.paths import REPO_ROOT

START = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
LOAD_START = START + timedelta(seconds=2)
END = START + timedelta(minutes=5)
RUN_TAGS = ["slocheck", "run:20261123-100000-ab12", "scenario:agent_platform", "profile:smoke"]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture
def warnings() -> Warnings:
    return Warnings()


def annotator_for(settings: GrafanaSettings, warnings: Warnings, *, require: bool = False) -> RunAnnotator:
    return RunAnnotator(settings, warn=warnings, require=require, clock=lambda: START)


@pytest.fixture
def annotator(settings: GrafanaSettings, warnings: Warnings) -> Iterator[RunAnnotator]:
    annotator = annotator_for(settings, warnings)
    yield annotator
    annotator.close()


def start(annotator: RunAnnotator) -> int | None:
    return annotator.start("20261123-100000-ab12", "agent_platform", "smoke", ["demo", "api-sla"], "http://api:8000")


def the_region(grafana: FakeGrafana) -> dict[str, object]:
    regions = [a for a in grafana.annotations.values() if not any(str(t).startswith("stage:") for t in a["tags"])]
    assert len(regions) == 1
    return regions[0]


def test_start_creates_an_org_wide_region_tagged_with_run_scenario_and_profile(
    grafana: FakeGrafana, annotator: RunAnnotator
) -> None:
    annotation_id = start(annotator)
    region = the_region(grafana)
    assert region["id"] == annotation_id
    assert region["tags"] == RUN_TAGS
    assert region["time"] == ms(START)
    assert region["dashboardId"] == 0
    assert region["panelId"] == 0


def test_the_region_text_names_the_slo_sets_and_the_host(grafana: FakeGrafana, annotator: RunAnnotator) -> None:
    start(annotator)
    assert the_region(grafana)["text"] == (
        "slocheck run 20261123-100000-ab12: scenario agent_platform, profile smoke against http://api:8000; "
        "SLO sets: demo, api-sla"
    )


def test_stop_sets_time_end_and_the_exact_load_start_keeping_every_tag(
    grafana: FakeGrafana, annotator: RunAnnotator
) -> None:
    start(annotator)
    annotator.stop(END, start=LOAD_START)
    region = the_region(grafana)
    assert (region["time"], region["timeEnd"]) == (ms(LOAD_START), ms(END))
    assert region["tags"] == RUN_TAGS


def test_stop_twice_closes_the_region_once(grafana: FakeGrafana, annotator: RunAnnotator) -> None:
    start(annotator)
    annotator.stop(END)
    annotator.stop(END + timedelta(minutes=1))
    assert the_region(grafana)["timeEnd"] == ms(END)
    assert sum(1 for r in grafana.requests if r.method == "PATCH") == 1


def test_stop_without_an_end_closes_the_region_at_the_clocks_now(
    grafana: FakeGrafana, settings: GrafanaSettings, warnings: Warnings
) -> None:
    now = [START]
    annotator = RunAnnotator(settings, warn=warnings, clock=lambda: now[0])
    start(annotator)
    now[0] = END
    annotator.close()  # what the pipeline's `finally` does after Ctrl-C or a crash
    assert the_region(grafana)["timeEnd"] == ms(END)


def test_the_verdict_adds_its_tag_and_summary_keeping_the_other_tags(
    grafana: FakeGrafana, annotator: RunAnnotator
) -> None:
    start(annotator)
    annotator.stop(END)
    annotator.verdict(Verdict.FAIL, "verdict FAIL: 9 PASS, 1 FAIL (failed: demo/api-p95-latency)")
    region = the_region(grafana)
    assert region["tags"] == [*RUN_TAGS, "verdict:fail"]
    assert str(region["text"]).endswith(
        "SLO sets: demo, api-sla\nverdict FAIL: 9 PASS, 1 FAIL (failed: demo/api-p95-latency)"
    )
    assert (region["time"], region["timeEnd"]) == (ms(START), ms(END))


def test_every_patch_the_annotator_sends_carries_the_full_tag_list(
    grafana: FakeGrafana, annotator: RunAnnotator
) -> None:
    """Grafana replaces the stored tags with whatever a PATCH sends (an empty list erases them)."""
    annotation_id = start(annotator)
    annotator.stop(END, start=LOAD_START)
    annotator.verdict(Verdict.PASS, "verdict PASS: 10 PASS")
    patches = [r for r in grafana.requests if r.method == "PATCH"]
    assert [r.path for r in patches] == [f"/api/annotations/{annotation_id}"] * 2
    assert [r.body["tags"] for r in patches] == [RUN_TAGS, [*RUN_TAGS, "verdict:pass"]]


def test_stage_changes_become_point_annotations_with_the_run_tag(grafana: FakeGrafana, annotator: RunAnnotator) -> None:
    start(annotator)
    annotator.stage(StageChange(index=2, at=START + timedelta(seconds=60), users=50, spawn_rate=5.0))
    stages = [a for a in grafana.annotations.values() if "stage:2" in a["tags"]]
    assert len(stages) == 1
    assert stages[0]["tags"] == ["slocheck", "run:20261123-100000-ab12", "stage:2"]
    assert stages[0]["time"] == stages[0]["timeEnd"] == ms(START + timedelta(seconds=60))
    assert stages[0]["text"] == "stage 2: 50 users at 5/s"


def test_a_capacity_step_is_a_point_annotation_with_its_own_tag(grafana: FakeGrafana, annotator: RunAnnotator) -> None:
    start(annotator)
    annotator.point(START + timedelta(seconds=30), "step 160/s: held", "capacity-step")
    (step,) = [a for a in grafana.annotations.values() if "capacity-step" in a["tags"]]
    assert step["tags"] == ["slocheck", "run:20261123-100000-ab12", "capacity-step"]
    assert step["text"] == "step 160/s: held"
    assert step["time"] == ms(START + timedelta(seconds=30))


def test_a_configured_dashboard_and_panel_pin_the_region_to_them(
    grafana: FakeGrafana, settings: GrafanaSettings, warnings: Warnings
) -> None:
    grafana.add_dashboard({"uid": "slo-board", "title": "SLOs", "panels": []})
    pinned = settings.model_copy(update={"dashboard_uid": "slo-board", "panel_id": 4})
    annotator = annotator_for(pinned, warnings)
    start(annotator)
    annotator.close()
    region = grafana.annotations[1]
    assert region["dashboardId"] == grafana.dashboards["slo-board"].id
    assert region["panelId"] == 4


def test_grafana_down_gives_one_warning_and_the_run_goes_on_without_annotations(
    down_settings: GrafanaSettings, warnings: Warnings
) -> None:
    annotator = annotator_for(down_settings, warnings)
    annotator.check()
    assert start(annotator) is None
    annotator.stage(StageChange(index=1, at=START, users=1, spawn_rate=1))
    annotator.stop(END)
    annotator.verdict(Verdict.PASS, "verdict PASS")
    annotator.close()
    assert len(warnings) == 1
    assert warnings[0].startswith("Grafana annotations are off for this run: cannot reach http://127.0.0.1:")
    assert warnings[0].endswith("; pass --require-grafana to stop the run instead")


def test_grafana_down_with_require_stops_at_the_preflight_check(
    down_settings: GrafanaSettings, warnings: Warnings
) -> None:
    annotator = annotator_for(down_settings, warnings, require=True)
    with pytest.raises(BackendUnavailable) as caught:
        annotator.check()
    assert str(caught.value).startswith("Grafana: cannot reach http://127.0.0.1:")
    assert str(caught.value).endswith("(--require-grafana: nothing was run)")
    assert caught.value.exit_code == EXIT_INCONCLUSIVE


def test_a_refused_token_warns_clearly_without_the_token(grafana: FakeGrafana, warnings: Warnings) -> None:
    from pydantic import SecretStr

    secret = "glsa_leakedIfPrinted_0000"
    settings = GrafanaSettings(url=grafana.url, token=SecretStr(secret), retry_budget=1)
    annotator = annotator_for(settings, warnings)
    assert start(annotator) is None
    annotator.close()
    assert warnings == [
        f"Grafana annotations are off for this run: {grafana.url} refused the credentials (401 Invalid API key); "
        "set SLOCHECK_GRAFANA_TOKEN (or backends.grafana.token) to a service-account token; "
        "pass --require-grafana to stop the run instead"
    ]
    assert grafana.annotations == {}


def test_a_refused_token_with_require_is_unavailable_before_any_annotation(
    grafana: FakeGrafana, warnings: Warnings
) -> None:
    settings = GrafanaSettings(url=grafana.url, retry_budget=1)
    annotator = annotator_for(settings, warnings, require=True)
    with pytest.raises(BackendUnavailable, match=r"refused the credentials \(401 Unauthorized\)"):
        start(annotator)
    assert grafana.annotations == {}


def test_without_a_grafana_url_the_annotator_is_a_silent_no_op(warnings: Warnings) -> None:
    annotator = annotator_for(GrafanaSettings(), warnings)
    annotator.check()
    assert start(annotator) is None
    annotator.close()
    assert warnings == []


def test_require_without_a_grafana_url_is_a_config_error(warnings: Warnings) -> None:
    with pytest.raises(ConfigError, match="--require-grafana: no Grafana URL configured"):
        annotator_for(GrafanaSettings(), warnings, require=True).check()


def test_a_grafana_gone_before_the_stop_warns_how_to_close_the_region(
    grafana: FakeGrafana, annotator: RunAnnotator, warnings: Warnings
) -> None:
    annotation_id = start(annotator)
    grafana.fail_next(1000, status=502, message="Bad Gateway")
    annotator.stop(END)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Grafana: could not close annotation {annotation_id}: ")
    assert warnings[0].endswith(f"close it with `slocheck annotate stop {annotation_id}`")


def test_the_verdict_summary_counts_outcomes_and_names_what_was_not_met() -> None:
    sets = load_slo_files([Path(REPO_ROOT / "slo" / "api-sla.yaml")])
    objectives = list(sets[0].objectives)
    window = Window(START, END)
    values = {"p50-latency": 0.1, "p95-latency": 0.9, "p99-latency": 0.5, "p95-latency-per-endpoint": 0.2}
    measurements = {
        o.key: Measurement(o.key, "prometheus", o.name, MeasurementStatus.OK, (SeriesValue({}, values[o.name]),))
        if o.name in values
        else Measurement(o.key, "prometheus", o.name, MeasurementStatus.ERROR, reason="down")
        for o in objectives
    }
    summary = verdict_summary(evaluate(objectives, measurements, window))
    assert summary == (
        "verdict FAIL: 3 PASS, 1 FAIL, 2 ERROR (failed: api-sla/p95-latency; no answer: api-sla/error-rate, "
        "api-sla/throughput)"
    )
