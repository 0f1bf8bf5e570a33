"""The BENCHMARKS.md writer: a given result set always renders the same, correct page."""

from __future__ import annotations

from typing import Any

from benchmarks.report import goals, memory_checkpoints, memory_growth, render


def _goal_row(page: str, text: str) -> str:
    return next(line for line in page.splitlines() if line.startswith("| ") and text in line)


def test_the_page_starts_with_the_date_the_mode_and_the_repetitions(results: dict[str, Any]) -> None:
    page = render(results)
    assert page.startswith("# Benchmarks\n")
    assert "**Measured:** 2026-11-23 23:00 UTC (full run; the whole benchmark took 25 min)" in page
    assert "3 interleaved repetitions per comparison, medians reported" in page
    assert "used 12 % of its CPU on average" in page


def test_the_machine_table_lists_every_fact(results: dict[str, Any]) -> None:
    page = render(results)
    assert "| CPU | Test CPU |" in page
    assert "| Locust | 2.47.0 |" in page


def test_a_goal_met_says_met_with_the_median(results: dict[str, Any]) -> None:
    results["driver"]["side_by_side"]["efficiency"] = [{"ratio": 0.995, "seconds": 9.0}]
    page = render(results)
    assert _goal_row(page, "Driver efficiency").endswith("| ≥ 0.99 | 0.995 | met |")


def test_a_goal_missed_says_not_met_and_explains_by_how_much(results: dict[str, Any]) -> None:
    page = render(results)
    row = _goal_row(page, "Tracing cost: `--trace --trace-sample 0.1`")
    assert row.endswith("| ≥ 0.9 | 0.700 | **not met** |")
    note = next(line for line in page.splitlines() if line.startswith("- **2.**"))
    assert "Missed by 20.0 points" in note
    assert "`RequestTracer.traced` costs 15.0 µs per request" in note
    assert "OTLP protobuf 30.0 µs in the export greenlet" in note


def test_tracing_every_request_is_its_own_goal_at_0_75(results: dict[str, Any]) -> None:
    results["driver"]["side_by_side"]["trace_all"] = [{"ratio": 0.80, "seconds": 9.0}]
    page = render(results)
    assert _goal_row(page, "Tracing cost: `--trace` (every request)").endswith("| ≥ 0.75 | 0.800 | met |")


def test_the_driver_note_names_the_extra_cost_per_request(results: dict[str, Any]) -> None:
    results["driver"]["side_by_side"]["efficiency"] = [{"ratio": 0.90, "seconds": 9.0}]
    page = render(results)
    note = next(line for line in page.splitlines() if line.startswith("- **1.**"))
    # Locust's median is 7,000 req/s: 143 µs per request; 1/0.9 − 1 of that is 16 µs
    assert "Missed by 9.0 points" in note
    assert "about 16 µs more generator CPU per request than Locust's 143 µs" in note
    assert "accounts for 2.5 µs" in note


def test_scaling_is_the_median_of_the_paired_ratios(results: dict[str, Any]) -> None:
    page = render(results)
    assert _goal_row(page, "Scaling").endswith("| ≥ 1.7× | 1.80× | met |")
    assert "median 1.80×, range 1.70–1.90" in page


def test_a_missed_scaling_goal_names_nginx_on_the_same_cores(results: dict[str, Any]) -> None:
    for runs in results["scaling"]["sequential"]:
        for run in runs:
            if run["variant"] == "slocheck run --workers 2":
                run["rps"] = 10_500.0
    page = render(results)
    assert _goal_row(page, "Scaling").endswith("| ≥ 1.7× | 1.50× | **not met** |")
    note = next(line for line in page.splitlines() if line.startswith("- **7.**"))
    assert "nginx, the target, runs on the same two cores and used 20 % of one core" in note
    assert "other processes on this shared machine used 0.10 of its 2 cores" in note


def test_accuracy_is_the_worst_error_over_every_distribution(results: dict[str, Any]) -> None:
    page = render(results)
    assert _goal_row(page, "Percentile accuracy").endswith("| ≤ 1 % | 0.45 % worst | met |")
    assert "| 5 ms | 0.40 % | 2.0 % | 20.0 % |" in page


def test_time_to_verdict_gives_one_goal_per_size_and_the_settle_wait_apart(results: dict[str, Any]) -> None:
    page = render(results)
    assert _goal_row(page, "100 Prometheus objectives over 1 h").endswith("| ≤ 1 s | 500 ms | met |")
    assert _goal_row(page, "1,000 Prometheus objectives").endswith("| ≤ 5 s | 6.50 s | **not met** |")
    assert "**Settle wait (not included below):** 3 s" in page
    assert "| 1,000 | 6.50 s | 6.50–6.50 | 6.70 s | 7.50 s | 4.00 |" in page
    assert "Prometheus itself spent 4.0 CPU-seconds" in page


def test_memory_reports_growth_and_the_checkpoint_table(results: dict[str, Any]) -> None:
    page = render(results)
    row = _goal_row(page, "Memory")
    assert "10-minute run" in row
    assert row.endswith("| met |")
    assert "| 600 s | 70.6 MiB | 70.6 MiB | 4,200,000 |" in page


