"""One clean environment for the tests: without the caller's SLOCHECK_*/OTEL_*/GITHUB_* settings or a CA bundle
override for requests (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), with wide plain output, unbuffered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DROPPED = ("SLOCHECK_", "OTEL_", "GITHUB_", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "FORCE_COLOR")
PLAIN_OUTPUT = {"COLUMNS": "250", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "TERM": "dumb"}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a `slocheck` subprocess: the caller's, cleaned, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.update(PLAIN_OUTPUT)
    env.update(extra)
    return env


def use_clean_env(monkeypatch: pytest.MonkeyPatch, workdir: Path, **extra: str) -> Path:
    """The same environment for this process (undone after the test), working in `workdir` (no slocheck.yaml)."""
    wanted = clean_env(**extra)
    for name in list(os.environ):
        if name not in wanted:
            monkeypatch.delenv(name)
    for name, value in wanted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(workdir)
    return workdir
