"""Blocking HTTP helpers for the demo tests: a small client for the demo API and a metrics reader."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from slocheck_demo.processes import ManagedProcess, http_ok, start_on_a_free_port


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    seconds: float


def fetch_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def samples(exposition: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample named `name` (full sample name, e.g. `http_requests_total`) with its labels."""
    found: list[tuple[dict[str, str], float]] = []
    for family in text_string_to_metric_families(exposition):
        found.extend((dict(s.labels), float(s.value)) for s in family.samples if s.name == name)
    return found


def value(exposition: str, name: str, **labels: str) -> float | None:
    """The sample with exactly these labels (others ignored), or None when there is none."""
    matching = [v for sample_labels, v in samples(exposition, name) if labels.items() <= sample_labels.items()]
    if len(matching) > 1:
        raise AssertionError(f"{len(matching)} samples of {name} match {labels}")
    return matching[0] if matching else None


class DemoClient:
    """The demo service started as `python -m slocheck_demo.service` in a subprocess."""

    def __init__(self, workdir: Path, args: Sequence[str] = ()) -> None:
        self.workdir, self.args = workdir, list(args)
        self.port, self.url = 0, ""
        self.process: ManagedProcess | None = None

    def _process(self, port: int) -> ManagedProcess:
        argv = [sys.executable, "-m", "slocheck_demo.service", "--port", str(port), "--seed", "7", *self.args]
        return ManagedProcess("demo-service", argv, self.workdir / "demo-service.log")

    def start(self) -> DemoClient:
        self.process, self.port = start_on_a_free_port(
            self._process, lambda port: http_ok(f"http://127.0.0.1:{port}/health")
        )
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return self._reply(response.status, response.read(), dict(response.headers), started)
        except urllib.error.HTTPError as error:
            with error:
                return self._reply(error.code, error.read(), dict(error.headers), started)

    @staticmethod
    def _reply(status: int, raw: bytes, headers: dict[str, str], started: float) -> Reply:
        seconds = time.perf_counter() - started
        is_json = headers.get("Content-Type", "").startswith("application/json")
        return Reply(status, json.loads(raw) if is_json else raw.decode("utf-8"), headers, seconds)

    def token(self, username: str = "sre") -> str:
        reply = self.request("POST", "/api/v1/auth/token", {"username": username, "password": "secret"})
        assert reply.status == 200, reply.body
        return str(reply.body["access_token"])

    def run_agent(self, token: str, agent_id: str = "coder", model: str = "openai/gpt-4o-mini") -> Reply:
        body = {"agent_id": agent_id, "task": "write a function that adds two numbers", "model": model}
        return self.request("POST", "/api/v1/agents/run", body, token)

    def metrics(self) -> str:
        return fetch_text(f"{self.url}/metrics")


@contextlib.contextmanager
def running(client: DemoClient) -> Iterator[DemoClient]:
    """Start the service, and stop it however the block ends (also when it never became ready)."""
    try:
        yield client.start()
    finally:
        client.stop()
