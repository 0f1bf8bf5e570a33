"""Throwaway Redis, PostgreSQL and their Prometheus exporters on free 127.0.0.1 ports.

Each server is a `ManagedProcess` (own process group, log file, bounded stop) and is ready when `start()`
returns: Redis answers PING, PostgreSQL accepts queries and has the `slocheck_demo` database, and each exporter
reports its datastore as up (`redis_up 1`, `pg_up 1`) — an exporter that serves `/metrics` but cannot reach
its datastore is not ready.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from slocheck_demo.processes import ManagedProcess, StackError, free_port, require_binary

DEMO_DATABASE = "slocheck_demo"
POSTGRES_USER = "postgres"
# A Unix socket path must fit in sun_path (108 bytes on Linux); keep room for "/.s.PGSQL.NNNNN".
_MAX_SOCKET_DIR_LENGTH = 80


def redis_ping(port: int, host: str = "127.0.0.1") -> bool:
    """True when a Redis server on host:port answers PING (inline command, no client library needed)."""
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def metrics_contain(url: str, line_prefix: str) -> bool:
    """True when the exposition at `url` has a sample line starting with `line_prefix` (e.g. `redis_up 1`)."""
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:  # loopback URLs we built
            text = response.read().decode("utf-8", "replace")
    except (OSError, urllib.error.URLError):
        return False
    return any(line.startswith(line_prefix) for line in text.splitlines())


class RedisServer:
    """`redis-server` without persistence, bounded by `maxmemory` so `redis_memory_max_bytes` is meaningful."""

    def __init__(self, workdir: Path, maxmemory: str = "256mb") -> None:
        self.workdir = workdir / "redis"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        binary = require_binary("redis-server", "redis-server")
        argv = [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.workdir),
            "--save", "",
            "--appendonly", "no",
            "--maxmemory", maxmemory,
            "--maxmemory-policy", "allkeys-lru",
        ]  # fmt: skip
        self.process = ManagedProcess("redis-server", argv, self.workdir / "redis.log")

    def start(self, timeout: float = 30.0) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process.start()
        self.process.wait_ready(lambda: redis_ping(self.port), timeout)
        return self

    def stop(self) -> None:
        self.process.stop()


def postgres_bindir() -> Path:
    """The newest `/usr/lib/postgresql/<version>/bin` that has `initdb` and `postgres` (Debian's layout)."""
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")]
    usable = [c for c in candidates if (c / "initdb").is_file()]
    if not usable:
        raise StackError("PostgreSQL is not installed; run `make deps` (or apt-get install postgresql)")
    return max(usable, key=lambda path: _version_key(path.parent.name))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _must_switch_user() -> bool:
    # PostgreSQL refuses to run as root; ManagedProcess switches to `postgres` only when we are root.
    return os.geteuid() == 0


class PostgresServer:
    """A fresh cluster (initdb, trust auth on loopback) with the `slocheck_demo` database."""

    def __init__(self, workdir: Path, max_connections: int = 100) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/{DEMO_DATABASE}"
        self.max_connections = max_connections
        self.bindir = postgres_bindir()
        self.log_path = workdir / "postgres" / "postgres.log"
        self.base: Path | None = None
        self._own_base = False
        self.process: ManagedProcess | None = None

    @property
    def datadir(self) -> Path:
        if self.base is None:
            raise StackError("PostgreSQL has not been started")
        return self.base / "data"

    def start(self, timeout: float = 60.0) -> PostgresServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.base = self._prepare_base()
        # Throwaway by design: a cluster left by an earlier run in this work directory is replaced.
        shutil.rmtree(self.datadir, ignore_errors=True)
        self._initdb()
        self.process = ManagedProcess("postgres", self._server_argv(), self.log_path, user=POSTGRES_USER)
        self.process.start()
        try:
            self.process.wait_ready(self._accepts_queries, timeout)
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_base(self) -> Path:
        """A directory the server user can write, with a short enough path for the Unix socket."""
        preferred = self.workdir / "postgres" / "cluster"
        preferred.mkdir(parents=True, exist_ok=True)
        self._hand_over(preferred)
        if len(str(preferred)) <= _MAX_SOCKET_DIR_LENGTH and self._server_user_can_write(preferred):
            return preferred
        # The work directory is private to root (pytest's tmp dirs are 0700) or too deep: use /tmp instead.
        fallback = Path(tempfile.mkdtemp(prefix="slocheck-pg-"))
        self._own_base = True
        self._hand_over(fallback)
        return fallback

    def _hand_over(self, path: Path) -> None:
        if _must_switch_user():
            shutil.chown(path, user=POSTGRES_USER, group=POSTGRES_USER)

    def _server_user_can_write(self, path: Path) -> bool:
        if not _must_switch_user():
            return os.access(path, os.W_OK | os.X_OK)
        check = subprocess.run(  # fixed argv, no shell
            ["runuser", "-u", POSTGRES_USER, "--", "test", "-w", str(path), "-a", "-x", str(path)],
            check=False,
            capture_output=True,
        )
        return check.returncode == 0

    def _initdb(self) -> None:
        argv = [
            str(self.bindir / "initdb"),
            "-D", str(self.datadir),
            "-U", POSTGRES_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        ]  # fmt: skip
        initdb = ManagedProcess("initdb", argv, self.log_path, user=POSTGRES_USER).start()
        process = initdb.process
        if process is None:  # start() always sets it; this narrows the type
            raise StackError("initdb did not start")
        try:
            code = process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            initdb.stop()
            raise StackError(f"initdb did not finish within 120s; see {self.log_path}") from None
        if code != 0:
            raise StackError(f"initdb failed with code {code}; see {self.log_path}")

    def _server_argv(self) -> list[str]:
        return [
            str(self.bindir / "postgres"),
            "-D", str(self.datadir),
            "-h", "127.0.0.1",
            "-p", str(self.port),
            "-k", str(self.datadir.parent),
            "-c", f"max_connections={self.max_connections}",
            # Throwaway data: durability costs time and buys nothing here.
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip

    def _client(self, name: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        argv = [str(self.bindir / name), "-h", "127.0.0.1", "-p", str(self.port), "-U", POSTGRES_USER, *args]
        return subprocess.run(argv, check=False, capture_output=True, timeout=30)  # fixed argv, no shell

    def _accepts_queries(self) -> bool:
        # pg_isready says "accepting connections" only after recovery and start-up are over.
        return self._client("pg_isready", "-d", "postgres", "-t", "1").returncode == 0

    def _create_database(self) -> None:
        result = self._client("createdb", DEMO_DATABASE)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise StackError(f"could not create database {DEMO_DATABASE}: {message}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        if self._own_base and self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self._own_base = False


class RedisExporter:
    """Debian's `prometheus-redis-exporter` (Go flags: single dash, `-redis.addr`, `-web.listen-address`)."""

    def __init__(self, workdir: Path, redis_url: str) -> None:
        self.port = free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.target}"
        self.metrics_url = f"{self.url}/metrics"
        binary = require_binary("prometheus-redis-exporter", "prometheus-redis-exporter")
        argv = [binary, "-redis.addr", redis_url, "-web.listen-address", self.target]
        self.process = ManagedProcess("redis_exporter", argv, workdir / "exporters" / "redis_exporter.log")

    def start(self, timeout: float = 30.0) -> RedisExporter:
        self.process.start()
        self.process.wait_ready(lambda: metrics_contain(self.metrics_url, "redis_up 1"), timeout)
        return self

    def stop(self) -> None:
        self.process.stop()


class PostgresExporter:
    """Debian's `prometheus-postgres-exporter`: DSN in `DATA_SOURCE_NAME`, `--web.listen-address`."""

    def __init__(self, workdir: Path, dsn: str) -> None:
        self.port = free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.target}"
        self.metrics_url = f"{self.url}/metrics"
        binary = require_binary("prometheus-postgres-exporter", "prometheus-postgres-exporter")
        separator = "&" if "?" in dsn else "?"
        # The throwaway server has no TLS; lib/pq defaults to sslmode=require and would never connect.
        env = {"DATA_SOURCE_NAME": f"{dsn}{separator}sslmode=disable"}
        argv = [binary, f"--web.listen-address={self.target}"]
        log_path = workdir / "exporters" / "postgres_exporter.log"
        self.process = ManagedProcess("postgres_exporter", argv, log_path, env=env)

    def start(self, timeout: float = 30.0) -> PostgresExporter:
        self.process.start()
        self.process.wait_ready(lambda: metrics_contain(self.metrics_url, "pg_up 1"), timeout)
        return self

    def stop(self) -> None:
        self.process.stop()


class DatastoreStack:
    """Redis, PostgreSQL and both exporters, started in dependency order and stopped in reverse."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.redis = RedisServer(workdir)
        self.postgres = PostgresServer(workdir)
        self.redis_exporter = RedisExporter(workdir, self.redis.url)
        self.postgres_exporter = PostgresExporter(workdir, self.postgres.url)
        self._started: list[RedisServer | PostgresServer | RedisExporter | PostgresExporter] = []

    def start(self) -> DatastoreStack:
        try:
            for server in (self.redis, self.postgres, self.redis_exporter, self.postgres_exporter):
                self._started.append(server)
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        while self._started:
            server = self._started.pop()
            with contextlib.suppress(Exception):
                server.stop()

    def scrape_targets(self) -> dict[str, list[str]]:
        """Prometheus jobs for the exporters, in the shape `PrometheusServer(targets=...)` takes."""
        return {"redis": [self.redis_exporter.target], "postgres": [self.postgres_exporter.target]}

    def __enter__(self) -> DatastoreStack:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
