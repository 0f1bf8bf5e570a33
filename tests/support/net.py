"""Ports on 127.0.0.1 for tests."""

from __future__ import annotations

import socket


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released): connecting to it is refused, and a
    server the test starts can bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def closed_url() -> str:
    """An http URL on which nothing listens."""
    return f"http://127.0.0.1:{closed_port()}"
