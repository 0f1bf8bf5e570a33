"""Percentile accuracy: client-side percentiles against the exact percentiles of the raw timings.

For each latency distribution, the same generated timings (milliseconds, as Locust's `request` event reports
them) are fed to slocheck's client statistics (`ClientStats.on_request`, the listener `slocheck run` installs) and
to Locust's own `RequestStats.log_request`; the exact value is the nearest-rank percentile of the sorted raw
timings, the definition both tools document. For comparison, the table also shows what Prometheus'
`histogram_quantile` would answer from the default buckets (`slocheck.core.histogram_bars.histogram_quantile`).
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests

import argparse
import json
import math
import random
from dataclasses import dataclass
from typing import Any

from locust.stats import RequestStats

from slocheck.core.histogram_bars import histogram_quantile
from slocheck.load.stats import AGGREGATED, PERCENTILES, ClientStats

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)


@dataclass(frozen=True)
class Distribution:
    """Log-normal response times with this median (seconds) and shape."""

    name: str
    median: float
    sigma: float = 0.35

    def sample(self, n: int, seed: int) -> list[float]:
        rng = random.Random(seed)
        mu = math.log(self.median)
        return [rng.lognormvariate(mu, self.sigma) for _ in range(n)]


DISTRIBUTIONS = (
    Distribution("sub-ms (median 0.4 ms)", 0.0004),
    Distribution("5 ms", 0.005),
    Distribution("120 ms", 0.120),
    Distribution("1.2 s", 1.2),
)


def exact_percentile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least `q·n` values at or below it."""
    rank = max(1, math.ceil(q * len(ordered) - 1e-9))
    return ordered[rank - 1]


def relative_error(estimate: float, exact: float) -> float:
    return abs(estimate - exact) / exact


def _slocheck(seconds: list[float]) -> dict[str, float]:
    stats = ClientStats()
    for value in seconds:
        stats.on_request("GET", "/", value * 1000.0, 0)
    row = stats.to_dict()["aggregated"]
    assert row["name"] == AGGREGATED
    return {stat: float(row[stat]) for stat in PERCENTILES}


def _locust(seconds: list[float]) -> dict[str, float]:
    stats: Any = RequestStats()  # log_request is annotated int; Locust's HTTP clients pass float milliseconds
    for value in seconds:
        stats.log_request("GET", "/", value * 1000.0, 0)
    entry = stats.get("/", "GET")
    return {stat: float(entry.get_response_time_percentile(q)) / 1000.0 for stat, q in PERCENTILES.items()}


def _prometheus(seconds: list[float]) -> dict[str, float]:
    cumulative = [sum(1 for v in seconds if v <= bound) for bound in DEFAULT_BUCKETS]
    buckets = list(zip(DEFAULT_BUCKETS, cumulative, strict=True))
    return {stat: histogram_quantile(q, buckets) for stat, q in PERCENTILES.items()}


def measure(distribution: Distribution, samples: int, seed: int = 1) -> dict[str, object]:
    """Exact and estimated percentiles (seconds) and the largest relative error of each estimator."""
    timings = distribution.sample(samples, seed)
    ordered = sorted(timings)
    exact = {stat: exact_percentile(ordered, q) for stat, q in PERCENTILES.items()}
    estimates = {"slocheck": _slocheck(timings), "locust": _locust(timings), "prometheus": _prometheus(timings)}
    rows = [
        {"stat": stat, "exact": exact[stat], **{tool: values[stat] for tool, values in estimates.items()}}
        for stat in PERCENTILES
    ]
    worst = {
        tool: max(relative_error(values[stat], exact[stat]) for stat in PERCENTILES)
        for tool, values in estimates.items()
    }
    return {"distribution": distribution.name, "samples": samples, "rows": rows, "max_error": worst}


def run(samples: int) -> dict[str, object]:
    return {"distributions": [measure(d, samples, seed=i + 1) for i, d in enumerate(DISTRIBUTIONS)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="percentile accuracy, as JSON on stdout")
    parser.add_argument("--samples", type=int, default=200_000)
    print(json.dumps(run(parser.parse_args(argv).samples)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
