"""How many workers one master can merge: the master's CPU per worker report (real report messages).

A simulated worker records `REQUESTS_PER_REPORT` requests over `ENDPOINTS` endpoints (log-normal latencies, 2 %
failures) through Locust's own `RequestStats` and slocheck's `ClientStats.on_request`, and builds the `stats`
message exactly as a worker does every 3 s (Locust's `report_to_master` listeners plus slocheck's drained
histograms), serialized with Locust's msgpack `Message`. The master side is timed: unserialize, then
`worker_report` (Locust's own merge and `MasterLink._on_report`). Workers at 10 % of one core =
0.1 × 3 s / CPU seconds per report. `profile`: the share of each part, each timed alone.

    python -m benchmarks.master_merge     (JSON on stdout)
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests

import json
import random
import time
from typing import Any

from locust.env import Environment
from locust.rpc import Message
from locust.stats import RequestStats, setup_distributed_stats_event_listeners

from slocheck.load.distributed import WIRE_KEY, MasterLink
from slocheck.load.stats import ClientStats

REPORT_SECONDS = 3.0
ENDPOINTS = 10
REQUESTS_PER_REPORT = 3_000  # 1,000 requests/s per worker
REPORTS = 200


class _Runner:
    """What MasterLink needs of a MasterRunner to listen to reports."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment

    def register_message(self, *_args: object, **_kwargs: object) -> None:
        return None


def worker_report(seed: int) -> bytes:
    """One worker's `stats` message after `REQUESTS_PER_REPORT` requests, serialized."""
    rng = random.Random(seed)
    env = Environment()
    env.stats = RequestStats()
    setup_distributed_stats_event_listeners(env.events, env.stats)
    stats = ClientStats()
    for _ in range(REQUESTS_PER_REPORT):
        name = f"/endpoint/{rng.randrange(ENDPOINTS)}"
        ms, failed = rng.lognormvariate(3.0, 0.6), rng.random() < 0.02
        error = "HTTP 503" if failed else None
        env.stats.log_request("GET", name, ms, 512)
        if failed:
            env.stats.log_error("GET", name, error)
        stats.on_request("GET", name, ms, 512, exception=error)
    data: dict[str, Any] = {}
    env.events.report_to_master.fire(client_id=f"w{seed}", data=data)
    data[WIRE_KEY] = stats.drain()
    return bytes(Message("stats", data, f"w{seed}").serialize())


def master_cost(reports: list[bytes]) -> float:
    """CPU seconds the master spends on one report (mean over every report, merged into one master)."""
    env = Environment()
    env.stats = RequestStats()
    setup_distributed_stats_event_listeners(env.events, env.stats)
    MasterLink(_Runner(env), ClientStats(), {}, [])
    started = time.process_time()
    for body in reports:
        message = Message.unserialize(body)
        env.events.worker_report.fire(client_id=message.node_id, data=message.data)
    return (time.process_time() - started) / len(reports)


def breakdown(reports: list[bytes]) -> dict[str, float]:
    """Share of each part of the master's work per report, each part timed alone over every report."""
    started = time.process_time()
    messages = [Message.unserialize(body) for body in reports]
    unserialize = time.process_time() - started
    env = Environment()
    env.stats = RequestStats()
    setup_distributed_stats_event_listeners(env.events, env.stats)
    started = time.process_time()
    for message in messages:
        env.events.worker_report.fire(client_id=message.node_id, data=message.data)
    locust_merge = time.process_time() - started
    link = MasterLink(_Runner(Environment()), ClientStats(), {}, [])
    started = time.process_time()
    for message in messages:
        link._on_report(message.node_id, message.data)
    slocheck_merge = time.process_time() - started
    parts = {
        "slocheck's histogram merge (MasterLink._on_report)": slocheck_merge,
        "Locust's own RequestStats merge": locust_merge,
        "msgpack unserialize": unserialize,
    }
    whole = sum(parts.values())
    return {name: seconds / whole for name, seconds in parts.items()}


def main() -> int:
    distinct = [worker_report(seed) for seed in range(20)]
    reports = [distinct[i % len(distinct)] for i in range(REPORTS)]
    per_report = min(master_cost(reports) for _ in range(3))
    result = {
        "profile": breakdown(reports),
        "report_bytes": sum(map(len, distinct)) / len(distinct),
        "requests_per_report": REQUESTS_PER_REPORT,
        "endpoints": ENDPOINTS,
        "master_cpu_ms_per_report": per_report * 1e3,
        "workers_at_10pct_core": int(0.1 * REPORT_SECONDS / per_report),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
