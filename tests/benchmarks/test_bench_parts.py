"""The benchmark's own arithmetic and inputs: steady-state ratios, configuration, SLO files, the OTLP sink."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from benchmarks.__main__ import FULL, QUICK, SECTIONS, _targets, config_from_env
from benchmarks.arrivals import cpu_seconds, with_abort
from benchmarks.driver import rotated
from benchmarks.otlp_sink import span_count
from benchmarks.servers import parse_stub_status
from benchmarks.slofiles import CLIENT_ONLY, prometheus_slo, write_yaml
from benchmarks.stats import balanced_ratio, median, spread, steady_cpu_per_request, steady_ratio
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

from slocheck.core.spec.loader import load_slo_files


def _samples(base_rate: float, other_rate: float, other_from: float, until: float) -> list[tuple[float, int, int]]:
    """Counters sampled every 0.5 s: base runs from 0 s, other from `other_from`; both stop at `until`; each poll
    adds one request to each counter."""
    samples = []
    for i in range(int(until / 0.5) + 6):
        t = i * 0.5
        base = base_rate * min(t, until)
        other = other_rate * max(0.0, min(t, until) - other_from)
        samples.append((t, int(base) + i + 1, int(other) + i + 1))
    return samples


def test_the_steady_ratio_covers_only_the_seconds_both_loads_ran() -> None:
    result = steady_ratio(_samples(3000.0, 2700.0, other_from=3.0, until=15.0))
    assert result["ratio"] == pytest.approx(0.9, abs=0.002)
    assert result["base_rps"] == pytest.approx(3000.0, rel=0.002)
    # both ran from 3 s to 15 s; minus the 2 s warm-up and the 1 s end margin
    assert 8.0 <= result["seconds"] <= 9.5


def test_the_poll_requests_are_not_counted_as_load() -> None:
    result = steady_ratio(_samples(100.0, 100.0, other_from=0.0, until=20.0))
    assert result["base_rps"] == pytest.approx(100.0, rel=0.02)
    assert result["ratio"] == pytest.approx(1.0, abs=0.02)


def test_an_overlap_too_short_gives_no_ratio() -> None:
    result = steady_ratio(_samples(3000.0, 3000.0, other_from=9.0, until=12.0))
    assert math.isnan(result["ratio"])


def test_no_load_at_all_gives_no_ratio() -> None:
    assert math.isnan(steady_ratio([(0.0, 1, 1), (0.5, 2, 2), (1.0, 3, 3)])["ratio"])


def test_medians_and_spreads_skip_missing_values() -> None:
    assert median([3.0, math.nan, 1.0, 2.0]) == 2.0
    assert spread([3.0, math.nan, 1.0]) == (1.0, 3.0)
    assert math.isnan(median([]))


def test_the_order_of_variants_rotates_every_repetition() -> None:
    assert rotated(["a", "b", "c"], 1) == ["b", "c", "a"]
    assert rotated(["a", "b", "c"], 3) == ["a", "b", "c"]


def test_the_full_configuration_meets_the_issue_minimums() -> None:
    config = config_from_env({})
    assert config == FULL
    assert config.repetitions >= 5
    assert config.memory_seconds == 600.0
    assert config.verdict_sizes == (10, 100, 1000)
    assert config.verdict_data_seconds == 3600


def test_bench_quick_selects_the_short_configuration_and_overrides_apply() -> None:
    config = config_from_env({"BENCH_QUICK": "1", "BENCH_MEMORY_DURATION": "2m", "BENCH_REPS": "3"})
    assert config.quick
    assert config.memory_seconds == 120.0
    assert config.repetitions == 3
    assert config.load_seconds == QUICK.load_seconds


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown nope"):
        config_from_env({"BENCH_SECTIONS": "driver,nope"})


def test_only_a_full_run_of_every_section_writes_benchmarks_md_in_the_repository(tmp_path: Path) -> None:
    output, saved = _targets(FULL, tmp_path)
    assert output.name == "BENCHMARKS.md"
    assert output.parent != tmp_path
    assert saved.name == "results.json"
    quick_output, quick_saved = _targets(QUICK, tmp_path)
    assert quick_output == tmp_path / "BENCHMARKS.md"
    assert quick_saved == tmp_path / "BENCHMARKS.json"
    partial = config_from_env({"BENCH_SECTIONS": "accuracy"})
    assert partial.sections != SECTIONS
    assert _targets(partial, tmp_path)[0] == tmp_path / "BENCHMARKS.md"


def test_the_generated_slo_files_are_valid_slocheck_files(tmp_path: Path) -> None:
    client = write_yaml(CLIENT_ONLY, tmp_path / "client.yaml")
    many = write_yaml(prometheus_slo(1000, 50), tmp_path / "many.yaml")
    sets = load_slo_files([client, many], {})
    assert [len(s.objectives) for s in sets] == [2, 1000]


def test_the_aborting_slo_file_checks_every_objective_live(tmp_path: Path) -> None:
    aborting = write_yaml(with_abort(CLIENT_ONLY), tmp_path / "abort.yaml")
    (slo_set,) = load_slo_files([aborting], {})
    assert [o.abort is not None for o in slo_set.objectives] == [True, True]
    assert "abort" not in CLIENT_ONLY["spec"]["objectives"][0]  # type: ignore[index]


def test_cpu_per_request_is_each_sides_cpu_over_its_requests_in_the_steady_window() -> None:
    counts = _samples(3000.0, 1500.0, other_from=0.0, until=15.0)
    # base spends 150 µs per request, other 160 µs (+6.7 %); CPU read at the same instants as the counters
    samples = [(t, a, b, a * 150e-6, b * 160e-6) for t, a, b in counts]
    result = steady_cpu_per_request(samples)
    assert result["base_cpu_us"] == pytest.approx(150.0, rel=0.01)
    assert result["other_cpu_us"] == pytest.approx(160.0, rel=0.01)
    assert result["ratio"] == pytest.approx(160 / 150, rel=0.01)
    assert 9.0 <= result["seconds"] <= 13.0


def test_cpu_seconds_of_a_live_process_grow_and_of_a_missing_one_are_zero() -> None:
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(3_000_000))
    assert cpu_seconds(os.getpid()) > before
    assert cpu_seconds(2**22 + 12345) == 0.0


def test_the_objectives_cycle_through_services_and_kinds() -> None:
    objectives = prometheus_slo(16, 2)["spec"]["objectives"]  # type: ignore[index]
    names = [o["name"] for o in objectives]
    assert names[0] == "svc-000-p95-0"
    assert names[8] == "svc-001-p95-8"
    assert "range" in objectives[7]["indicator"]["prometheus"]


def test_the_otlp_sink_counts_the_spans_of_an_export_request() -> None:
    request = ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(scope_spans=[ScopeSpans(spans=[Span(name="a"), Span(name="b")])]),
            ResourceSpans(scope_spans=[ScopeSpans(spans=[Span(name="c")]), ScopeSpans(spans=[])]),
        ]
    )
    assert span_count(request.SerializeToString()) == 3


def test_the_nginx_request_counter_is_read_from_stub_status() -> None:
    page = "Active connections: 2 \nserver accepts handled requests\n 10 10 12345 \nReading: 0 Writing: 1 Waiting: 1 \n"
    assert parse_stub_status(page) == 12345


def test_the_balanced_ratio_cancels_a_start_order_bias() -> None:
    pairs = [
        {"ratio": 0.95 * 1.01, "late": "other"},
        {"ratio": 0.95 / 1.01, "late": "base"},
        {"ratio": 0.95 * 1.01, "late": "other"},
        {"ratio": 0.95 / 1.01, "late": "base"},
    ]
    assert balanced_ratio(pairs) == pytest.approx(0.95)


def test_with_one_start_order_the_balanced_ratio_is_its_median() -> None:
    assert balanced_ratio([{"ratio": 0.9, "late": "other"}, {"ratio": 1.0, "late": "other"}]) == pytest.approx(0.95)
    assert math.isnan(balanced_ratio([{"ratio": math.nan, "late": "other"}]))
