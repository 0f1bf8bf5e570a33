"""Run a long load with two local workers until interrupted; print one JSON line describing the outcome.

python tests/load/interrupt_driver.py HOST_URL SCENARIO_FILE
"""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import json
import sys
from pathlib import Path

from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage
from slocheck.load.progress import Progress
from slocheck.load.runner import run_load


def report(progress: Progress) -> None:
    print(json.dumps({"progress": progress.users, "requests": progress.requests}), flush=True)


def main() -> int:
    host, scenario = sys.argv[1], Path(sys.argv[2])
    plan = LoadPlan(scenario, Profile("long", (Stage(120.0, 4, 10.0),)), host=host, workers=2, stop_timeout=30.0)
    outcome = run_load(plan, on_progress=report)
    print(
        json.dumps(
            {
                "interrupted": outcome.interrupted,
                "window_seconds": outcome.window.seconds,
                "requests": outcome.stats.count,
                "warnings": list(outcome.warnings),
            }
        ),
        flush=True,
    )
    return 130 if outcome.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
