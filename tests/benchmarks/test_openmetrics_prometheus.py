"""The synthetic data of the time-to-verdict benchmark goes through promtool into a real Prometheus, and the
histogram-honesty check of `validate --online` reads the bucket bounds from it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from benchmarks.openmetrics import DEFAULT_BUCKETS, Dataset, lines, write
from benchmarks.verdict import create_blocks, wait_for_series

from slocheck.app.backends import all_objectives, check_queries
from slocheck.app.measure import Sources
from slocheck.config.settings import BackendSettings
from slocheck.core.spec.loader import load_slo_files
from slocheck.sources.prometheus import PrometheusBackend
from slocheck_demo.prometheus_server import PrometheusServer

END = int(time.time()) - 60
SMALL = Dataset(services=2, start=END - 300, seconds=300)


def test_the_file_declares_its_families_and_ends_with_eof() -> None:
    text = list(lines(Dataset(services=1, start=1000, seconds=2)))
    assert text[0] == "# TYPE bench_http_request_duration_seconds histogram"
    assert text[1] == "# TYPE bench_http_requests counter"
    assert text[-1] == "# EOF"
    # 3 timestamps × (11 buckets + +Inf + count + sum + 2 statuses)
    assert len(text) == 3 + 3 * (len(DEFAULT_BUCKETS) + 5)


def test_every_series_only_grows_and_buckets_grow_with_their_bound() -> None:
    series: dict[str, list[float]] = {}
    for line in lines(Dataset(services=2, start=1000, seconds=30)):
        if line.startswith("#"):
            continue
        name, value, _timestamp = line.rsplit(" ", 2)
        series.setdefault(name, []).append(float(value))
    for values in series.values():
        assert values == sorted(values)
    last = {name: values[-1] for name, values in series.items()}
    buckets = [last[f'bench_http_request_duration_seconds_bucket{{job="svc-000",le="{le}"}}'] for le in ("0.1", "0.5")]
    assert buckets[0] <= buckets[1] <= last['bench_http_request_duration_seconds_bucket{job="svc-000",le="+Inf"}']


def test_the_dataset_counts_its_series_and_samples() -> None:
    assert SMALL.series == 2 * 16
    assert SMALL.samples == 2 * 16 * 301


# What the tests below read, looking back 10 minutes from now: it must be in Prometheus before they run.
RECENT = 'count(last_over_time(bench_http_requests_total{job="svc-000"}[10m]))'


def wait_for_answer(url: str, promql: str, timeout: float) -> None:
    """Poll Prometheus until `promql` answers at least one series now; fail naming the query after `timeout`."""
    backend = PrometheusBackend(BackendSettings(url=url))
    deadline = time.monotonic() + timeout
    try:
        while not backend.instant(promql, datetime.now(UTC)).series:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus at {url} did not answer {promql} within {timeout:g}s")
            time.sleep(0.2)
    finally:
        backend.close()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus holding SMALL's series, backfilled with promtool.

    The samples end a minute before the fixture starts (not before the module was imported: in a long suite the
    tests run many minutes after collection, and a 10-minute look-back would then find nothing), and the fixture
    waits, bounded, until the series the tests read are answered at the current time.
    """
    dataset = replace(SMALL, start=int(time.time()) - 60 - SMALL.seconds)
    workdir = tmp_path_factory.mktemp("bench-prometheus")
    create_blocks(write(dataset, workdir / "data.om.txt"), workdir / "data")
    server = PrometheusServer(workdir, {}).start()
    try:
        wait_for_series(server.url, dataset.series, timeout=30)
        wait_for_answer(server.url, RECENT, timeout=30)
        yield server.url
    finally:
        server.stop()


SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: honesty}
spec:
  service: bench
  vars: {h: bench_http_request_duration_seconds_bucket}
  objectives:
    - name: p95-inside-a-bucket
      indicator:
        prometheus:
          query: histogram_quantile(0.95, sum by (le) (rate(${h}{job="svc-000"}[$__range])))
      pass: "< 400ms"
      warn: "< 1s"
    - name: p99-on-a-bound
      indicator:
        prometheus:
          query: histogram_quantile(0.99, sum by (le) (rate(${h}{job="svc-001"}[$__range])))
      pass: "<= 500ms"
    - name: p99-above-every-bound
      indicator:
        prometheus:
          query: histogram_quantile(0.99, sum by (le) (rate(${h}{job="svc-001"}[$__range])))
      pass: "< 30s"
    - name: throughput
      indicator: {prometheus: {query: 'sum(rate(bench_http_requests_total[$__range]))'}}
      pass: ">= 1/s"
    - name: no-such-histogram
      indicator:
        prometheus:
          query: histogram_quantile(0.95, sum by (le) (rate(nothing_here_bucket[$__range])))
      pass: "< 300ms"
"""


@pytest.mark.integration
def test_promtool_accepts_the_file_and_prometheus_answers_over_it(prometheus: str) -> None:
    backend = PrometheusBackend(BackendSettings(url=prometheus))
    try:
        result = backend.instant(RECENT, datetime.now(UTC))
    finally:
        backend.close()
    assert [s.value for s in result.series] == [2.0]


@pytest.mark.integration
def test_validate_online_warns_about_bars_inside_buckets_with_bounds_read_from_prometheus(
    prometheus: str, tmp_path: Path
) -> None:
    path = tmp_path / "honesty.yaml"
    path.write_text(SLO, encoding="utf-8")
    objectives = all_objectives(load_slo_files([path], {}))
    sources = Sources(prometheus=PrometheusBackend(BackendSettings(url=prometheus)))
    try:
        warnings = check_queries(sources, objectives)
    finally:
        sources.close()
    assert warnings == [
        "honesty/p95-inside-a-bucket: bar < 400ms lies in bucket (250 ms, 500 ms] of "
        "bench_http_request_duration_seconds_bucket: histogram_quantile interpolates linearly inside a bucket, so "
        "when it answers 400 ms the true p95 can be anywhere from 250 ms to 500 ms (−38 % … +25 % of the bar); "
        "add a bucket bound at 400 ms or gate on the share of requests under a bound (see docs/performance.md)",
        "honesty/p99-above-every-bound: bar < 30s is above the largest bucket bound 10 s of "
        "bench_http_request_duration_seconds_bucket: histogram_quantile never answers more than 10 s, so this bar "
        "cannot be crossed; add a bucket bound at 30 s (see docs/performance.md)",
    ]
