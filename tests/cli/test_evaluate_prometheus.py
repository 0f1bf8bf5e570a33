"""`slocheck evaluate` against a real Prometheus scraping an exporter with known values."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from slocheck.__main__ import main
from tests.support.net import closed_port

pytestmark = pytest.mark.integration
WriteSlo = Callable[..., Path]
FAST = 'max_over_time(slocheck_test_latency_seconds{endpoint="/fast"}[$__range])'
SLOW = 'max_over_time(slocheck_test_latency_seconds{endpoint="/slow"}[$__range])'


def _evaluate(prometheus: str, path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "result.json"
    code = main(["evaluate", str(path), "--last", "5s", "--prometheus-url", prometheus, "--json", str(out), *extra])
    return code, json.loads(out.read_text())


def _objective(document: dict[str, object], name: str) -> dict[str, object]:
    objectives = document["objectives"]
    assert isinstance(objectives, list)
    return next(o for o in objectives if o["name"] == name)


def test_a_gauge_under_the_pass_bar_passes_and_exits_0(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        f"    - name: fast-latency\n      indicator: {{prometheus: {{query: '{FAST}'}}}}\n      pass: \"< 500ms\"\n"
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert code == 0
    assert document["verdict"] == "PASS"
    assert _objective(document, "fast-latency")["value"] == pytest.approx(0.1)


def test_a_value_between_the_bars_warns_and_still_exits_0(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: slow-latency\n"
        f"      indicator: {{prometheus: {{query: '{SLOW}'}}}}\n"
        '      pass: "< 500ms"\n'
        '      warn: "< 800ms"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert (code, document["verdict"]) == (0, "WARN")


def test_fail_on_warn_turns_a_warn_into_exit_1(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: slow-latency\n"
        f"      indicator: {{prometheus: {{query: '{SLOW}'}}}}\n"
        '      pass: "< 500ms"\n'
        '      warn: "< 800ms"\n'
    )
    code, _ = _evaluate(prometheus, path, tmp_path, "--fail-on-warn")
    assert code == 1


def test_a_value_missing_both_bars_fails_and_exits_1(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: slow-latency\n"
        f"      indicator: {{prometheus: {{query: '{SLOW}'}}}}\n"
        '      pass: "< 500ms"\n'
        '      warn: "< 600ms"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert (code, document["verdict"]) == (1, "FAIL")
    assert _objective(document, "slow-latency")["value"] == pytest.approx(0.7)


def test_every_series_of_a_vector_is_judged_and_reported_with_its_labels(
    prometheus: str, slo_file: WriteSlo, tmp_path: Path
) -> None:
    path = slo_file(
        "    - name: latency-by-endpoint\n"
        "      indicator: {prometheus: {query: 'max_over_time(slocheck_test_latency_seconds[$__range])'}}\n"
        '      pass: "< 500ms"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    series = {s["labels"]["endpoint"]: s["outcome"] for s in _objective(document, "latency-by-endpoint")["series"]}
    assert code == 1
    assert series == {"/fast": "PASS", "/slow": "FAIL"}


def test_reduce_max_judges_one_aggregated_value(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: latency-max\n"
        "      indicator: {prometheus: {query: 'slocheck_test_latency_seconds', reduce: min}}\n"
        '      pass: "< 500ms"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert code == 0
    assert len(_objective(document, "latency-max")["series"]) == 1


def test_an_error_ratio_from_counters_is_measured_over_the_window(
    prometheus: str, slo_file: WriteSlo, tmp_path: Path
) -> None:
    errors = 'sum(rate(slocheck_test_requests_total{status=~"5.."}[$__range]))'
    query = f"{errors} / sum(rate(slocheck_test_requests_total[$__range]))"
    path = slo_file(
        f"    - name: error-rate\n      indicator: {{prometheus: {{query: '{query}'}}}}\n      pass: \"< 2%\"\n"
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert code == 0
    assert _objective(document, "error-rate")["value"] == pytest.approx(0.01, rel=0.05)


def test_a_range_query_reduces_each_series_over_time(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: memory-peak\n"
        "      indicator:\n"
        "        prometheus:\n"
        "          query: slocheck_test_memory_bytes\n"
        "          range: {step: 1s, reduce: max}\n"
        '      pass: "< 4GiB"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    objective = _objective(document, "memory-peak")
    assert code == 0
    assert objective["value"] == 3 * 1024**3
    assert objective["sample_size"] >= 4


def test_an_absent_metric_is_no_data_and_exits_3(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: absent\n"
        "      indicator: {prometheus: {query: 'max_over_time(slocheck_test_does_not_exist[$__range])'}}\n"
        '      pass: "< 1"\n'
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert (code, document["verdict"]) == (3, "INCONCLUSIVE")
    assert _objective(document, "absent")["outcome"] == "NO_DATA"


def test_a_nan_result_is_no_data_not_a_pass(prometheus: str, slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file(
        "    - name: nan\n      indicator: {prometheus: {query: 'slocheck_test_nan_ratio'}}\n      pass: \"< 1%\"\n"
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert code == 3
    assert _objective(document, "nan")["outcome"] == "NO_DATA"


def test_on_no_data_fail_turns_an_absent_metric_into_a_fail(
    prometheus: str, slo_file: WriteSlo, tmp_path: Path
) -> None:
    path = slo_file(
        "    - name: absent\n"
        "      indicator: {prometheus: {query: 'slocheck_test_does_not_exist'}}\n"
        '      pass: "< 1"\n'
        "      on_no_data: fail\n"
    )
    code, _ = _evaluate(prometheus, path, tmp_path)
    assert code == 1


def test_bad_promql_is_an_error_carrying_prometheus_own_message(
    prometheus: str, slo_file: WriteSlo, tmp_path: Path
) -> None:
    path = slo_file(
        "    - name: broken\n      indicator: {prometheus: {query: 'sum(rate(x[$__range])'}}\n      pass: \"< 1\"\n"
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    objective = _objective(document, "broken")
    assert code == 3
    assert objective["outcome"] == "ERROR"
    assert "bad_data" in objective["reason"]
    assert "parse error" in objective["reason"]


def test_validate_online_reports_bad_promql_with_its_objective_before_any_measurement(
    prometheus: str, slo_file: WriteSlo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = slo_file(
        "    - name: broken\n      indicator: {prometheus: {query: 'sum(rate(x[$__range])'}}\n      pass: \"< 1\"\n"
    )
    code = main(["validate", str(path), "--online", "--prometheus-url", prometheus])
    err = capsys.readouterr().err
    assert code == 2
    assert "known/broken" in err
    assert "parse error" in err


def test_validate_online_accepts_valid_queries(prometheus: str, slo_file: WriteSlo) -> None:
    path = slo_file(
        "    - name: fine\n"
        "      indicator: {prometheus: {query: 'max_over_time(slocheck_test_latency_seconds[$__range])'}}\n"
        '      pass: "< 1s"\n'
    )
    assert main(["validate", str(path), "--online", "--prometheus-url", prometheus]) == 0


def test_an_unreachable_prometheus_is_an_error_within_the_retry_budget(slo_file: WriteSlo, tmp_path: Path) -> None:
    path = slo_file("    - name: any\n      indicator: {prometheus: {query: 'up'}}\n      pass: \"== 1\"\n")
    config = tmp_path / "slocheck.yaml"
    url = f"http://127.0.0.1:{closed_port()}"
    config.write_text(f"backends:\n  prometheus: {{url: '{url}', retry_budget: 2s, timeout: 1s}}\n")
    began = time.monotonic()
    out = tmp_path / "r.json"
    code = main(["evaluate", str(path), "--last", "5m", "--config", str(config), "--json", str(out)])
    document = json.loads(out.read_text())
    assert code == 3
    assert _objective(document, "any")["outcome"] == "ERROR"
    assert "Prometheus" in _objective(document, "any")["reason"]
    assert time.monotonic() - began < 2 + 1 + 5  # budget + one attempt's timeout + slack for a busy machine


def test_the_installed_command_prints_no_traceback_for_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: x}\nspec:\n  service: s\n  objectives: 3\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "slocheck", "validate", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{broken}:6:" in done.stderr


def test_evaluate_judges_a_relative_bar_against_a_stored_evaluation(
    prometheus: str, slo_file: WriteSlo, tmp_path: Path
) -> None:
    """An earlier evaluate's --report-dir is a baseline (PATH): same SLO set, the same gauge, a change of 0 %."""
    path = slo_file(
        f'    - name: fast\n      indicator: {{prometheus: {{query: \'{FAST}\'}}}}\n      pass: ["< 1s", "<= +10%"]\n'
    )
    first = tmp_path / "first"
    assert (
        main(["evaluate", str(path), "--last", "5s", "--prometheus-url", prometheus, "--report-dir", str(first)]) == 3
    )
    code, document = _evaluate(prometheus, path, tmp_path, "--baseline", str(first))
    assert (code, document["verdict"]) == (0, "PASS")
    assert _objective(document, "fast")["series"][0]["change_display"] == "baseline 100 ms → 100 ms (+0 s, +0 %)"
    assert document["baseline"]["selected_by"] == "path"
