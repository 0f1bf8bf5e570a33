"""The local demo stack: the demo service with real Redis and PostgreSQL, both exporters, and a Prometheus
scraping all of them every second. Everything listens on 127.0.0.1, on free ports, and stops on exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from slocheck_demo.datastores import PostgresExporter, PostgresServer, RedisExporter, RedisServer
from slocheck_demo.processes import ManagedProcess, http_ok, start_on_a_free_port
from slocheck_demo.prometheus_server import PrometheusServer

SERVICE_JOB = "paracle-api"


@dataclass(frozen=True)
class StackUrls:
    service: str
    prometheus: str
    redis: str
    postgres: str


@dataclass
class DemoStack:
    """Start with `with DemoStack(workdir) as stack:`; `stack.urls` is valid inside the block."""

    workdir: Path
    service_args: Sequence[str] = ()
    _stack: ExitStack = field(default_factory=ExitStack)
    urls: StackUrls | None = None

    def __enter__(self) -> DemoStack:
        try:
            self.urls = self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.close()

    def _start(self) -> StackUrls:
        redis = RedisServer(self.workdir / "redis").start()
        self._stack.callback(redis.stop)
        postgres = PostgresServer(self.workdir / "postgres").start()
        self._stack.callback(postgres.stop)
        redis_exporter = RedisExporter(self.workdir / "redis-exporter", redis.url).start()
        self._stack.callback(redis_exporter.stop)
        postgres_exporter = PostgresExporter(self.workdir / "postgres-exporter", postgres.url).start()
        self._stack.callback(postgres_exporter.stop)
        service_url, service_target = self._start_service(redis.url, postgres.url)
        targets = {
            SERVICE_JOB: [service_target],
            "redis": [redis_exporter.target],
            "postgres": [postgres_exporter.target],
        }
        prometheus = PrometheusServer(self.workdir / "prometheus", targets).start()
        self._stack.callback(prometheus.stop)
        return StackUrls(service_url, prometheus.url, redis.url, postgres.url)

    def _start_service(self, redis_url: str, database_url: str) -> tuple[str, str]:
        def service_on(port: int) -> ManagedProcess:
            argv = [
                sys.executable, "-m", "slocheck_demo.service",
                "--host", "127.0.0.1", "--port", str(port),
                "--redis-url", redis_url, "--database-url", database_url,
                *self.service_args,
            ]  # fmt: skip
            return ManagedProcess("demo service", argv, self.workdir / "service.log")

        service, port = start_on_a_free_port(service_on, lambda port: http_ok(f"http://127.0.0.1:{port}/health"))
        self._stack.callback(service.stop)
        url = f"http://127.0.0.1:{port}"
        return url, f"127.0.0.1:{port}"
