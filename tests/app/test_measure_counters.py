"""app/measure_counters.py and app/undercount.py over an in-memory backend that returns raw samples."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from slocheck.app.evaluate_window import validate_online
from slocheck.app.measure import UNDERCOUNT, Sources, measure_all
from slocheck.app.undercount import counter_selectors_of
from slocheck.config.settings import Settings
from slocheck.core.model import (
    Bar,
    CounterSpec,
    Measurement,
    MeasurementStatus,
    NoDataPolicy,
    Objective,
    PrometheusIndicator,
    SeriesValue,
    Window,
)
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.sources.protocols import CounterBackend, QueryResult, RangeResult

START = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
END = datetime(2026, 11, 28, 12, 0, 30, tzinfo=UTC)
WINDOW = Window(START, END)
T0, T1 = START.timestamp(), END.timestamp()
Series = tuple[dict[str, str], tuple[tuple[float, float], ...]]
BORN_PART = re.compile(
    r"last_over_time\((.+?)\[(\d+)ms\]\) unless last_over_time\(\1\[(\d+)ms\] @ ([\d.]+)\)\), "
    r'"slocheck_selector", "(\d+)"'
)


@dataclass
class RawSamples:
    """Raw samples per selector; an instant answer for the objective's own PromQL query."""

    by_selector: dict[str, tuple[Series, ...]]
    instant_value: float = 0.0
    name: str = "prometheus"
    asked: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    born_queries: list[str] = field(default_factory=list)

    def raw_samples(self, selector: str, start: datetime, end: datetime) -> RangeResult:
        self.asked.append((selector, start, end))
        return RangeResult(self.by_selector.get(selector, ()))

    def instant(self, query: str, at: datetime) -> QueryResult:
        if "unless" not in query:
            return QueryResult((SeriesValue({}, self.instant_value),))
        self.born_queries.append(query)  # which selectors have a series with samples late in the window, none before
        answers = []
        for selector, inside, before, start, position in BORN_PART.findall(query):
            since, until = at.timestamp() - int(inside) / 1000, float(start) - int(before) / 1000
            born = [s for _, s in self.by_selector.get(selector, ()) if any(since < t for t, _ in s)
                    and not any(until < t <= float(start) for t, _ in s)]  # fmt: skip
            if born:
                answers.append(SeriesValue({"slocheck_selector": position}, float(len(born))))
        return QueryResult(tuple(answers))

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        return RangeResult(())

    def check_query(self, query: str) -> None:
        return None

    def close(self) -> None:
        return None


def measure(indicator: PrometheusIndicator, backend: RawSamples) -> Measurement:
    target = Objective("gate", "x", indicator, Bar((parse_bar_text(">= 0"),)), None, NoDataPolicy.INCONCLUSIVE, True)
    return measure_all([target], WINDOW, Sources(prometheus=backend))[target.key]


def counter(form: str, selector: str, total: str | None = None, by: tuple[str, ...] = ()) -> PrometheusIndicator:
    return PrometheusIndicator(f"{form}: {selector}", counter=CounterSpec(form, selector, total, "bad", by))


OLD = ({"route": "/a", "status": "200"}, ((T0 - 10, 100.0), (T0 - 1, 100.0), (T0 + 15, 140.0), (T1 + 0.5, 150.0)))
BORN = ({"route": "/b", "status": "500"}, ((T0 + 2, 3.0), (T0 + 20, 5.0), (T1 + 0.4, 5.0)))


def test_the_fake_implements_the_counter_protocol() -> None:
    assert isinstance(RawSamples({}), CounterBackend)


def test_count_sums_every_series_and_names_the_ones_born_in_the_window() -> None:
    measured = measure(counter("count", "req_total"), RawSamples({"req_total": (OLD, BORN)}))
    assert measured.status is MeasurementStatus.OK
    assert measured.series == (SeriesValue({}, 55.0),)
    assert measured.details["born_in_window"] == ['{route="/b", status="500"}']
    assert measured.details["end_gap_seconds"] == 0.5


def test_rate_is_the_count_over_the_window_seconds() -> None:
    measured = measure(counter("rate", "req_total"), RawSamples({"req_total": (OLD, BORN)}))
    assert measured.series[0].value == 55.0 / 30.0


def test_a_ratio_per_group_reads_a_missing_bad_series_as_zero_bad_events() -> None:
    backend = RawSamples({"bad": (BORN,), "all": (OLD, BORN)})
    measured = measure(counter("ratio", "bad", "all", by=("route",)), backend)
    assert measured.series == (SeriesValue({"route": "/a"}, 0.0), SeriesValue({"route": "/b"}, 1.0))


def test_a_group_without_any_request_is_nan_with_the_reason_said() -> None:
    idle = ({"route": "/c"}, ((T0 - 5, 7.0), (T1 + 1, 7.0)))
    measured = measure(counter("ratio", "bad", "all"), RawSamples({"all": (idle,)}))
    assert measured.status is MeasurementStatus.NO_DATA
    assert math.isnan(measured.series[0].value)
    assert measured.reason == "no requests for this series in the window"


