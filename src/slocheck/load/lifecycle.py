"""Leaving the process as the run found it: signal handlers, the users' HTTP clients, the User classes' hosts."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SignalHandler = Callable[[int, FrameType | None], None]


@contextmanager
def signals_handled(handler: SignalHandler) -> Iterator[None]:
    """SIGINT/SIGTERM call `handler` instead of killing the process (main thread only; restored on exit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def close_user_clients(users: Iterable[Any]) -> None:
    """Locust never closes a stopped user's HTTP client; close them so no connection outlives the run.

    HttpUser's client is a requests Session (`close()`); FastHttpUser's wraps a geventhttpclient UserAgent
    (`client.client.close()`).
    """
    for user in users:
        client = getattr(user, "client", None)
        close = getattr(client, "close", None) or getattr(getattr(client, "client", None), "close", None)
        if callable(close):
            close()


def class_hosts(user_classes: Iterable[type[Any]]) -> dict[type[Any], object]:
    """The `host` each User class defines itself (None: inherited or unset)."""
    return {cls: cls.__dict__.get("host") for cls in user_classes}


def restore_hosts(saved: dict[type[Any], object]) -> None:
    """Locust writes --host into the User classes; put back what the scenario file said."""
    for cls, host in saved.items():
        if host is None and "host" in cls.__dict__:
            delattr(cls, "host")
        elif host is not None:
            cls.host = host
