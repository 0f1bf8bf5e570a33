"""`slocheck runs list|show` and `slocheck compare A B` on stored run directories (no backend)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck.core.model import Compare
from tests.app.stored_runs import write_run

SAME = (0.2, 0.21, 0.19, 0.2, 0.22, 0.2, 0.18, 0.2, 0.21, 0.2)
SLOWER = tuple(v * 2 for v in SAME)


def test_runs_list_shows_every_run_with_its_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "run-a", minutes=0)
    write_run(tmp_path, "run-c", minutes=5, server_p95=3.0)
    assert main(["runs", "list", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "run-a" in out
    assert "PASS" in out
    assert "FAIL" in out


def test_runs_show_names_the_history_it_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "run-a")
    assert main(["runs", "show", "run-a", "--out", str(tmp_path)]) == 0
    shown = "history: slocheck.history/v2, 2 endpoint histogram(s), 60 client intervals, 1 objective series"
    assert shown in capsys.readouterr().out


def test_runs_show_of_an_unknown_run_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "show", "nope", "--out", str(tmp_path)]) == 2
    assert "neither a run directory nor a run id" in capsys.readouterr().err


def test_compare_of_two_runs_of_one_build_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "a", seed=1)
    write_run(tmp_path, "b", seed=2, minutes=5)
    assert main(["compare", "a", "b", "--out", str(tmp_path)]) == 0
    assert "not significantly worse" in capsys.readouterr().out


def test_compare_exits_1_when_b_is_significantly_slower(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "a", seed=1)
    write_run(tmp_path, "b", seed=2, minutes=5, client_median=0.15, series_points=SLOWER)
    target = tmp_path / "cmp.json"
    assert main(["compare", "a", "b", "--out", str(tmp_path), "--json", str(target)]) == 1
    document = json.loads(target.read_text())
    assert document["significantly_worse"] == ["gate/api-p95", "gate/client-p50"]
    judged = {row["key"]: row["judge"] for row in document["objectives"]}
    assert judged["gate/client-p50"]["text"].startswith("higher by")
    assert "n = 30 vs 30 intervals of 2 s" in judged["gate/client-p50"]["text"]


def test_compare_writes_markdown_and_html_with_cdfs_and_series(tmp_path: Path) -> None:
    write_run(tmp_path, "a", seed=1)
    write_run(tmp_path, "b", seed=2, minutes=5)
    md, html = tmp_path / "c.md", tmp_path / "c.html"
    assert main(["compare", "a", "b", "--out", str(tmp_path), "--markdown", str(md), "--html", str(html)]) == 0
    assert "| `gate/api-p95` |" in md.read_text()
    page = html.read_text()
    assert "Aggregated latency CDF" in page
    assert "time since load start" in page


def test_compare_judges_with_the_objectives_own_min_effect_unless_the_command_line_sets_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lenient = Compare("mann-whitney", "increase", 0.05, 2.0)
    write_run(tmp_path, "a", seed=1, client_compare=lenient)
    write_run(tmp_path, "b", seed=2, minutes=5, client_median=0.15, client_compare=lenient)
    assert main(["compare", "a", "b", "--out", str(tmp_path)]) == 0
    assert "min_effect 200 %" in capsys.readouterr().out
    assert main(["compare", "a", "b", "--out", str(tmp_path), "--min-effect", "5%"]) == 1


def test_compare_refuses_an_alpha_outside_zero_and_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "a")
    assert main(["compare", "a", "a", "--out", str(tmp_path), "--alpha", "5"]) == 2
    assert "--alpha 5 must be between 0 and 1" in capsys.readouterr().err


def test_compare_refuses_a_min_effect_that_is_not_a_percentage(tmp_path: Path) -> None:
    write_run(tmp_path, "a")
    assert main(["compare", "a", "a", "--out", str(tmp_path), "--min-effect", "5ms"]) == 2


@pytest.mark.parametrize("command", [["runs", "list"], ["evaluate", "x.yaml", "--baseline", "last"]])
def test_history_commands_import_locust_before_requests_from_a_fresh_process(
    command: list[str], tmp_path: Path
) -> None:
    """They read stored client histograms (slocheck.load, hence Locust): a fresh `slocheck` must not crash with
    gevent's RecursionError (Locust imported after requests)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run([sys.executable, "-m", "slocheck", *command, "--out", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert "RecursionError" not in done.stderr
    assert done.returncode in (0, 2)
