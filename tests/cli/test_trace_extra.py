"""OpenTelemetry is the `slocheck[trace]` extra: tracing without it is one line naming the extra, exit 2, before
any load; a remote worker without it stops the run before the load starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from locust.rpc import Message

from slocheck.core.errors import LoadError
from slocheck.load.distributed import HELLO, MasterLink
from slocheck.load.stats import ClientStats
from slocheck.load.trace_extra import require_tracing, tracing_installed

SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: trace-extra}
spec:
  service: trace-extra
  objectives:
    - name: client-requests
      indicator: {locust: {stat: count}}
      pass: "> 0"
"""
SCENARIO = """\
from locust import HttpUser, task


class Visitor(HttpUser):
    @task
    def home(self) -> None:
        self.client.get("/")
"""


def without_opentelemetry(tmp_path: Path) -> dict[str, str]:
    """An environment where `opentelemetry` is a plain package with nothing in it: the SDK and the OTLP exporter
    cannot be imported, as after `pip install slocheck` without the extra."""
    shadow = tmp_path / "no-otel"
    (shadow / "opentelemetry").mkdir(parents=True)
    (shadow / "opentelemetry" / "__init__.py").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "SLOCHECK_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shadow), os.environ.get("PYTHONPATH")]))
    env.update(COLUMNS="250", NO_COLOR="1")
    return env


@pytest.mark.parametrize(
    ("extra_args", "extra_env", "reason"),
    [
        (["--trace"], {}, "--trace"),
        ([], {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    ],
    ids=["trace-flag", "otlp-env"],
)
def test_tracing_without_the_extra_is_one_line_naming_it_and_no_run_starts(
    tmp_path: Path, extra_args: list[str], extra_env: dict[str, str], reason: str
) -> None:
    (tmp_path / "slo.yaml").write_text(SLO, encoding="utf-8")
    (tmp_path / "scenario.py").write_text(SCENARIO, encoding="utf-8")
    args = ["run", "slo.yaml", "--scenario", "scenario.py", "--host", "http://127.0.0.1:9", "--out", "runs"]
    finished = subprocess.run(
        [sys.executable, "-m", "slocheck", *args, *extra_args],
        cwd=tmp_path,
        env={**without_opentelemetry(tmp_path), **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (finished.returncode, finished.stderr) == (
        2,
        f"error: {reason} turns on tracing, which needs OpenTelemetry (the slocheck[trace] extra): "
        "pip install 'slocheck[trace]'\n",
    )
    assert not (tmp_path / "runs").exists()


def test_with_the_extra_installed_tracing_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tracing_installed()
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    require_tracing(True)  # does not raise


class StubMasterRunner:
    """The parts of Locust's MasterRunner that MasterLink uses: message handlers, messages, connected workers."""

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}
        self.sent: list[tuple[str, Any, str | None]] = []
        self.environment = SimpleNamespace(events=SimpleNamespace(worker_report=SimpleNamespace(add_listener=id)))
        self.clients = SimpleNamespace(ready=[])  # nobody has finished the handshake yet

    def register_message(self, kind: str, handler: Any) -> None:
        self.handlers[kind] = handler

    def send_message(self, kind: str, data: Any, client_id: str | None = None) -> None:
        self.sent.append((kind, data, client_id))


@pytest.mark.parametrize(
    ("traced", "can_trace", "stopped"), [(True, False, True), (True, True, False), (False, False, False)]
)
def test_a_worker_without_opentelemetry_stops_a_traced_run_before_the_load(
    traced: bool, can_trace: bool, stopped: bool
) -> None:
    runner = StubMasterRunner()
    trace = {"run_id": "r1", "sample": 1.0, "endpoint": None} if traced else None
    link = MasterLink(runner, ClientStats(), {"run_id": "r1", "trace": trace}, ["Visitor"])

    runner.handlers[HELLO](None, Message(HELLO, {"users": ["Visitor"], "can_trace": can_trace}, "worker-1"))

    if stopped:
        with pytest.raises(LoadError, match=r"^worker worker-1 cannot trace the load: OpenTelemetry is not installed"):
            link.wait_for_workers(1, timeout=1, check=lambda: None, where="127.0.0.1:5557")
    else:
        assert link.mismatch is None
