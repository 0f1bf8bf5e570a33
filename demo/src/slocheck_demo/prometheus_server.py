"""A throwaway Prometheus (Debian's binary) with a generated config, scraping every second."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from slocheck_demo.processes import ManagedProcess, free_port, http_ok, require_binary


def prometheus_config(targets: Mapping[str, Sequence[str]], scrape_interval: str = "1s") -> str:
    """A config scraping each job's `host:port` targets."""
    jobs = [
        {"job_name": job, "scrape_interval": scrape_interval, "static_configs": [{"targets": list(addresses)}]}
        for job, addresses in targets.items()
    ]
    intervals = {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval}
    config = {"global": intervals, "scrape_configs": jobs}
    return yaml.safe_dump(config, sort_keys=False)


class PrometheusServer:
    """Start with `targets` ({job: ["127.0.0.1:port"]}); `url` is ready once `start()` returns."""

    def __init__(self, workdir: Path, targets: Mapping[str, Sequence[str]], scrape_interval: str = "1s") -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = workdir / "prometheus.yml"
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(prometheus_config(targets, scrape_interval), encoding="utf-8")
        binary = require_binary("prometheus", "prometheus")
        argv = [
            binary,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--storage.tsdb.retention.time=1d",
            "--web.enable-lifecycle",
        ]
        self.process = ManagedProcess("prometheus", argv, workdir / "prometheus.log")

    def start(self, timeout: float = 30.0) -> PrometheusServer:
        self.process.start()
        self.process.wait_ready(lambda: http_ok(f"{self.url}/-/ready"), timeout)
        return self

    def stop(self) -> None:
        self.process.stop()
