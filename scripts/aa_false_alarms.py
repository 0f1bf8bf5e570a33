"""Measure the statistical judge's false-alarm rate on A/A pairs: runs of the same build on one demo stack.

    PYTHONPATH=src .venv/bin/python scripts/aa_false_alarms.py --pairs 10 --duration 10 --out /tmp/aa

Each pair is two consecutive `slocheck run`s of the same scenario and profile against the same demo service;
`slocheck compare` logic (Mann-Whitney, one-sided, alpha 0.05, min_effect 5 %) judges the second against the
first. Prints, per objective, how many pairs were significant and how many were flagged (significant and at
least min_effect worse). docs/baselines.md quotes the result.
"""

import locust  # noqa: F401, I001 - must precede requests/urllib3

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from slocheck.app.compare import compare_runs
from slocheck.app.pipeline import LoadOverrides, RunRequest, execute_run
from slocheck.app.runs import summarize
from slocheck.config.settings import Backends, BackendSettings, Settings
from slocheck.demo.run_demo import SCRAPED_JOBS, wait_for_scrapes
from slocheck.demo.stack import DemoStack

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/slocheck-aa"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    with DemoStack(args.out / "stack") as stack:
        assert stack.urls is not None
        wait_for_scrapes(stack.urls.prometheus, SCRAPED_JOBS)
        settings = Settings(backends=Backends(prometheus=BackendSettings(url=stack.urls.prometheus, retry_budget=10)))
        request = RunRequest(
            slo_files=(ROOT / "slo/demo-baseline.yaml",), scenario=ROOT / "scenarios/agent_platform.py",
            profile="smoke", profiles_file=None, host=stack.urls.service, out_root=args.out / "runs",
            overrides=LoadOverrides(duration=args.duration),
        )  # fmt: skip
        dirs = []
        for index in range(2 * args.pairs):
            result = execute_run(request, settings, say=lambda m: None, clock=lambda: datetime.now(UTC))
            dirs.append(result.run_dir)
            print(f"run {index + 1}/{2 * args.pairs}: {result.run_dir.name}", file=sys.stderr)
    for first, second in zip(dirs[::2], dirs[1::2], strict=True):
        document = compare_runs(summarize(first), summarize(second))
        results.append({row["key"]: row["judge"] for row in document["objectives"] if row["judge"]})
    keys = sorted({k for r in results for k in r})
    summary = {
        key: {
            "pairs": sum(1 for r in results if key in r),
            "significant": sum(1 for r in results if key in r and r[key]["significant"]),
            "flagged": sum(1 for r in results if key in r and r[key]["worse"]),
            "p_values": [
                round(r[key]["p_value"], 4) if r.get(key, {}).get("p_value") is not None else None for r in results
            ],
            "effects": [
                round(r[key]["effect"], 4) if r.get(key, {}).get("effect") is not None else None for r in results
            ],
        }
        for key in keys
    }
    print(json.dumps(summary, indent=2))
    (args.out / "aa_summary.json").write_text(json.dumps({"pairs": results, "summary": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
