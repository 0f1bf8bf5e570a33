"""An overall deadline for one HTTP attempt: connect, headers and the whole body.

`requests`' timeout applies per socket read, so a server that trickles one byte a second never times out. Here a
watchdog timer shuts the attempt's socket down when the deadline passes, wherever the attempt is blocked; the
adapter's connections register themselves with the attempt running on their thread when they send a request.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

_local = threading.local()


class Deadline:
    """One attempt's watchdog; `expired` tells a broken connection from a cut one."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def track(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _abort(connection)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _abort(connection)


def _abort(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: an SSLSocket's would drop its state
    except (OSError, TypeError):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run the block as one attempt that the watchdog cuts after `seconds`."""
    watch = Deadline(seconds)
    previous = getattr(_local, "deadline", None)
    _local.deadline = watch
    watch._timer.start()
    try:
        yield watch
    finally:
        watch._timer.cancel()
        _local.deadline = previous


def _register(connection: HTTPConnection) -> None:
    watch: Deadline | None = getattr(_local, "deadline", None)
    if watch is not None:
        watch.track(connection)


class _TrackedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _TrackedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections the attempt's watchdog can cut; no urllib3 retries (tenacity owns
    them, with a time budget)."""

    def __init__(self, pool_maxsize: int) -> None:
        super().__init__(max_retries=0, pool_connections=2, pool_maxsize=pool_maxsize)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        classes: Mapping[str, type[HTTPConnectionPool]] = {"http": _HTTPPool, "https": _HTTPSPool}
        self.poolmanager.pool_classes_by_scheme = classes
