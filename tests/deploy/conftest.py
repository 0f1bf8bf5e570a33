"""Fixtures for the deployment tests (the real Prometheus and known exporter come from tests/support)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT


@pytest.fixture
def slocheck_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `slocheck` executable first on PATH that runs this tree's code with this interpreter."""
    import sys

    shim = tmp_path / "bin"
    shim.mkdir()
    script = shim / "slocheck"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m slocheck "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT / "src"))
    return shim
