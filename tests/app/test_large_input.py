"""10,000 objectives in one file: validated, then evaluated against a real Prometheus, within bounded memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.command import read_json, write_config
from tests.support.env import clean_env

pytestmark = pytest.mark.integration
OBJECTIVES = 10_000
MEMORY_CEILING = 1024**3  # 1 GiB: generous; the point is that memory stays bounded, not a benchmark
PEAK_RSS = Path(__file__).with_name("peak_rss.py")


@pytest.fixture(scope="module")
def big_slo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "ten-thousand.yaml"
    lines = [
        "apiVersion: slocheck/v1",
        "kind: SLOSet",
        "metadata: {name: big}",
        "spec:",
        "  service: known",
        "  vars: {endpoint: /fast}",
        "  objectives:",
    ]
    for index in range(OBJECTIVES):
        lines += [
            f"    - name: objective-{index:05d}",
            "      indicator:",
            "        prometheus:",
            "          query: 'max_over_time(slocheck_test_latency_seconds{endpoint=\"${endpoint}\"}[$__range])'",
            '      pass: "< 500ms"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _measured(work: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    peak = work / f"peak-{args[0]}.txt"
    finished = subprocess.run(
        [sys.executable, str(PEAK_RSS), str(peak), *args],
        cwd=work, env=clean_env(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return finished, int(peak.read_text())


def test_ten_thousand_objectives_validate_within_bounded_memory(big_slo: Path, work: Path) -> None:
    finished, peak = _measured(work, "validate", str(big_slo))
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert f"{OBJECTIVES} objective(s) are valid" in finished.stdout
    assert peak < MEMORY_CEILING


def test_ten_thousand_objectives_evaluate_against_prometheus_within_bounded_memory(
    big_slo: Path, prometheus: str, work: Path
) -> None:
    out = work / "result.json"
    config = write_config(work / "c.yaml", {"prometheus": {"timeout": "30s", "retry_budget": "30s"}})
    finished, peak = _measured(
        work, "evaluate", str(big_slo), "--last", "5s", "--prometheus-url", prometheus, "--config", str(config),
        "--json", str(out),
    )  # fmt: skip
    result = read_json(out)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert result["verdict"] == "PASS"
    assert result["summary"]["PASS"] == OBJECTIVES
    assert len(result["objectives"]) == OBJECTIVES
    assert peak < MEMORY_CEILING
