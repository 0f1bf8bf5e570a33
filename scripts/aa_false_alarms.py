"""Measure the statistical judge's false-alarm rate on A/A pairs: runs of the same build on one demo stack.

    PYTHONPATH=src:demo/src .venv/bin/python scripts/aa_false_alarms.py --pairs 10 --duration 20 --out /tmp/aa

Each pair is two consecutive `slocheck run`s of the same scenario and profile against the same demo service;
`slocheck compare` logic (Mann-Whitney, one-sided, alpha 0.05, min_effect 5 %) judges the second against the
first. Prints, per objective, how many pairs were significant and how many were flagged (significant and at
least min_effect worse); for the client latency also what the former per-request test says on the same pairs,
and for the server p95 how often the second run met `<= +10%` of the first. The load average is recorded before
and after. docs/baselines.md quotes the result.
"""

import locust  # noqa: F401, I001 - must precede requests/urllib3

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import os
from typing import Any

from slocheck.app.compare import CompareSettings, compare_runs
from slocheck.app.history import ClientHistograms, read_history
from slocheck.app.pipeline import LoadOverrides, RunRequest, execute_run
from slocheck.app.runs import summarize
from slocheck.config.settings import Backends, BackendSettings, Settings
from slocheck.core.baseline import Samples
from slocheck.core.judge import judge
from slocheck.core.model import Compare
from slocheck.load.histogram import LogHistogram, bucket_value
from slocheck_demo.run_demo import SCRAPED_JOBS, wait_for_scrapes
from slocheck_demo.stack import DemoStack

ROOT = Path(__file__).resolve().parents[1]


def _per_request(histogram: LogHistogram) -> Samples:
    indices = sorted(histogram.counts)
    return Samples(tuple(bucket_value(i) for i in indices), tuple(histogram.counts[i] for i in indices), "requests")


def per_request_judge(first: Path, second: Path) -> dict[str, Any]:
    """The former test on the same pair: every request, endpoint by endpoint (Stouffer), as issue 13 shipped it."""
    before, after = (ClientHistograms.of(read_history(d)) for d in (first, second))
    assert before is not None
    assert after is not None

    def samples(client: ClientHistograms) -> Samples:
        groups = tuple((f"{m} {n}", _per_request(h)) for (m, n), h in sorted(client.endpoints.items()) if h.count)
        whole = _per_request(client.aggregated)
        return Samples(whole.values, whole.counts, "requests", groups)

    found = judge(Compare("mann-whitney", "increase", 0.05, 0.05), samples(after), samples(before))
    return {"p_value": found.p_value, "effect": found.effect, "significant": found.significant,
            "worse": found.outcome.value == "FAIL"}  # fmt: skip


def server_p95_within_10_percent(first: Path, second: Path) -> bool | None:
    values = []
    for run in (first, second):
        found = [o["value"] for o in summarize(run).document["objectives"] if o["key"].endswith("api-p95-latency")]
        values.append(found[0] if found else None)
    if None in values:
        return None
    return bool(values[1] <= values[0] * 1.1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/slocheck-aa"))
    parser.add_argument("--rejudge", action="store_true", help="judge the runs of an earlier call again (no load)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.rejudge:
        earlier = json.loads((args.out / "aa_summary.json").read_text())
        dirs = [Path(d) for d in earlier["runs"]]
        load = earlier["summary"]["load average (1, 5, 15 min)"]
        return judge_pairs(args.out, dirs, load["before"], load["after"])
    load_before = os.getloadavg()
    dirs = run_pairs(args)
    return judge_pairs(args.out, dirs, load_before, os.getloadavg())


def run_pairs(args: argparse.Namespace) -> list[Path]:
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
    return dirs


def judge_pairs(out: Path, dirs: list[Path], load_before: Any, load_after: Any) -> int:
    results, extra = [], []
    for first, second in zip(dirs[::2], dirs[1::2], strict=True):
        document = compare_runs(summarize(first), summarize(second), CompareSettings(0.05, 0.05))
        results.append({row["key"]: row["judge"] for row in document["objectives"] if row["judge"]})
        extra.append({"per_request": per_request_judge(first, second),
                      "p95_within_10": server_p95_within_10_percent(first, second)})  # fmt: skip
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
    old = [e["per_request"] for e in extra]
    summary["client latency, per-request test (former)"] = {
        "pairs": len(old), "significant": sum(o["significant"] for o in old), "flagged": sum(o["worse"] for o in old),
        "p_values": [round(o["p_value"], 4) if o["p_value"] is not None else None for o in old],
        "effects": [round(o["effect"], 4) if o["effect"] is not None else None for o in old],
    }  # fmt: skip
    within = [e["p95_within_10"] for e in extra]
    summary["server p95 <= +10% of the first run"] = {"met": sum(w is True for w in within), "pairs": len(within)}
    summary["load average (1, 5, 15 min)"] = {"before": load_before, "after": load_after}
    print(json.dumps(summary, indent=2))
    (out / "aa_summary.json").write_text(json.dumps({"pairs": results, "extra": extra, "summary": summary,
                                                          "runs": [str(d) for d in dirs]}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
