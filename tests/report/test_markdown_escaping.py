"""Backend error text in the Markdown report stays text: no HTML tag, autolink or link of its own survives."""

from __future__ import annotations

from typing import Any

from slocheck.report.markdown import render_markdown

HOSTILE = "error: Prometheus: 400: <script>alert(1)</script> [click](javascript:alert(1)) <javascript:x> a|b"


def _document(reason: str) -> dict[str, Any]:
    objective = {
        "key": "api/up", "blocking": True, "outcome": "ERROR", "value_display": None, "pass": "< 500ms",
        "warn": None, "reason": reason,
    }  # fmt: skip
    return {
        "verdict": "INCONCLUSIVE", "exit_code": 3, "window": {"start": "a", "end": "b", "seconds": 1.0},
        "summary": {"ERROR": 1}, "run": None, "notes": [], "objectives": [objective],
    }  # fmt: skip


def test_a_backend_error_with_html_and_links_is_escaped_in_the_markdown() -> None:
    row = render_markdown(_document(HOSTILE)).splitlines()[-1]
    assert "<script>" not in row
    assert "&lt;script>alert(1)&lt;/script>" in row
    assert "\\[click\\](javascript:alert(1))" in row
    assert "&lt;javascript:x>" in row
    assert "a\\|b" in row


def test_a_bar_in_the_reason_keeps_its_less_than_sign() -> None:
    assert "930 ms misses < 500ms" in render_markdown(_document("930 ms misses < 500ms"))