def test_no_series_at_all_is_no_data_never_zero() -> None:
    measured = measure(counter("count", "req_total"), RawSamples({}))
    assert measured.status is MeasurementStatus.NO_DATA


def test_the_raw_samples_are_read_from_before_the_start_to_after_the_end() -> None:
    backend = RawSamples({"req_total": (OLD,)})
    measure(counter("count", "req_total"), backend)
    ((_, start, end),) = backend.asked
    assert start < START
    assert end > END


def test_counter_functions_and_their_selectors_are_found_in_promql() -> None:
    query = 'sum(rate(a_total{x="1"}[5m])) / sum(increase(b_total[$__range])) + rate(a_total{x="1"}[5m])'
    assert counter_selectors_of(query) == [("rate", 'a_total{x="1"}'), ("increase", "b_total")]


def test_a_rate_query_over_series_born_in_the_window_carries_the_undercount_warning() -> None:
    query = "sum(increase(req_total[$__range]))"
    measured = measure(PrometheusIndicator(query, template=query), RawSamples({"req_total": (OLD, BORN)}, 50.0))
    warning = str(measured.details[UNDERCOUNT])
    assert "1 of 2 series of req_total were born inside the window" in warning
    assert "about 3 of the 55 events" in warning
    assert "{count: '<selector>'}" in warning


def test_no_warning_when_every_series_existed_before_the_window() -> None:
    query = "sum(rate(req_total[1m]))"
    measured = measure(PrometheusIndicator(query, template=query), RawSamples({"req_total": (OLD,)}, 1.0))
    assert UNDERCOUNT not in measured.details


def gate_of(queries: list[str]) -> list[Objective]:
    bar = Bar((parse_bar_text(">= 0"),))
    return [
        Objective("gate", f"o{i}", PrometheusIndicator(q, template=q), bar, None, NoDataPolicy.INCONCLUSIVE, True)
        for i, q in enumerate(queries)
    ]


def test_objectives_reading_one_selector_ask_about_born_series_once() -> None:
    """1,000 objectives read a few dozen selectors: asking per objective made time to verdict grow 5-fold."""
    backend = RawSamples({'req_total{job="a"}': (OLD, BORN)}, 50.0)
    objectives = gate_of(['sum(rate(req_total{job="a"}[$__range]))'] * 20)

    measured = measure_all(objectives, WINDOW, Sources(prometheus=backend))

    assert all(UNDERCOUNT in m.details for m in measured.values())
    assert len(backend.born_queries) == 1
    assert len(backend.asked) == 1


def test_the_samples_are_not_read_when_the_index_shows_no_series_born_in_the_window() -> None:
    backend = RawSamples({'req_total{job="a"}': (OLD,)}, 1.0)
    objectives = gate_of(['sum(rate(req_total{job="a"}[$__range]))', 'sum(rate(req_total{job="b"}[$__range]))'] * 3)

    measure_all(objectives, WINDOW, Sources(prometheus=backend))

    assert len(backend.born_queries) == 1
    assert backend.asked == []


def test_selectors_are_asked_about_twenty_to_a_query() -> None:
    backend = RawSamples({}, 1.0)
    objectives = gate_of([f'sum(rate(req_total{{job="j{i}"}}[$__range]))' for i in range(45)])

    measure_all(objectives, WINDOW, Sources(prometheus=backend))

    assert [query.count("label_replace(") for query in backend.born_queries] == [20, 20, 5]


# Scraped since long before validate's 5-minute look-back, and one that first appeared 20 s before it is run.
SINCE_LONG_AGO = ({"route": "/a"}, ((T1 - 400, 10.0), (T1 - 200, 20.0), (T1 - 1, 30.0)))
RECENTLY_BORN = ({"route": "/b"}, ((T1 - 20, 1.0), (T1 - 1, 2.0)))


def validate_with(tmp_path: Path, backend: RawSamples) -> list[str]:
    """`validate --online`'s warnings for a rate() objective over req_total, run at END against `backend`."""
    slo = tmp_path / "slo.yaml"
    slo.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: api}\nspec:\n  service: api\n  objectives:\n"
        "    - name: throughput\n      indicator: {prometheus: {query: 'sum(rate(req_total[$__range]))'}}\n"
        '      pass: ">= 1/s"\n',
        encoding="utf-8",
    )
    _, warnings = validate_online([slo], {}, Settings(), END, lambda *_: Sources(prometheus=backend))
    return warnings


def test_validate_online_warns_of_counter_series_that_appeared_in_the_last_minutes(tmp_path: Path) -> None:
    warnings = validate_with(tmp_path, RawSamples({"req_total": (SINCE_LONG_AGO, RECENTLY_BORN)}, 1.0))
    (warning,) = [w for w in warnings if "first appeared" in w]
    assert warning.startswith("api/throughput: 1 of 2 series of req_total first appeared in the last 5 minutes")
    assert "{count: '<selector>'}" in warning


def test_validate_online_says_nothing_when_every_series_is_older_than_the_last_minutes(tmp_path: Path) -> None:
    warnings = validate_with(tmp_path, RawSamples({"req_total": (SINCE_LONG_AGO,)}, 1.0))
    assert [w for w in warnings if "first appeared" in w] == []
