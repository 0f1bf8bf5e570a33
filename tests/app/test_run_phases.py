"""The run's phase order, with every collaborator injected: no backend, Locust process or Grafana needed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slocheck.app.measure import Sources
from slocheck.app.pipeline import RunParts, RunRequest, execute_run
from slocheck.config.settings import Settings
from slocheck.core.errors import ConfigError
from slocheck.core.model import Objective, SeriesValue
from slocheck.load.monitor import GeneratorCpu
from slocheck.load.plan import LoadOutcome, LoadPlan
from slocheck.load.stats import ClientStats
from slocheck.sources.protocols import QueryResult, RangeResult

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: phases}
spec:
  service: api
  objectives:
    - name: server-p95
      indicator: {prometheus: {query: 'histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__range])))'}}
      pass: "< 500ms"
    - name: client-rps
      indicator: {locust: {stat: rps}}
      pass: ">= 1/s"
"""
SCENARIO = """\
from locust import HttpUser, task


class Visitor(HttpUser):
    @task
    def index(self):
        self.client.get("/")
"""


@dataclass
class Journal:
    """Every phase appends what it did, in order."""

    entries: list[str] = field(default_factory=list)

    def add(self, entry: str) -> None:
        self.entries.append(entry)


@dataclass
class FakePrometheus:
    journal: Journal
    name: str = "prometheus"

    def instant(self, query: str, at: datetime) -> QueryResult:
        self.journal.add("measure" if "histogram_quantile" in query else "query")
        return QueryResult((SeriesValue({}, 0.2),))

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        return RangeResult(())

    def check_query(self, query: str) -> None:
        self.journal.add("check query")

    def scrape_interval(self) -> float:
        return 1.0

    def close(self) -> None:
        self.journal.add("close sources")


class FakeAnnotator:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def check(self) -> None:
        self.journal.add("annotation check")

    def start(self, run_id: str, scenario: str, profile: str, slo_sets: list[str], host: str) -> int:
        self.journal.add("annotation start")
        return 7

    def stage(self, change: object) -> None:
        self.journal.add("annotation stage")

    def point(self, at: datetime, text: str, tag: str) -> None:
        self.journal.add(f"annotation point {tag} at {at:%H:%M:%S}: {text}")

    def stop(self, end: datetime | None = None, *, start: datetime | None = None) -> None:
        self.journal.add("annotation stop")

    def verdict(self, verdict: object, summary: str) -> None:
        self.journal.add(f"annotation verdict {getattr(verdict, 'value', verdict)}")

    def close(self) -> None:
        self.journal.add("annotation close")


def _outcome(plan: LoadPlan) -> LoadOutcome:
    stats = ClientStats()
    for _ in range(20):
        stats.record("GET", "/", 0.01, 10, None)
    stats.window_seconds = 10.0
    return LoadOutcome(
        run_id=plan.run_id, scenario=plan.scenario, profile=plan.profile.name, host=plan.host,
        start=START, end=START + timedelta(seconds=10), interrupted=False, failed=False, failure="", stats=stats,
        stage_changes=(), warnings=(), notes=(), cpu=GeneratorCpu(), requested_users=1, achieved_users=1, workers=0,
        csv_prefix=None, user_exceptions=(), scenario_exit_code=None,
    )  # fmt: skip


def _parts(journal: Journal) -> RunParts:
    def sources(settings: Settings, objectives: Sequence[Objective]) -> Sources:
        journal.add("open sources")
        return Sources(prometheus=FakePrometheus(journal))

    def run_load(plan: LoadPlan, **_: Any) -> LoadOutcome:
        journal.add("load")
        return _outcome(plan)

    return RunParts(
        sources=sources,
        run_load=run_load,
        annotator=lambda *a, **k: FakeAnnotator(journal),
        sleep=lambda seconds: journal.add(f"settle {seconds:g}s"),
    )


def _request(tmp_path: Path) -> RunRequest:
    (tmp_path / "slo.yaml").write_text(SLO)
    (tmp_path / "scenario.py").write_text(SCENARIO)
    return RunRequest(
        slo_files=(tmp_path / "slo.yaml",), scenario=tmp_path / "scenario.py", profile="smoke",
        profiles_file=None, host="http://127.0.0.1:9", out_root=tmp_path / "runs",
    )  # fmt: skip


@pytest.fixture
def journal() -> Journal:
    return Journal()


def test_a_run_goes_preflight_annotate_load_settle_measure_evidence_verdict_in_that_order(
    tmp_path: Path, journal: Journal
) -> None:
    execute_run(_request(tmp_path), Settings(), say=lambda _: None, clock=lambda: START, parts=_parts(journal))
    compact = [e for i, e in enumerate(journal.entries) if i == 0 or e != journal.entries[i - 1]]
    assert compact == [
        "open sources",
        "check query",
        "query",  # the histogram's bucket bounds, read once for the bar check
        "annotation check",
        "annotation start",
        "load",
        "annotation stop",
        "settle 3s",
        "measure",
        "annotation verdict PASS",
        "annotation close",
        "close sources",
    ]


def test_the_run_directory_holds_the_verdict_the_injected_backends_produced(tmp_path: Path, journal: Journal) -> None:
    result = execute_run(_request(tmp_path), Settings(), say=lambda _: None, clock=lambda: START, parts=_parts(journal))
    document = json.loads((result.run_dir / "result.json").read_text())
    values = {o["name"]: o["value"] for o in document["objectives"]}
    assert (document["verdict"], values) == ("PASS", {"server-p95": 0.2, "client-rps": 2.0})


def test_nothing_is_loaded_or_annotated_when_a_query_is_rejected(tmp_path: Path, journal: Journal) -> None:
    parts = _parts(journal)

    def rejecting(settings: Settings, objectives: Sequence[Objective]) -> Sources:
        backend = FakePrometheus(journal)

        def check_query(query: str) -> None:
            from slocheck.core.errors import QueryError

            raise QueryError("prometheus", "parse error: unexpected end of input")

        backend.check_query = check_query  # type: ignore[method-assign]
        return Sources(prometheus=backend)

    with pytest.raises(ConfigError, match="parse error"):
        execute_run(
            _request(tmp_path), Settings(), say=lambda _: None, clock=lambda: START,
            parts=RunParts(sources=rejecting, run_load=parts.run_load, annotator=parts.annotator, sleep=parts.sleep),
        )  # fmt: skip
    assert [e for e in journal.entries if e in ("load", "annotation start")] == []


def test_an_aborted_load_leaves_a_point_annotation_at_the_moment_it_stopped(tmp_path: Path, journal: Journal) -> None:
    parts = _parts(journal)

    def aborted_load(plan: LoadPlan, **_: Any) -> LoadOutcome:
        journal.add("load")
        return replace(_outcome(plan), aborted="aborted: server-p95 0.9s breaks < 500ms")

    execute_run(_request(tmp_path), Settings(), say=lambda _: None, clock=lambda: START,
                parts=replace(parts, run_load=aborted_load))  # fmt: skip
    assert journal.entries[journal.entries.index("load") + 1 :][:2] == [
        "annotation point aborted at 12:00:10: aborted: server-p95 0.9s breaks < 500ms",
        "annotation stop",
    ]
