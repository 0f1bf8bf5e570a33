"""Against a real Prometheus: a division by zero never passes, as an instant or a range query."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from slocheck.__main__ import main

pytestmark = pytest.mark.integration

PLUS_INF = 'sum(up{job="known"}) / sum(up{job="known"} * 0)'
MINUS_INF = '-1 / sum(up{job="known"} * 0)'


def _evaluate(prometheus: str, path: Path, tmp_path: Path) -> tuple[int, dict[str, object]]:
    out = tmp_path / "result.json"
    code = main(["evaluate", str(path), "--last", "5s", "--prometheus-url", prometheus, "--json", str(out)])
    return code, json.loads(out.read_text())


@pytest.mark.parametrize(
    ("query", "bar", "extra"),
    [
        (PLUS_INF, ">= 99.9%", ""),
        (MINUS_INF, "< 500ms", ""),
        (PLUS_INF, ">= 99.9%", "          range: {step: 1s, reduce: p95}\n"),
    ],
)
def test_an_infinite_value_meeting_the_bar_is_no_data_not_pass(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path, query: str, bar: str, extra: str
) -> None:
    indicator = f"      indicator:\n        prometheus:\n          query: '{query}'\n{extra}"
    path = slo_file(f'    - name: ratio\n{indicator}      pass: "{bar}"\n')
    code, document = _evaluate(prometheus, path, tmp_path)
    (objective,) = document["objectives"]  # type: ignore[misc]
    assert code == 3
    assert objective["outcome"] == "NO_DATA"
    assert "infinite value (division by zero?)" in objective["reason"]


def test_an_infinite_latency_breaching_the_bar_fails(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = slo_file(
        f"    - name: p99\n      indicator: {{prometheus: {{query: '{PLUS_INF}'}}}}\n      pass: \"< 1s\"\n"
    )
    code, document = _evaluate(prometheus, path, tmp_path)
    assert (code, document["verdict"]) == (1, "FAIL")
