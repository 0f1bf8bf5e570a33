"""Time to verdict after the load: 10, 100 and 1,000 Prometheus objectives over one hour of 1 s data.

The data (`openmetrics.py`) is turned into TSDB blocks with `promtool tsdb create-blocks-from openmetrics` before a
throwaway Prometheus (Debian's) starts on them, so generating an hour takes seconds, not an hour. Each repetition
measures, for each size, in a rotating order:

- `benchmarks.verdict_probe`: what `slocheck run` does after the settle wait — measure every objective over the
  window, evaluate (the verdict), write result.json, junit.xml and report.md (the evidence) — in a process that has
  imported Locust first, as `slocheck run` has;
- `slocheck evaluate` end to end, as a person or a pipeline would call it: process start, imports, measuring,
  evaluating, printing the table and writing result.json.

The settle wait `slocheck run` would add before measuring is reported separately (it is a wait, not work).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.openmetrics import Dataset, write
from benchmarks.servers import ROOT, cpu_seconds
from benchmarks.slofiles import prometheus_slo, write_yaml
from slocheck_demo.processes import require_binary
from slocheck_demo.prometheus_server import PrometheusServer

BIN = Path(sys.executable).parent


def create_blocks(openmetrics: Path, tsdb: Path) -> None:
    """`promtool tsdb create-blocks-from openmetrics FILE DIR`."""
    promtool = require_binary("promtool", "prometheus")
    tsdb.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(tsdb)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"promtool rejected {openmetrics}: {(done.stderr or done.stdout).strip()[-500:]}")


def _query(url: str, promql: str) -> list[dict[str, object]]:
    params = urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(f"{url}/api/v1/query?{params}", timeout=30) as response:
        result: list[dict[str, object]] = json.load(response)["data"]["result"]
        return result


def wait_for_series(url: str, expected: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = _query(url, "count(last_over_time({__name__=~'bench_.+'}[2h]))")
        if result and int(float(str(result[0]["value"][1]))) >= expected:  # type: ignore[index]
            return
        time.sleep(0.5)
    raise RuntimeError(f"Prometheus at {url} did not load the {expected} backfilled series in {timeout:g}s")


def _probe(slo: Path, dataset: Dataset, url: str, out: Path) -> dict[str, object]:
    argv = [
        sys.executable,
        "-m",
        "benchmarks.verdict_probe",
        str(slo),
        "--start",
        str(dataset.start),
        "--end",
        str(dataset.end),
        "--prometheus-url",
        url,
        "--out",
        str(out),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"verdict probe failed: {done.stderr.strip()[-800:]}")
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _evaluate_cli(slo: Path, dataset: Dataset, url: str, out: Path) -> float:
    argv = [
        str(BIN / "slocheck"),
        "evaluate",
        str(slo),
        "--from",
        str(dataset.start),
        "--to",
        str(dataset.end),
        "--prometheus-url",
        url,
        "--json",
        str(out / "cli-result.json"),
    ]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1, 3):
        raise RuntimeError(f"slocheck evaluate exited {done.returncode}: {done.stderr.strip()[-800:]}")
    return seconds


def settle_seconds(url: str) -> dict[str, float]:
    """What `slocheck run` would wait for this Prometheus: its scrape interval + the ingest lag."""
    code = (
        "import locust, json\n"
        "from pathlib import Path\n"
        "from slocheck.app.settle import settle_seconds, DEFAULT_INGEST_LAG_SECONDS\n"
        "from slocheck.app.measure import Sources\n"
        "from slocheck.sources.prometheus import PrometheusBackend\n"
        "from slocheck.config.settings import BackendSettings\n"
        f"backend = PrometheusBackend(BackendSettings(url={url!r}))\n"
        "print(json.dumps({'settle': settle_seconds(None, Sources(prometheus=backend)),"
        " 'scrape_interval': backend.scrape_interval(), 'ingest_lag': DEFAULT_INGEST_LAG_SECONDS}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"could not compute the settle wait: {done.stderr.strip()[-500:]}")
    data: dict[str, float] = json.loads(done.stdout)
    return data


def run(
    sizes: Sequence[int],
    services: int,
    seconds: int,
    repetitions: int,
    workdir: Path,
    say: Callable[[str], None],
) -> dict[str, object]:
    end = int(time.time()) - 120
    # Five minutes of data before the window, as for services running before the load: no series is born inside it.
    dataset = Dataset(services=services, start=end - seconds, seconds=seconds, lead=300)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    openmetrics = write(dataset, workdir / "data.om.txt")
    create_blocks(openmetrics, workdir / "prometheus" / "data")
    openmetrics.unlink()
    prepare = time.monotonic() - started
    say(f"  {dataset.series} series × {dataset.points} samples backfilled in {prepare:.0f} s")
    server = PrometheusServer(workdir / "prometheus", {}).start()
    try:
        wait_for_series(server.url, dataset.series)
        settle = settle_seconds(server.url)
        slos = {n: write_yaml(prometheus_slo(n, services), workdir / f"slo-{n}.yaml") for n in sizes}
        results: dict[str, list[dict[str, object]]] = {str(n): [] for n in sizes}
        assert server.process.process is not None
        prometheus_pid = server.process.process.pid
        for repetition in range(repetitions):
            for n in [*sizes[repetition % len(sizes) :], *sizes[: repetition % len(sizes)]]:
                out = workdir / f"out-{n}-{repetition}"
                before = cpu_seconds(prometheus_pid)
                probe = _probe(slos[n], dataset, server.url, out)
                probe["prometheus_cpu_seconds"] = cpu_seconds(prometheus_pid) - before
                probe["cli_seconds"] = _evaluate_cli(slos[n], dataset, server.url, out)
                results[str(n)].append(probe)
                say(
                    f"  {repetition + 1}/{repetitions} {n} objectives: verdict {probe['verdict_seconds']:.2f} s, "
                    f"evidence {probe['evidence_seconds']:.2f} s, slocheck evaluate {probe['cli_seconds']:.2f} s"
                )
                shutil.rmtree(out, ignore_errors=True)
    finally:
        server.stop()
        shutil.rmtree(workdir / "prometheus" / "data", ignore_errors=True)
    return {
        "dataset": {
            "services": services,
            "series": dataset.series,
            "samples": dataset.samples,
            "seconds": seconds,
            "lead_seconds": dataset.lead,
            "step": dataset.step,
            "prepare_seconds": prepare,
        },
        "settle": settle,
        "sizes": results,
    }
