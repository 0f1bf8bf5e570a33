"""Start and stop local server processes on 127.0.0.1 (used by `slocheck demo` and the test suite).

Every process gets its own process group, a log file, a readiness probe and a bounded shutdown
(SIGTERM, then SIGKILL), so nothing outlives the run that started it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from slocheck.core.errors import SlocheckError


class StackError(SlocheckError):
    """A local server could not be started."""

    exit_code = 3


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_on_a_free_port(
    build: Callable[[int], ManagedProcess], ready: Callable[[int], bool], attempts: int = 3, timeout: float = 30.0
) -> tuple[ManagedProcess, int]:
    """Start `build(port)` on a free port and wait until `ready(port)`. A port is free when chosen but another
    process can bind it before ours does (parallel test shards do): "address already in use" tries another port."""
    for attempt in range(1, attempts + 1):
        port = free_port()
        process = build(port)
        logged_before = process.log_path.stat().st_size if process.log_path.exists() else 0
        process.start()
        try:
            process.wait_ready(functools.partial(ready, port), timeout)
        except StackError:
            process.stop()
            if attempt == attempts or not _lost_the_port(process.log_path, logged_before):
                raise
            continue
        return process, port
    raise AssertionError("unreachable")


def _lost_the_port(log_path: Path, logged_before: int) -> bool:
    try:
        with log_path.open("rb") as log:
            log.seek(logged_before)
            return b"address already in use" in log.read().lower()
    except OSError:
        return False


def require_binary(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StackError(f"{name} is not installed; run `make deps` (or apt-get install {package})")
    return path


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (OSError, urllib.error.URLError):
        return False


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


class ManagedProcess:
    """One server process: started in its own process group, logged to a file, stopped for sure."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = self.argv
        if self.user is not None and os.geteuid() == 0:
            argv = ["runuser", "-u", self.user, "--", *argv]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(self.env or {})},
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, probe: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"{self.name} exited with code {self.process.returncode}; see {self.log_path}")
            if probe():
                return
            time.sleep(0.1)
        raise StackError(f"{self.name} was not ready after {timeout:g}s; see {self.log_path}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> ManagedProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
