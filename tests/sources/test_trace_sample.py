"""Which span stands for a trace, whether the trace failed, statistics and exemplars: pure, no server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slocheck.app.measure import trace_stat
from slocheck.load import tracing
from slocheck.sources.jaeger_sample import RUN_ID_KEY, RUN_SERVICE, TraceQuery, TraceSample, exemplars, select_trace
from slocheck.sources.jaeger_traces import Span, Trace

T0 = 1_795_428_000 * 10**9


def span(span_id: str, parent: str | None, service: str, name: str, ms: float, **extra: object) -> Span:
    fields: dict[str, object] = {"kind": "server", "start_ns": T0, "error": False, "attributes": {}} | extra
    return Span("t1", span_id, parent, service, name, duration_ns=int(ms * 1e6), **fields)  # type: ignore[arg-type]


CLIENT = span("c", None, "slocheck-load", "POST /run", 300, kind="client", attributes={RUN_ID_KEY: "r-1"})
SERVER = span("s", "c", "api", "POST /run", 250, start_ns=T0 + 1000)
INNER = span("i", "s", "api", "POST /run", 100, kind="internal", start_ns=T0 + 2000)
DB = span("d", "s", "api", "SELECT agents", 20, kind="client", start_ns=T0 + 3000)
TRACE = Trace("t1", (CLIENT, SERVER, INNER, DB))


def test_the_outermost_matching_span_of_the_service_gives_the_trace_duration() -> None:
    sample = select_trace(TRACE, TraceQuery("api", operation="POST /run"))

    assert sample is not None
    assert sample.duration_seconds == pytest.approx(0.25)


def test_without_an_operation_the_service_entry_span_stands_for_the_trace() -> None:
    sample = select_trace(TRACE, TraceQuery("api"))

    assert sample is not None
    assert sample.duration_seconds == pytest.approx(0.25)


def test_a_trace_without_a_span_of_the_service_is_not_in_the_sample() -> None:
    assert select_trace(TRACE, TraceQuery("billing")) is None


def test_the_span_kind_filter_picks_the_matching_span() -> None:
    sample = select_trace(TRACE, TraceQuery("api", span_kind="client"))

    assert sample is not None
    assert sample.duration_seconds == pytest.approx(0.02)


def test_attributes_must_all_match_on_the_span() -> None:
    tagged = Trace("t1", (CLIENT, span("s", "c", "api", "POST /run", 250, attributes={"tier": "gold"})))

    assert select_trace(tagged, TraceQuery("api", attributes={"tier": "gold"})) is not None
    assert select_trace(tagged, TraceQuery("api", attributes={"tier": "silver"})) is None


def test_an_error_below_the_entry_span_makes_the_trace_an_error() -> None:
    failing = Trace("t1", (CLIENT, SERVER, span("d", "s", "api", "SELECT agents", 20, error=True)))

    sample = select_trace(failing, TraceQuery("api"))

    assert sample is not None
    assert sample.error is True


def test_an_error_on_the_callers_span_only_does_not_fail_the_services_trace() -> None:
    client_failed = Trace("t1", (span("c", None, "slocheck-load", "POST /run", 300, error=True), SERVER, DB))

    sample = select_trace(client_failed, TraceQuery("api"))

    assert sample is not None
    assert sample.error is False


def test_a_run_query_keeps_only_traces_carrying_the_run_id() -> None:
    assert select_trace(TRACE, TraceQuery("api", run_id="r-1")) is not None
    assert select_trace(TRACE, TraceQuery("api", run_id="r-2")) is None


def test_a_run_query_searches_the_load_generators_spans_by_run_id() -> None:
    assert TraceQuery("api", "POST /run", run_id="r-1").search() == (RUN_SERVICE, None, {RUN_ID_KEY: "r-1"})


def test_the_run_constants_are_the_ones_the_load_generator_sets() -> None:
    assert (RUN_SERVICE, RUN_ID_KEY) == (tracing.SERVICE, tracing.RUN_ID_KEY)


def samples(*seconds_and_errors: tuple[float, bool]) -> list[TraceSample]:
    return [TraceSample(f"{i:032x}", T0, s, e) for i, (s, e) in enumerate(seconds_and_errors)]


@pytest.mark.parametrize(
    ("stat", "value"),
    [("count", 4.0), ("error_ratio", 0.25), ("p50", 0.25), ("max", 0.4), ("mean", 0.25), ("p90", 0.37)],
)
def test_trace_statistics_are_in_base_units(stat: str, value: float) -> None:
    sample = samples((0.1, False), (0.2, True), (0.3, False), (0.4, False))

    assert trace_stat(sample, stat) == pytest.approx(value)


def test_exemplars_list_failed_traces_first_then_the_slowest_with_links() -> None:
    sample = samples((0.1, False), (0.2, True), (0.9, False))

    found = exemplars(sample, lambda trace_id: f"http://jaeger/trace/{trace_id}")

    assert [(e["duration_seconds"], e["error"]) for e in found] == [(0.2, True), (0.9, False), (0.1, False)]
    assert found[0]["url"] == f"http://jaeger/trace/{1:032x}"
    assert found[0]["start"] == datetime.fromtimestamp(T0 / 1e9, UTC).isoformat()


def test_exemplars_are_bounded_to_five_of_each_kind() -> None:
    sample = samples(*[(i / 100, i % 2 == 0) for i in range(40)])

    found = exemplars(sample, str)

    assert sum(e["error"] is True for e in found) == 5
    assert len(found) <= 10
