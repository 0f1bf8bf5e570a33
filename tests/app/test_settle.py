"""app/settle.py: the settle wait ends when every watched target has a scrape after the window end."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from slocheck.app.settle import jobs_read, lagging_targets, wait_for_scrapes
from slocheck.core.model import Bar, Objective, PrometheusIndicator, SeriesValue
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.sources.protocols import QueryResult

END = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BEFORE, AFTER = END - timedelta(seconds=0.5), END + timedelta(seconds=0.2)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def test_only_targets_of_the_jobs_read_are_watched() -> None:
    targets = [("api", "a:1", BEFORE), ("other", "b:1", None), ("api", "a:2", AFTER)]
    assert lagging_targets(targets, {"api"}, END) == (['{job="api", instance="a:1"}'], 2)


def test_the_wait_ends_at_the_first_poll_where_every_target_caught_up() -> None:
    clock = Clock()
    answers = iter([[("api", "a:1", BEFORE)], [("api", "a:1", BEFORE)], [("api", "a:1", AFTER)]])
    report = wait_for_scrapes(END, 10.0, lambda: next(answers), {"api"}, clock.sleep, clock.monotonic)
    assert (report.expired, report.seconds) == (False, 0.5)
    assert "has a scrape after the window end" in report.reason


def test_a_bound_that_expires_is_reported_with_the_lagging_targets() -> None:
    clock = Clock()
    report = wait_for_scrapes(END, 1.0, lambda: [("api", "a:1", BEFORE)], {"api"}, clock.sleep, clock.monotonic)
    assert report.expired
    assert report.lagging == ('{job="api", instance="a:1"}',)
    assert report.seconds == 1.0


def test_the_jobs_come_from_the_prometheus_objectives() -> None:
    target = Objective("s", "n", PrometheusIndicator('sum(rate(x{job="api"}[1m]))'), Bar(()))
    assert jobs_read([target]) == {"api"}


def test_objectives_of_a_backend_that_never_caught_up_say_so() -> None:
    from slocheck.app.measure import Sources
    from slocheck.app.phases import measure_and_evaluate
    from tests.app.test_measure_counters import OLD, WINDOW, RawSamples, counter

    target = Objective("s", "n", counter("count", "req_total"), Bar((parse_bar_text(">= 0"),)))
    judged = measure_and_evaluate([target], WINDOW, Sources(prometheus=RawSamples({"req_total": (OLD,)})),
                                  behind={"prometheus": "the 3s bound expired"})  # fmt: skip
    assert judged.measurements[target.key].details["settle_warning"] == "the 3s bound expired"
    assert judged.warnings == ("s/n: measured before prometheus caught up with the window end (the 3s bound expired)",)
    (result,) = judged.evaluation.results
    assert result.reason.endswith("; measured before prometheus caught up with the window end")


class StalledTargets:
    """A Prometheus whose /api/v1/targets answer never completes (a trickling or stalled server)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def targets(self) -> tuple[()]:
        self.release.wait()
        return ()


def test_a_targets_poll_that_never_answers_is_abandoned_when_the_bound_is_spent() -> None:
    from slocheck.app.measure import Sources
    from slocheck.app.settle import settle_after_load

    stalled = StalledTargets()
    try:
        settled, report = settle_after_load(0.2, Sources(prometheus=stalled), [], END, lambda _: None)  # type: ignore[arg-type]
    finally:
        stalled.release.set()
    assert settled
    assert report is not None
    assert report.expired
    assert "/api/v1/targets: no answer within" in report.reason


def test_the_loki_streams_are_the_first_positive_matcher_of_each_objectives_selector() -> None:
    from slocheck.app.settle_streams import loki_streams
    from slocheck.core.model import LokiIndicator

    count = LokiIndicator('count: {app="api", level!="debug"} |= "x"', count_of='{app="api", level!="debug"} |= "x"')
    metric = LokiIndicator('sum(rate({job="web"} |= "ERROR" [$__range]))')
    objectives = [Objective("s", n, i, Bar(())) for n, i in (("a", count), ("b", metric), ("c", count))]
    assert loki_streams(objectives) == ['{app="api"}', '{job="web"}']


def test_each_source_stops_being_polled_once_its_last_second_has_arrived() -> None:
    from slocheck.app.settle_streams import wait_until_caught_up

    clock = Clock()
    loki = iter([['{app="api"}'], []])
    jaeger_polls: list[float] = []

    def jaeger() -> list[str]:
        jaeger_polls.append(clock.now)
        return [] if clock.now >= 1.0 else ["api"]

    waited, behind = wait_until_caught_up({"loki": lambda: next(loki), "jaeger": jaeger}, 7.0, clock.sleep,
                                          clock.monotonic)  # fmt: skip
    assert (waited, behind) == (1.0, {})
    assert jaeger_polls == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_a_source_still_behind_at_the_bound_is_named_with_what_it_lacks() -> None:
    from slocheck.app.settle_streams import wait_until_caught_up

    clock = Clock()
    waited, behind = wait_until_caught_up({"loki": lambda: ['{app="api"}']}, 2.0, clock.sleep, clock.monotonic)
    assert waited == 2.0
    assert behind == {"loki": 'nothing from the window\'s last second yet in {app="api"}'}


class LokiCatchingUp:
    """A Loki whose last second of lines arrives on the third poll."""

    name = "loki"

    def __init__(self) -> None:
        self.polls: list[str] = []

    def instant(self, query: str, at: datetime) -> QueryResult:
        self.polls.append(query)
        return QueryResult((SeriesValue({}, 12.0),) if len(self.polls) >= 3 else ())


def test_a_run_reading_loki_settles_when_loki_holds_the_windows_last_second() -> None:
    from slocheck.app.measure import Sources
    from slocheck.app.settle import settle_after_load
    from slocheck.core.model import LokiIndicator

    loki = LokiCatchingUp()
    objective = Objective("s", "lines", LokiIndicator("c", count_of='{app="api"} |= "x"'), Bar(()))
    settled, report = settle_after_load(5.0, Sources(loki=loki), [objective], END, lambda _: None,  # type: ignore[arg-type]
                                        sleep=lambda _: None)  # fmt: skip
    assert settled
    assert report is not None
    assert not report.expired
    assert loki.polls[0] == 'sum(count_over_time({app="api"} [1s]))'
    assert len(loki.polls) == 3
    assert "hold the window's last second" in report.reason


def test_a_source_caught_up_at_once_is_still_waited_for_its_pipelines_delivery_floor() -> None:
    from slocheck.app.settle_streams import wait_until_caught_up

    clock, polls = Clock(), []

    def jaeger() -> list[str]:
        polls.append(clock.now)
        return []

    waited, behind = wait_until_caught_up({"jaeger": jaeger}, 12.0, clock.sleep, clock.monotonic, floor=7.0)
    assert (waited, behind, polls) == (7.0, {}, [0.0])
