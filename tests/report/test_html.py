"""report/html.py: a self-contained page with every objective and section, built only from the documents."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from slocheck.app.report_inputs import load_report_inputs
from slocheck.core.units import Kind, format_value
from slocheck.report.html import NAV, render_html
from slocheck.report.html_inputs import (
    HistoryPoint,
    ReportInputs,
    client_from_csv,
    parse_history,
)
from slocheck.report.html_load import classify_failure, per_interval_rates, throughput_numbers
from tests.support.paths import BASELINE, RUN

from .htmlcheck import read_page

SECTION_TITLES = {
    "verdict": "Verdict and run facts",
    "objectives": "Objectives",
    "baseline": "Baseline vs target vs actual",
    "trend": "Trend",
    "throughput": "Throughput",
    "latency": "Latency",
    "errors": "Errors",
    "endpoints": "Endpoints",
    "resources": "Resources",
    "llm": "LLM providers and models",
    "hints": "Bottleneck hints",
    "over-time": "Objectives over time",
    "queries": "Context queries",
}


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((RUN / "result.json").read_text(encoding="utf-8"))
    return loaded


def text_of(html: str, section: str) -> str:
    return " ".join(read_page(html).text[section].split())


def test_the_report_is_well_formed_html(report_html: str) -> None:
    page = read_page(report_html)
    assert page.problems == []
    assert report_html.startswith("<!DOCTYPE html>")


def test_the_report_fetches_nothing_from_anywhere(report_html: str) -> None:
    page = read_page(report_html)
    assert {tag for tag, _, _ in page.urls} <= {"a"}, page.urls
    assert all(value.startswith("#") for _, _, value in page.urls), page.urls
    assert not page.tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source"}
    styles = " ".join(page.styles).lower()
    assert "@import" not in styles
    assert "url(" not in styles
    assert "@font-face" not in styles


def test_every_objective_appears_with_its_evidence(report_html: str) -> None:
    page = read_page(report_html)
    objectives_text = text_of(report_html, "objectives")
    for objective in document()["objectives"]:
        assert objective["key"] in objectives_text
        assert objective["reason"] in objectives_text
        assert " ".join(objective["query"].split()) in objectives_text
        anchor = "obj-" + re.sub(r"[^A-Za-z0-9_-]", "-", objective["key"])
        assert anchor in page.ids
        assert ("#" + anchor) in [value for _, _, value in page.urls]


def test_every_section_heading_is_present_and_linked_from_the_contents(report_html: str) -> None:
    page = read_page(report_html)
    assert page.headings == SECTION_TITLES
    assert [f"#{id}" for id, _ in NAV] == [v for _, _, v in page.urls if v.startswith("#") and "obj-" not in v][
        : len(NAV)
    ]


def test_the_numbers_are_those_of_the_documents(report_html: str) -> None:
    client = document()["client"]
    aggregated = client["aggregated"]
    throughput = text_of(report_html, "throughput")
    assert f"TOTAL REQUESTS {aggregated['requests']:,}" in throughput.upper()
    assert format_value(aggregated["rps"], Kind.RATE) in throughput
    latency = text_of(report_html, "latency")
    for stat in ("p50", "p90", "p95", "p99", "p99.9", "avg", "max"):
        assert format_value(aggregated[stat], Kind.DURATION) in latency
    errors = text_of(report_html, "errors")
    assert format_value(aggregated["fail_ratio"], Kind.RATIO) in errors
    assert client["failures"][0]["error"] in errors
    endpoints = text_of(report_html, "endpoints")
    for row in client["endpoints"]:
        assert row["name"] in endpoints
        assert format_value(row["p99"], Kind.DURATION) in endpoints
    baseline = json.loads((BASELINE / "result.json").read_text(encoding="utf-8"))
    assert baseline["run"]["id"] in text_of(report_html, "baseline")


def test_a_result_document_alone_renders_no_data_never_zero() -> None:
    bare = document()
    bare.pop("client")
    bare["run"] = None
    html = render_html(ReportInputs(document=bare))
    assert read_page(html).problems == []
    throughput = text_of(html, "throughput")
    assert throughput.count("no data") >= 4  # total, average, peak, sustained
    assert not re.search(r"TOTAL REQUESTS 0\b", throughput.upper())
    assert "not collected (no context.json" in text_of(html, "resources")
    assert "no data" in text_of(html, "endpoints")
    assert "no data" in text_of(html, "latency")
    assert "Not checked, for want of data" in text_of(html, "hints")


def test_an_objective_without_a_value_reads_no_data() -> None:
    doc = document()
    objective = doc["objectives"][0]
    objective.update(outcome="NO_DATA", counts_as="INCONCLUSIVE", value=None, value_display=None, series=[],
                     reason="no data: empty result: no series matched in the window")  # fmt: skip
    html = render_html(ReportInputs(document=doc))
    row = next(r for r in html.split("<tr>") if objective["key"] in r)
    assert "no data" in row
    assert "NO_DATA" in row


def test_text_from_the_documents_is_escaped() -> None:
    doc = document()
    evil = '<script>alert("x")</script>'
    doc["objectives"][0]["name"] = evil
    doc["objectives"][0]["key"] = f"demo/{evil}"
    doc["objectives"][0]["series"][0]["labels"] = {"job": evil}
    doc["client"]["failures"][0]["error"] = evil
    html = render_html(ReportInputs(document=doc))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert read_page(html).problems == []


def test_objective_links_are_listed_and_only_web_links_are_followed() -> None:
    doc = document()
    doc["objectives"][0]["links"] = [
        {"label": "Grafana Explore", "url": "https://grafana.example/explore?from=1&to=2"},
        {"label": "trap", "url": "javascript:alert(1)"},
    ]
    html = render_html(ReportInputs(document=doc))
    page = read_page(html)
    hrefs = [value for tag, _, value in page.urls if tag == "a" and not value.startswith("#")]
    assert hrefs == ["https://grafana.example/explore?from=1&to=2"]
    assert "Grafana Explore" in text_of(html, "objectives")


def test_a_saturated_load_generator_marks_latency_verdicts_unreliable() -> None:
    inputs = load_report_inputs(RUN)
    run = copy.deepcopy(dict(inputs.run or {}))
    run["load"]["generator_cpu"]["peak_percent"] = 97.0
    html = render_html(ReportInputs(document=inputs.document, run=run, context=inputs.context))
    verdict = text_of(html, "verdict")
    assert "Latency verdicts are unreliable" in verdict
    assert "latency unreliable" in text_of(html, "objectives")
    assert "Load generator CPU saturated" in text_of(html, "hints")


def test_an_interrupted_run_says_its_window_is_partial() -> None:
    inputs = load_report_inputs(RUN)
    run = {**(inputs.run or {}), "interrupted": True}
    html = render_html(ReportInputs(document=inputs.document, run=run))
    assert "Interrupted: the load stopped early" in text_of(html, "verdict")


def test_an_interrupted_run_is_not_headed_pass_since_its_gate_exits_130() -> None:
    inputs = load_report_inputs(RUN)
    run = {**(inputs.run or {}), "interrupted": True}
    html = render_html(ReportInputs(document={**inputs.document, "verdict": "PASS", "exit_code": 130}, run=run))
    assert '<div class="verdict-pill">INTERRUPTED</div>' in html
    assert "PASS over the partial window" in text_of(html, "verdict")
    assert 'class="top v-pass"' not in html


def test_without_a_baseline_the_comparison_says_how_to_get_one() -> None:
    html = render_html(load_report_inputs(RUN))
    assert "--baseline" in text_of(html, "baseline")


def test_baseline_deltas_say_better_or_worse(report_html: str) -> None:
    row = next(r for r in report_html.split("<tr>") if "demo/client-failure-ratio" in r and "delta" in r)
    assert 'class="delta worse"' in row  # the baseline had no failures; this run has injected 500s


def test_range_objectives_are_charted_with_their_bars(report_html: str) -> None:
    over_time = report_html.split('id="over-time"', 1)[1].split("</section>", 1)[0]
    assert over_time.count("<svg") == 2
    assert "pass &lt; 500ms" in over_time
    assert "warn &lt; 800ms" in over_time


def test_peak_and_sustained_throughput_come_from_the_history_intervals() -> None:
    def point(t: float, total: float, failed: float) -> HistoryPoint:
        return HistoryPoint(t, 10, None, None, None, None, None, total, failed)

    history = [point(100, 0, 0), point(101, 10, 1), point(102, 30, 1), point(102, 30, 1), point(104, 50, 3)]
    assert per_interval_rates(history) == [(101, 10.0, 1.0), (102, 20.0, 0.0), (104, 10.0, 1.0)]
    numbers = throughput_numbers({"aggregated": {"requests": 50, "rps": 12.5}}, history)
    assert numbers == {"total": 50, "average": 12.5, "peak": 20.0, "sustained": 10.0}


def test_history_percentiles_are_unknown_until_locust_has_a_window() -> None:
    history = parse_history((RUN / "locust_stats_history.csv").read_text(encoding="utf-8"))
    assert all(p.p95 is None for p in history if not p.rps)
    assert any(p.p95 is not None and p.p95 > 0.01 for p in history)
    assert history[-1].total_requests == document()["client"]["aggregated"]["requests"]


def test_without_client_statistics_the_endpoints_come_from_locust_csv(run_dir: Path) -> None:
    doc = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    doc.pop("client")
    (run_dir / "result.json").write_text(json.dumps(doc), encoding="utf-8")
    inputs = load_report_inputs(run_dir)
    assert inputs.client is not None
    assert inputs.client["source"] == "locust_csv"
    endpoints = text_of(render_html(inputs), "endpoints")
    assert "Locust's CSV" in endpoints
    assert "/api/v1/agents/run" in endpoints


def test_locust_csv_without_an_aggregated_row_gives_no_client_statistics() -> None:
    assert client_from_csv("Type,Name,Request Count\nGET,/x,1\n", None) is None


def test_failures_are_classified_by_status_and_timeout() -> None:
    assert classify_failure("CatchResponseError('HTTP 500')") == "5xx"
    assert classify_failure("HTTPError('404 Client Error: Not Found for url: /x')") == "4xx"
    assert classify_failure("ReadTimeout: timed out") == "timeout"
    assert classify_failure("ConnectionRefusedError(111)") == "other"


def test_the_settle_wait_used_and_why_is_a_run_fact() -> None:
    inputs = load_report_inputs(RUN)
    settle = {"seconds": 0.8, "bound_seconds": 3.0, "reason": "every scraped target read (1) has a scrape after it"}
    html = render_html(ReportInputs(document=inputs.document, run={**(inputs.run or {}), "settle": settle}))
    assert "Settle wait 0.8 s of at most 3 s: every scraped target read (1) has a scrape after it" in text_of(
        html, "verdict"
    )


def test_a_settle_bound_that_expired_is_a_warning_banner() -> None:
    inputs = load_report_inputs(RUN)
    settle = {"seconds": 3.0, "bound_seconds": 3.0, "reason": "the 3s bound expired", "expired": True}
    html = render_html(ReportInputs(document=inputs.document, run={**(inputs.run or {}), "settle": settle}))
    assert "Settle warning: the 3s bound expired" in text_of(html, "verdict")
