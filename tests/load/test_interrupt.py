import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.support.counting_server import CountingServer

DRIVER = Path(__file__).with_name("interrupt_driver.py")
REPO = Path(__file__).resolve().parents[2]


def wait_for_users(driver: subprocess.Popen[str], deadline: float) -> None:
    assert driver.stdout is not None
    while time.monotonic() < deadline:
        line = driver.stdout.readline()
        if not line:
            break
        if json.loads(line).get("progress", 0) >= 4:
            return
    raise AssertionError("the load never reached 4 users")


def test_sigint_stops_the_load_within_10_seconds_and_leaves_no_worker_behind(
    server: CountingServer, data_dir: Path
) -> None:
    command = [sys.executable, str(DRIVER), server.url, str(data_dir / "paced_locustfile.py")]
    driver = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for_users(driver, time.monotonic() + 30)
        workers = psutil.Process(driver.pid).children(recursive=True)
        assert len(workers) == 2
        interrupted_at = time.monotonic()
        driver.send_signal(signal.SIGINT)
        output, _ = driver.communicate(timeout=10)
        elapsed = time.monotonic() - interrupted_at
    finally:
        driver.kill()
        driver.wait()
    outcome = json.loads(output.strip().splitlines()[-1])
    assert driver.returncode == 130
    assert elapsed < 10
    assert outcome["interrupted"] is True
    assert outcome["requests"] > 0
    assert outcome["window_seconds"] > 0
    assert not [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