def test_memory_checkpoints_are_at_fixed_shares_of_the_run() -> None:
    samples = [{"t": float(t), "rss": float(t), "requests": float(t)} for t in range(101)]
    points = memory_checkpoints(samples)
    assert [p["t"] for p in points] == [10.0, 25.0, 50.0, 75.0, 100.0]
    assert all(p["peak"] == p["rss"] for p in points)


def test_memory_growth_compares_the_last_quarter_with_the_first_after_warm_up() -> None:
    samples = [{"t": float(t), "rss": 100.0 if t < 75 else 110.0, "requests": 0.0} for t in range(101)]
    assert round(memory_growth(samples), 3) == 0.1


def test_a_section_that_did_not_run_is_not_measured_and_its_error_is_listed(results: dict[str, Any]) -> None:
    del results["verdict"]
    results["errors"] = {"verdict": "RuntimeError: promtool rejected the file"}
    page = render(results)
    assert _goal_row(page, "1,000 Prometheus objectives").endswith("| – | not measured |")
    assert "- **verdict**: RuntimeError: promtool rejected the file" in page
    assert "## 9. Time to verdict" not in page


def test_a_quick_run_says_it_is_a_smoke_test(results: dict[str, Any]) -> None:
    results["meta"]["quick"] = True
    results["meta"]["repetitions"] = 1
    results["memory"]["load"]["seconds"] = 30.0
    page = render(results)
    assert "quick smoke run (`BENCH_QUICK=1`) — not the goal figures" in page
    assert "1 repetition per comparison" in page
    assert "a smoke test only" in page
    assert "flat over a 30-second run" in page


def test_rendering_is_deterministic(results: dict[str, Any]) -> None:
    assert render(results) == render(results)


def test_there_is_one_goal_per_target_of_the_issue(results: dict[str, Any]) -> None:
    assert [g.number for g in goals(results)] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10]


def test_the_open_model_holds_its_rate_when_it_starts_99_percent_and_drops_nothing(results: dict[str, Any]) -> None:
    page = render(results)
    assert _goal_row(page, "Arrival-rate mode at 90 %").endswith("| ≥ 0.99, 0 dropped | 0.998, 0 dropped | met |")
    assert "| 1 | 7,000 | 6,300 | 0.998 | 0 | 140.0 | 142.8 | +2.0 % | open |" in page


def test_an_open_model_that_drops_iterations_misses_its_goal_and_says_how_many(results: dict[str, Any]) -> None:
    for round_ in results["arrivals"]["rounds"]:
        round_["hold"]["extra"].update(achieved_rate=6000.0, dropped=900.0)
    page = render(results)
    assert _goal_row(page, "Arrival-rate mode").endswith("| 0.952, 900 dropped | **not met** |")
    note = next(line for line in page.splitlines() if line.startswith("- **4.**"))
    assert "started 95.2 % of its schedule and dropped 900" in note
    assert "the generator's CPU peaked at 99 % of its core" in note


def test_the_open_model_cost_is_the_balanced_ratio_of_cpu_per_iteration(results: dict[str, Any]) -> None:
    page = render(results)
    assert _goal_row(page, "scheduler + live abort checks").endswith("| ≤ 3 % | +2.0 % | met |")
    results["arrivals"]["rounds"][0]["cost"].update(ratio=1.06, other_cpu_us=148.4)
    results["arrivals"]["rounds"][1]["cost"].update(ratio=1.06, other_cpu_us=148.4)
    page = render(results)
    assert _goal_row(page, "scheduler + live abort checks").endswith("| ≤ 3 % | +6.0 % | **not met** |")
    note = next(line for line in page.splitlines() if line.startswith("- **5.**"))
    assert "Missed by 3.0 points" in note
    assert "140 µs of generator CPU in the closed model and 148 µs in the open model" in note


def test_the_master_goal_counts_workers_at_a_tenth_of_a_core(results: dict[str, Any]) -> None:
    page = render(results)
    row = _goal_row(page, "One master merging")
    assert row.endswith("| ≥ 200 workers with < 10 % of one core | 240 workers | met |")
    results["master"].update(workers_at_10pct_core=160, master_cpu_ms_per_report=1.875, profile={"merge": 0.55})
    page = render(results)
    assert _goal_row(page, "One master merging").endswith("| 160 workers | **not met** |")
    note = next(line for line in page.splitlines() if line.startswith("- **6.**"))
    assert "1.88 ms of CPU per worker report (3,000 requests over 10 endpoints)" in note
    assert "merge 55 %" in note


def test_machine_facts_keep_a_fixed_order_whatever_the_saved_order(results: dict[str, Any]) -> None:
    results["machine"] = {"Locust": "2.47.0", "zzz": "extra", "cores": "2", "CPU": "Test CPU"}
    page = render(results)
    rows = [line for line in page.splitlines() if line.startswith("| ") and line.count("|") == 3][2:]
    assert [row.split("|")[1].strip() for row in rows[:4]] == ["CPU", "cores", "Locust", "zzz"]
