"""slocheck_demo.processes.start_on_a_free_port: a port taken between choosing and binding is chosen again."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from slocheck_demo.processes import ManagedProcess, StackError, start_on_a_free_port

# Binds the port, or says what asyncio says when it cannot; then serves until stopped.
SERVER = (
    "import socket, sys, time\n"
    "s = socket.socket()\n"
    "try:\n"
    "    s.bind(('127.0.0.1', int(sys.argv[1])))\n"
    "except OSError:\n"
    '    sys.exit("OSError: [Errno 98] error while attempting to bind: address already in use")\n'
    "s.listen()\n"
    "time.sleep(60)\n"
)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_port_taken_before_the_server_binds_it_is_chosen_again(tmp_path: Path) -> None:
    taken: list[socket.socket] = []

    def server_on(port: int) -> ManagedProcess:
        if not taken:  # another process gets the first port between choosing and binding
            thief = socket.socket()
            thief.bind(("127.0.0.1", port))
            taken.append(thief)
        return ManagedProcess("server", [sys.executable, "-c", SERVER, str(port)], tmp_path / "server.log")

    process, port = start_on_a_free_port(server_on, listening, timeout=10)
    try:
        assert port != taken[0].getsockname()[1]
        assert listening(port)
    finally:
        process.stop()
        taken[0].close()


def test_a_server_that_fails_for_another_reason_is_not_retried(tmp_path: Path) -> None:
    built: list[int] = []

    def failing(port: int) -> ManagedProcess:
        built.append(port)
        return ManagedProcess("server", [sys.executable, "-c", "raise SystemExit('no config')"], tmp_path / "s.log")

    with pytest.raises(StackError, match="server exited with code 1"):
        start_on_a_free_port(failing, listening, timeout=10)
    assert len(built) == 1
