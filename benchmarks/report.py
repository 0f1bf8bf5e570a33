"""BENCHMARKS.md from a result set (the JSON `python -m benchmarks` saves): pure, so a result set always renders
the same page, and the page is never edited by hand.

    python -m benchmarks --render results.json      (re-render BENCHMARKS.md from saved results)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.report_load import MASTER_GOAL, Goal, arrivals_section, cost_goal, hold_goal, master_goal
from benchmarks.stats import balanced_ratio, median, spread

MiB = 1024.0 * 1024.0
MACHINE_ORDER = (
    "CPU",
    "cores",
    "memory",
    "kernel",
    "OS",
    "hypervisor",
    "Python",
    "slocheck",
    "Locust",
    "gevent",
    "OpenTelemetry SDK",
    "Prometheus",
    "nginx",
)
DRIVER_GOAL = 0.99  # slocheck run / locust --headless
TRACE_TENTH_GOAL = 0.90  # --trace-sample 0.1 / untraced
TRACE_ALL_GOAL = 0.75  # --trace (every request) / untraced
FLAT_GROWTH = 0.05  # memory counts as flat when the last quarter's peak is within 5 % of the first quarter's


# --- small formatters ------------------------------------------------------------------------------------------


def _rps(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:,.0f}"


def _ratio(value: float, suffix: str = "") -> str:
    return "–" if not math.isfinite(value) else f"{value:.2f}{suffix}"


def _ratio3(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.3f}"


def _range(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    low, high = spread(values)
    return "–" if not math.isfinite(low) else f"{fmt.format(low)}–{fmt.format(high)}"


def _seconds(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _percent(ratio: float, digits: int = 2) -> str:
    return "–" if not math.isfinite(ratio) else f"{ratio * 100:.{digits}f} %"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _repetitions(count: int) -> str:
    return "1 repetition" if count == 1 else f"{count} interleaved repetitions"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def _mib(value: float) -> str:
    return f"{value / MiB:.1f} MiB"


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    aligns = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in aligns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# --- per-section numbers ---------------------------------------------------------------------------------------


def _ratios(pairs: Sequence[Mapping[str, Any]]) -> list[float]:
    return [_num(p.get("ratio")) for p in pairs]


def _variant_rps(rounds: Sequence[Sequence[Mapping[str, Any]]], variant: str) -> list[float]:
    return [_num(run["rps"]) for runs in rounds for run in runs if run["variant"] == variant]


def _paired_ratios(rounds: Sequence[Sequence[Mapping[str, Any]]], base: str, other: str) -> list[float]:
    ratios = []
    for runs in rounds:
        by_name = {run["variant"]: _num(run["rps"]) for run in runs}
        if base in by_name and other in by_name and by_name[base] > 0:
            ratios.append(by_name[other] / by_name[base])
    return ratios


def _section(results: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = results.get(name)
    return value if isinstance(value, Mapping) else None


def _us_per_request(rps: float) -> float:
    return 1e6 / rps if rps > 0 else math.nan


# --- goals -----------------------------------------------------------------------------------------------------


def _driver_goal(results: Mapping[str, Any]) -> Goal:
    driver = _section(results, "driver")
    name = "Driver efficiency: `slocheck run` / `locust --headless` (req/s per generator core)"
    if driver is None:
        return Goal(1, name, f"≥ {DRIVER_GOAL:g}", "–", None)
    ratio = balanced_ratio(driver["side_by_side"].get("efficiency", []))
    met = ratio >= DRIVER_GOAL if math.isfinite(ratio) else None
    note = ""
    if met is False:
        locust = median(_variant_rps(driver["sequential"], "locust --headless"))
        base = _us_per_request(locust)
        extra = base * (1 / ratio - 1)
        costs = _section(results, "costs") or {}
        listener = _num(costs.get("slocheck_on_request_us"))
        note = (
            f"Missed by {(DRIVER_GOAL - ratio) * 100:.1f} points: slocheck spends about {extra:.0f} µs more "
            f"generator CPU per request than Locust's {base:.0f} µs"
            + (
                f"; its per-request statistics listener (two log-histogram updates per request) accounts for "
                f"{listener:.1f} µs of it"
                if math.isfinite(listener)
                else ""
            )
            + "."
        )
    return Goal(1, name, f"≥ {DRIVER_GOAL:g}", _ratio3(ratio), met, note)


def _trace_goal(results: Mapping[str, Any], number: int, share: str) -> Goal:
    """`share` "0.1" (`trace_tenth`) or "1" (`trace_all`): traced / untraced, side by side."""
    driver = _section(results, "driver")
    every = share == "1"
    goal = TRACE_ALL_GOAL if every else TRACE_TENTH_GOAL
    name = "Tracing cost: " + ("`--trace` (every request)" if every else "`--trace --trace-sample 0.1`") + " / untraced"
    if driver is None:
        return Goal(number, name, f"≥ {goal:g}", "–", None)
    ratio = balanced_ratio(driver["side_by_side"].get("trace_all" if every else "trace_tenth", []))
    met = ratio >= goal if math.isfinite(ratio) else None
    note = ""
    if met is False:
        base = _us_per_request(median(_variant_rps(driver["sequential"], "slocheck run")))
        costs = _section(results, "costs") or {}
        traced, encode = _num((costs.get("trace_us") or {}).get(share)), _num(costs.get("otlp_encode_us_per_span"))
        note = (
            f"Missed by {(goal - ratio) * 100:.1f} points: at {'100' if every else '10'} % a request costs about "
            f"{base * (1 / ratio - 1):.0f} µs more generator CPU than untraced ({base:.0f} µs)"
        )
        if math.isfinite(traced) and math.isfinite(encode):
            note += (
                f". In-process, `RequestTracer.traced` costs {traced:.1f} µs per request (two random ids, the "
                f"`traceparent` header, a span record when sampled) and encoding a sampled span as OTLP protobuf "
                f"{encode:.1f} µs in the export greenlet"
            )
        note += (
            "; the rest is the extra header through geventhttpclient's request (about 6 % of a request to "
            "nginx's static 200, measured in docs/performance.md)."
        )
    return Goal(number, name, f"≥ {goal:g}", _ratio3(ratio), met, note)


def _scaling_goal(results: Mapping[str, Any]) -> Goal:
    scaling = _section(results, "scaling")
    name = "Scaling: `--workers 2` / one process, on 2 cores"
    if scaling is None:
        return Goal(7, name, "≥ 1.7×", "–", None)
    ratio = median(_paired_ratios(scaling["sequential"], "slocheck run", "slocheck run --workers 2"))
    met = ratio >= 1.7 if math.isfinite(ratio) else None
    note = ""
    if met is False:
        runs = [r for rounds in scaling["sequential"] for r in rounds if r["variant"] == "slocheck run --workers 2"]
        nginx = median(_num(r["target_cpu_seconds"]) / _num(r["window_seconds"]) for r in runs)
        other = _num(scaling.get("background_cpu_percent")) / 100 * 2
        note = (
            f"Missed by {1.7 - ratio:.2f}×: with two workers the generator does not have two cores — nginx, the "
            f"target, runs on the same two cores and used {nginx * 100:.0f} % of one core"
        )
        if math.isfinite(other):
            note += f", and other processes on this shared machine used {other:.2f} of its 2 cores meanwhile"
        note += (
            "; a single process needs only one of the two cores and is less exposed to both. The per-repetition "
            "ratios below show how much the result moves with the machine's load."
        )
    return Goal(7, name, "≥ 1.7×", _ratio(ratio, "×"), met, note)


def _accuracy_goal(results: Mapping[str, Any]) -> Goal:
    accuracy = _section(results, "accuracy")
    name = "Percentile accuracy: client p50…p99.9 vs exact, sub-ms to 1.2 s"
    if accuracy is None:
        return Goal(8, name, "≤ 1 %", "–", None)
    worst = max(_num(d["max_error"]["slocheck"]) for d in accuracy["distributions"])
    met = worst <= 0.01
    note = "" if met else f"Missed: the worst percentile was {_percent(worst)} off."
    return Goal(8, name, "≤ 1 %", f"{_percent(worst)} worst", met, note)


def _verdict_goals(results: Mapping[str, Any]) -> list[Goal]:
    verdict = _section(results, "verdict")
    goals = []
    for size, limit in ((100, 1.0), (1000, 5.0)):
        span = _hours(_num(((verdict or {}).get("dataset") or {}).get("seconds", 3600)))
        name = f"Time to verdict after the settle wait, {size:,} Prometheus objectives over {span} of 1 s data"
        runs = (verdict or {}).get("sizes", {}).get(str(size), [])
        if not runs:
            goals.append(Goal(9, name, f"≤ {limit:g} s", "–", None))
            continue
        seconds = median(_num(r["verdict_seconds"]) for r in runs)
        met = seconds <= limit
        note = ""
        if not met:
            cpu = median(_num(r.get("prometheus_cpu_seconds")) for r in runs)
            note = (
                f"Missed by {_seconds(seconds - limit)}: Prometheus itself spent {cpu:.1f} CPU-seconds answering "
                f"{size:,} instant queries over an hour of 1 s samples on a 2-core machine."
            )
        goals.append(Goal(9, name, f"≤ {limit:g} s", _seconds(seconds), met, note))
    return goals


def memory_checkpoints(samples: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """RSS at 10 %, 25 %, 50 %, 75 % and 100 % of the run, with the peak so far and the requests served."""
    if not samples:
        return []
    last = samples[-1]["t"]
    points = []
    for share in (0.1, 0.25, 0.5, 0.75, 1.0):
        upto = [s for s in samples if s["t"] <= share * last + 1e-9] or [samples[0]]
        point = upto[-1]
        points.append(
            {"t": point["t"], "rss": point["rss"], "peak": max(s["rss"] for s in upto), "requests": point["requests"]}
        )
    return points


def memory_growth(samples: Sequence[Mapping[str, float]]) -> float:
    """Peak RSS of the last quarter of the run over the peak of the first quarter (after a 10 % warm-up), − 1."""
    if len(samples) < 8:
        return math.nan
    last = samples[-1]["t"]
    first = [s["rss"] for s in samples if 0.1 * last <= s["t"] <= 0.25 * last]
    final = [s["rss"] for s in samples if s["t"] >= 0.75 * last]
    if not first or not final:
        return math.nan
    return max(final) / max(first) - 1.0


def _memory_goal(results: Mapping[str, Any]) -> Goal:
    memory = _section(results, "memory")
    seconds = _num(((memory or {}).get("load") or {}).get("seconds"))
    length = ""
    if math.isfinite(seconds):
        length = f"{seconds / 60:g}-minute" if seconds % 60 == 0 else f"{seconds:g}-second"
    name = f"Memory: RSS stays flat over a {length} run at full speed".replace("a  run", "a run")
    target = f"growth ≤ {FLAT_GROWTH * 100:.0f} %"
    if memory is None:
        return Goal(10, name, target, "–", None)
    growth = memory_growth(memory["samples"])
    if not math.isfinite(growth):
        return Goal(10, name, target, "–", None, "Too few samples to say.")
    peak = max(s["rss"] for s in memory["samples"])
    met = growth <= FLAT_GROWTH
    note = "" if met else f"Missed: resident memory grew by {growth * 100:.1f} % between the first and last quarter."
    if seconds < 600:
        note = (note + " " if note else "") + "A short run (not the 10-minute goal): a smoke test only."
    return Goal(10, name, target, f"{growth * 100:+.1f} % (peak {_mib(peak)})", met, note)


def goals(results: Mapping[str, Any]) -> list[Goal]:
    return [
        _driver_goal(results),
        _trace_goal(results, 2, "0.1"),
        _trace_goal(results, 3, "1"),
        hold_goal(results, 4),
        cost_goal(results, 5),
        master_goal(results, 6),
        _scaling_goal(results),
        _accuracy_goal(results),
        *_verdict_goals(results),
        _memory_goal(results),
    ]


# --- sections --------------------------------------------------------------------------------------------------


def _header(results: Mapping[str, Any]) -> list[str]:
    meta = results["meta"]
    mode = "quick smoke run (`BENCH_QUICK=1`) — not the goal figures" if meta.get("quick") else "full run"
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m benchmarks`) from the measurements of one run; never edited "
        "by hand. How each number is measured, and what to change when a goal is missed: "
        "[docs/performance.md](docs/performance.md).",
        "",
        f"- **Measured:** {meta['date']} ({mode}; the whole benchmark took {_duration(meta['total_seconds'])})",
        f"- **Repetitions:** {_repetitions(meta['repetitions'])} per comparison, medians reported; "
        f"load runs of {meta['load_seconds']:g} s with {meta['users']} FastHttpUser users without wait time",
    ]
    background = meta.get("background_cpu_percent")
    if isinstance(background, int | float):
        lines.append(
            f"- **Other processes on the machine** used {background:.0f} % of its CPU on average while the benchmark "
            "ran (every number below shares the machine with them)"
        )
    lines += ["", "## Machine", ""]
    machine = results["machine"]
    order = [k for k in MACHINE_ORDER if k in machine] + sorted(k for k in machine if k not in MACHINE_ORDER)
    lines += _table(["", ""], [[k, str(machine[k])] for k in order], "ll")
    return lines


def _goals_table(all_goals: Sequence[Goal]) -> list[str]:
    lines = ["", "## Goals", ""]
    rows = [[str(g.number), g.name, g.target, g.measured, g.status] for g in all_goals]
    lines += _table(["#", "goal", "target", "measured (median)", ""], rows, "lllrl")
    notes = [g for g in all_goals if g.note]
    if notes:
        lines.append("")
        lines += [f"- **{g.number}.** {g.note}" for g in notes]
    return lines


def _background_line(section: Mapping[str, Any]) -> list[str]:
    value = section.get("background_cpu_percent")
    if isinstance(value, int | float):
        return ["", f"Other processes used {value:.0f} % of the machine's CPU during this section."]
    return []


def _driver_section(results: Mapping[str, Any]) -> list[str]:
    driver = _section(results, "driver")
    if driver is None:
        return []
    load = driver["load"]
    lines = [
        "",
        "## 1–3. Driver efficiency and tracing cost",
        "",
        f"Scenario `benchmarks/scenarios/fast_static.py` (FastHttpUser, `GET /`, no wait), {load['users']} users, "
        f"against nginx answering a static 200. Generator pinned to core {load['generator_cpus']} with `taskset`, "
        f"nginx (one worker) and the OTLP sink (`benchmarks/otlp_sink.py`) on core {load['target_cpus']}.",
        "",
        "**Side by side (the ratios the goals are judged on).** Both variants run at the same time on the same "
        "generator core, each against its own nginx; each gets half the core for the same seconds, so the ratio of "
        "their request rates (nginx's own counters, read at the same instants, over the seconds both ran minus a 2 s "
        "warm-up) is the inverse ratio of their CPU cost per request, unaffected by the machine getting faster or "
        "slower between runs (`base` is the first variant named, `other` the second).",
        "",
    ]
    labels = {
        "control": "`locust --headless` / `locust --headless` (control: the method's own noise)",
        "efficiency": "`slocheck run` / `locust --headless`",
        "trace_tenth": "`slocheck run --trace --trace-sample 0.1` / `slocheck run`",
        "trace_all": "`slocheck run --trace` (100 %) / `slocheck run`",
    }
    rows = []
    for key, label in labels.items():
        pairs = driver["side_by_side"].get(key)
        if not pairs:
            continue
        ratios = _ratios(pairs)
        seconds = median(_num(p.get("seconds")) for p in pairs)
        later = {
            side: _ratio3(median(_num(p.get("ratio")) for p in pairs if p.get("late", "other") == side))
            for side in ("base", "other")
        }
        rows.append(
            [
                label,
                _ratio3(balanced_ratio(pairs)),
                later["base"],
                later["other"],
                _range(ratios, "{:.3f}"),
                str(len(pairs)),
                f"{seconds:.0f} s",
            ]
        )
    header = ["comparison", "ratio", "base started later", "other started later", "range", "runs", "steady s each"]
    lines += _table(header, rows)
    lines += [
        "",
        "The process that starts its load later keeps about 1 % more of a shared core for the whole run, so half the "
        "repetitions start the base 2 s later and half the other side; *ratio* is the geometric mean of the two "
        "orders' medians (the control pair shows what is left of the bias).",
    ]
    lines += [
        "",
        "**One after the other (absolute rates).** Each variant alone on the generator core, the order rotated every "
        "repetition; the rate is each tool's own: Locust's `Requests/s` from its `--csv` stats, slocheck's `rps` from "
        "its result.json.",
        "",
    ]
    names = [run["variant"] for run in driver["sequential"][0]] if driver["sequential"] else []
    rows = []
    for name in sorted(names, key=lambda n: (n != "locust --headless", n)):
        values = _variant_rps(driver["sequential"], name)
        spans = [
            _num(run.get("spans_received")) / _num(run["requests"])
            for rounds in driver["sequential"]
            for run in rounds
            if run["variant"] == name and run.get("spans_received") is not None and _num(run["requests"]) > 0
        ]
        base = "locust --headless" if name == "slocheck run" else "slocheck run"
        paired = median(_paired_ratios(driver["sequential"], base, name))
        vs = "(base)" if name == "locust --headless" else _ratio(paired)
        exported = _percent(median(spans), 1) if spans else "–"
        rows.append([f"`{name}`", _rps(median(values)), _range(values, "{:,.0f}"), vs, exported])
    lines += _table(["variant", "req/s per core (median)", "range", "paired ratio", "spans exported"], rows)
    lines += [
        "",
        "Paired ratio: `slocheck run` over the Locust run of the same repetition; a traced run over the untraced "
        "`slocheck run` of the same repetition. Spans exported: spans the OTLP sink received / requests made.",
    ]
    return lines + _background_line(driver)


def _costs_section(results: Mapping[str, Any]) -> list[str]:
    costs = _section(results, "costs")
    if costs is None:
        return []
    trace = costs.get("trace_us") or {}
    lines = [
        "",
        "**Where the generator's CPU goes** (in-process, µs per call, best of three; `benchmarks/costs.py`):",
        "",
    ]
    named = [
        ("slocheck's per-request statistics (`ClientStats.on_request`)", costs["slocheck_on_request_us"]),
        ("Locust's own statistics (`RequestStats.log_request`, in both tools)", costs["locust_log_request_us"]),
    ]
    for sample, label in (("0", "not sampled"), ("0.1", "10 % sampled"), ("1", "every request sampled")):
        if sample in trace:
            named.append((f"tracing one request, {label} (`RequestTracer.traced`, before export)", trace[sample]))
    named.append(("OTLP protobuf encoding, per exported span", costs["otlp_encode_us_per_span"]))
    lines += _table(["what", "µs"], [[what, f"{_num(value):.2f}"] for what, value in named])
    return lines


def _scaling_section(results: Mapping[str, Any]) -> list[str]:
    scaling = _section(results, "scaling")
    if scaling is None:
        return []
    load = scaling["load"]
    lines = [
        "",
        "## 7. Scaling with worker processes",
        "",
        f"`slocheck run --workers 2` against one process (`--workers 0`), same scenario and {load['users']} users, "
        "nothing pinned: the two generators, the master and nginx share the machine's two cores (the target is not on "
        "a core of its own here). One after the other, order rotated every repetition.",
        "",
    ]
    rows = []
    for name in ("slocheck run", "slocheck run --workers 2"):
        runs = [r for rounds in scaling["sequential"] for r in rounds if r["variant"] == name]
        values = [_num(r["rps"]) for r in runs]
        nginx = median(_num(r["target_cpu_seconds"]) / _num(r["window_seconds"]) for r in runs)
        peak = median(_num(r.get("generator_cpu_percent")) for r in runs)
        observed = _range(values, "{:,.0f}")
        rows.append([f"`{name}`", _rps(median(values)), observed, f"{peak:.0f} %", f"{nginx * 100:.0f} %"])
    lines += _table(["variant", "req/s (median)", "range", "busiest generator process, peak CPU", "nginx CPU"], rows)
    ratios = _paired_ratios(scaling["sequential"], "slocheck run", "slocheck run --workers 2")
    lines += [
        "",
        f"Paired ratio (two workers / one process, same repetition): median {_ratio(median(ratios), '×')}, "
        f"range {_range(ratios)}.",
    ]
    return lines + _background_line(scaling)


def _accuracy_section(results: Mapping[str, Any]) -> list[str]:
    accuracy = _section(results, "accuracy")
    if accuracy is None:
        return []
    samples = accuracy["distributions"][0]["samples"]
    lines = [
        "",
        "## 8. Percentile accuracy",
        "",
        f"{samples:,} log-normal response times per distribution (seeded), fed as milliseconds to slocheck's "
        "client statistics (`ClientStats.on_request`, what `slocheck run` records) and to Locust's "
        "(`RequestStats.log_request` → `get_response_time_percentile`); exact = nearest-rank percentile of the raw "
        "timings. Largest relative error over p50, p90, p95, p99 and p99.9:",
        "",
    ]
    rows = []
    for distribution in accuracy["distributions"]:
        worst = distribution["max_error"]
        rows.append(
            [
                distribution["distribution"],
                _percent(worst["slocheck"]),
                _percent(worst["locust"], 1),
                _percent(worst["prometheus"], 1),
            ]
        )
    lines += _table(
        ["latencies", "slocheck", "Locust", "Prometheus `histogram_quantile`, default buckets (for comparison)"], rows
    )
    lines += ["", "Per percentile (seconds):", ""]
    rows = []
    for distribution in accuracy["distributions"]:
        for row in distribution["rows"]:
            rows.append(
                [
                    distribution["distribution"],
                    row["stat"],
                    f"{row['exact']:.6g}",
                    f"{row['slocheck']:.6g}",
                    f"{row['locust']:.6g}",
                    f"{row['prometheus']:.6g}",
                ]
            )
    lines += _table(["latencies", "stat", "exact", "slocheck", "Locust", "histogram_quantile"], rows, "llrrrr")
    return lines


def _verdict_window(data: Mapping[str, Any]) -> str:
    lead = data.get("lead_seconds") or 0
    if not lead:
        return "the window is all of the data."
    return (
        f"the window is the last {_hours(data['seconds'])}; the data starts {lead / 60:g} min before it, as for "
        "services running before the load, so no series is born inside the window (one that is makes slocheck "
        "read its raw samples for the undercount warning — see docs/performance.md)."
    )


def _verdict_section(results: Mapping[str, Any]) -> list[str]:
    verdict = _section(results, "verdict")
    if verdict is None:
        return []
    data, settle = verdict["dataset"], verdict["settle"]
    lines = [
        "",
        "## 9. Time to verdict",
        "",
        f"A throwaway Prometheus ({data['series']:,} series: {data['services']} services × latency histogram with "
        f"the default buckets + requests by status; {data['samples']:,} samples, one per second for "
        f"{_hours(data['seconds'])}, backfilled with `promtool tsdb create-blocks-from openmetrics` in "
        f"{data['prepare_seconds']:.0f} s). The objectives cycle through p50/p95/p99 `histogram_quantile`, error "
        "ratio, throughput, mean latency, share under 500 ms and a per-minute p90 over a range query; "
        + _verdict_window(data),
        "",
        f"**Settle wait (not included below):** {settle['settle']:g} s — the scrape interval Prometheus reports "
        f"({_num(settle.get('scrape_interval')):g} s) plus {settle['ingest_lag']:g} s of ingest lag, as `slocheck run` "
        "computes it.",
        "",
    ]
    rows = []
    for size, runs in sorted(verdict["sizes"].items(), key=lambda item: int(item[0])):
        rows.append(
            [
                f"{int(size):,}",
                _seconds(median(_num(r["verdict_seconds"]) for r in runs)),
                _range([_num(r["verdict_seconds"]) for r in runs], "{:.2f}"),
                _seconds(median(_num(r["evidence_seconds"]) for r in runs)),
                _seconds(median(_num(r["cli_seconds"]) for r in runs)),
                f"{median(_num(r.get('prometheus_cpu_seconds')) for r in runs):.2f}",
            ]
        )
    lines += _table(
        [
            "objectives",
            "to the verdict (median)",
            "range (s)",
            "+ result.json, junit.xml, report.md",
            "`slocheck evaluate`, process start to exit",
            "Prometheus CPU-s",
        ],
        rows,
    )
    lines += [
        "",
        "To the verdict: measuring every objective and evaluating, in a process that imported Locust first as "
        "`slocheck run` does (`benchmarks/verdict_probe.py`).",
    ]
    return lines + _background_line(verdict)


def _memory_section(results: Mapping[str, Any]) -> list[str]:
    memory = _section(results, "memory")
    if memory is None:
        return []
    run = memory["run"]
    lines = [
        "",
        "## 10. Memory over a long run",
        "",
        f"`slocheck run` of the driver scenario for {memory['load']['seconds']:g} s with {memory['load']['users']} "
        f"users at full speed ({_rps(_num(run['rps']))} req/s, {int(run['requests']):,} requests; generator on core 0, "
        "nginx on core 1); resident set size of the slocheck process sampled every second (time since the process "
        "started).",
        "",
    ]
    rows = [
        [f"{p['t']:.0f} s", _mib(p["rss"]), _mib(p["peak"]), f"{int(p['requests']):,}"]
        for p in memory_checkpoints(memory["samples"])
    ]
    lines += _table(["elapsed", "RSS", "peak RSS so far", "requests served by nginx"], rows)
    return lines + _background_line(memory)


def _errors_section(results: Mapping[str, Any]) -> list[str]:
    errors = results.get("errors") or {}
    if not errors:
        return []
    lines = ["", "## Sections that could not run", ""]
    lines += [f"- **{name}**: {message}" for name, message in errors.items()]
    return lines


def _master_section(results: Mapping[str, Any]) -> list[str]:
    master = _section(results, "master")
    if master is None:
        return []
    workers = int(master["workers_at_10pct_core"])
    verdict = "met" if workers >= MASTER_GOAL else f"not met (goal ≥ {MASTER_GOAL})"
    return [
        "",
        "**The master at scale** (`benchmarks/master_merge.py`: real worker `stats` messages, "
        f"{master['requests_per_report']} requests over {master['endpoints']} endpoints per report, "
        f"{_num(master['report_bytes']) / 1000:.0f} KB):",
        "",
        *_table(
            ["master CPU per report", "workers per master at 10 % of a core (one report every 3 s)"],
            [[f"{_num(master['master_cpu_ms_per_report']):.2f} ms", f"{workers} — {verdict}"]],
        ),
        *(
            ["", "Where it goes (each part timed alone): " + ", ".join(f"{k} {v * 100:.0f} %" for k, v in shares)]
            if (shares := list((master.get("profile") or {}).items()))
            else []
        ),
    ]


def render(results: Mapping[str, Any]) -> str:
    """The whole BENCHMARKS.md for a result set."""
    all_goals = goals(results)
    lines = _header(results)
    lines += _goals_table(all_goals)
    sections = (
        _driver_section,
        arrivals_section,
        _costs_section,
        _master_section,
        _scaling_section,
        _accuracy_section,
        _verdict_section,
        _memory_section,
    )
    for section in sections:
        lines += section(results)
    lines += _errors_section(results)
    return "\n".join(lines) + "\n"
