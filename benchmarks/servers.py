"""The local servers the load benchmarks need, each on 127.0.0.1 and optionally pinned to CPUs with `taskset`:
nginx serving a static 200 (the target), and the OTLP sink (`otlp_sink.py`)."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import psutil

from slocheck_demo.processes import ManagedProcess, free_port, http_ok, port_open, require_binary

ROOT = Path(__file__).resolve().parents[1]

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type text/plain; return 200 "ok\\n"; }}
    location = /nginx_status {{ stub_status; }}
  }}
}}
"""


def pinned(argv: list[str], cpus: str | None) -> list[str]:
    """`argv`, run on the given CPUs (`taskset -c 0`) when `cpus` is set."""
    return ["taskset", "-c", cpus, *argv] if cpus is not None else list(argv)


def process_tree(pid: int) -> list[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far."""
    total = 0.0
    for process in process_tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


class Nginx:
    """nginx (1 worker process) answering `200 ok` to every request, on `cpus` when given."""

    def __init__(self, workdir: Path, cpus: str | None) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        conf = workdir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workdir=workdir, port=self.port), encoding="utf-8")
        binary = require_binary("nginx", "nginx")
        argv = pinned([binary, "-c", str(conf), "-e", str(workdir / "nginx-error.log"), "-p", str(workdir)], cpus)
        self.process = ManagedProcess("nginx", argv, workdir / "nginx.log")

    def __enter__(self) -> Nginx:
        self.process.start()
        self.process.wait_ready(lambda: http_ok(self.url), 15.0)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.process.stop()

    def cpu_seconds(self) -> float:
        assert self.process.process is not None
        return cpu_seconds(self.process.process.pid)

    def requests(self) -> int:
        """Requests nginx has answered so far (`stub_status`; each call counts itself too)."""
        with urllib.request.urlopen(f"{self.url}/nginx_status", timeout=5) as response:
            return parse_stub_status(response.read().decode("ascii", "replace"))


def parse_stub_status(text: str) -> int:
    """The `requests` counter of nginx's stub_status page (third number of the third line)."""
    lines = text.splitlines()
    return int(lines[2].split()[2])


class OtlpSink:
    """`python -m benchmarks.otlp_sink` on `cpus`; `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes."""

    def __init__(self, workdir: Path, cpus: str | None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        argv = pinned([sys.executable, "-m", "benchmarks.otlp_sink", "--port", str(self.port)], cpus)
        self.process = ManagedProcess("otlp-sink", argv, workdir / "otlp-sink.log", cwd=ROOT)

    def __enter__(self) -> OtlpSink:
        self.process.start()
        self.process.wait_ready(lambda: port_open(self.port), 15.0)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.process.stop()

    def counts(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.endpoint}/count", timeout=5) as response:
            data = json.loads(response.read())
        return {"requests": int(data["requests"]), "spans": int(data["spans"])}
