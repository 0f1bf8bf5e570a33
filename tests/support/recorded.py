"""Where the recorded backend responses live (tests/fixtures/, see its README for who recorded what, and how)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROMETHEUS = FIXTURES / "prometheus-2.42"
LOKI = FIXTURES / "loki-2.8.11"
JAEGER = FIXTURES / "jaeger"
