"""Synthetic Prometheus data for the time-to-verdict benchmark: an OpenMetrics file `promtool tsdb
create-blocks-from openmetrics` turns into TSDB blocks.

Every service (`job="svc-NNN"`) has a latency histogram with Prometheus' default buckets and a request counter
by status, one sample per series per second. The values are deterministic (seeded), counters only grow, and each
service has its own latency (so `histogram_quantile` answers differ from service to service).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENCY = "bench_http_request_duration_seconds"
REQUESTS = "bench_http_requests"  # OpenMetrics counter family; the samples are `bench_http_requests_total`
STATUSES = ("200", "500")


@dataclass(frozen=True)
class Dataset:
    """`services` jobs × (13 histogram + 2 counter series), one sample every `step` seconds in [start - lead, end]:
    the window is [start, end], and `lead` seconds of data before it make the series older than the window, as a
    service's are when a load run starts (series born inside the window are a slower, warned-about case)."""

    services: int
    start: int
    seconds: int
    step: int = 1
    seed: int = 7
    lead: int = 0

    @property
    def end(self) -> int:
        return self.start + self.seconds

    @property
    def series(self) -> int:
        return self.services * (len(DEFAULT_BUCKETS) + 3 + len(STATUSES))

    @property
    def points(self) -> int:
        """Samples per series, the lead included."""
        return (self.seconds + self.lead) // self.step + 1

    @property
    def samples(self) -> int:
        return self.series * self.points


def job(index: int) -> str:
    return f"svc-{index:03d}"


def _bucket_shares(median: float) -> list[float]:
    """Cumulative share of requests at or under each bucket bound for a service whose median is `median`."""
    shares = []
    for bound in DEFAULT_BUCKETS:
        ratio = bound / median
        shares.append(ratio / (1.0 + ratio))  # a log-logistic distribution with shape 1: half under the median
    return shares


def _le(bound: float) -> str:
    return f"{bound:g}" if bound < 1 else f"{bound:.1f}"


def lines(dataset: Dataset) -> Iterator[str]:
    """The OpenMetrics text, line by line: time is the outer loop so every series is in timestamp order."""
    rng = random.Random(dataset.seed)
    medians = [0.02 * (1.05**i) for i in range(dataset.services)]
    shares = [_bucket_shares(m) for m in medians]
    rates = [50.0 + rng.random() * 50.0 for _ in range(dataset.services)]
    count = [0.0] * dataset.services
    total = [0.0] * dataset.services
    errors = [0.0] * dataset.services
    yield f"# TYPE {LATENCY} histogram"
    yield f"# TYPE {REQUESTS} counter"
    for t in range(dataset.start - dataset.lead, dataset.end + 1, dataset.step):
        for i in range(dataset.services):
            name = job(i)
            new = rates[i] * dataset.step * (0.9 + 0.2 * rng.random())
            failed = new * 0.002 * rng.random()
            count[i] += new
            errors[i] += failed
            total[i] += new * medians[i] * 1.3
            n = round(count[i])
            for bound, share in zip(DEFAULT_BUCKETS, shares[i], strict=True):
                yield f'{LATENCY}_bucket{{job="{name}",le="{_le(bound)}"}} {int(n * share)} {t}'
            yield f'{LATENCY}_bucket{{job="{name}",le="+Inf"}} {n} {t}'
            yield f'{LATENCY}_count{{job="{name}"}} {n} {t}'
            yield f'{LATENCY}_sum{{job="{name}"}} {total[i]:.3f} {t}'
            bad = round(errors[i])
            yield f'{REQUESTS}_total{{job="{name}",status="200"}} {n - bad} {t}'
            yield f'{REQUESTS}_total{{job="{name}",status="500"}} {bad} {t}'
    yield "# EOF"


def write(dataset: Dataset, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for line in lines(dataset):
            out.write(line)
            out.write("\n")
    return path
