import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import io
import math

from rich.console import Console

from slocheck.load.progress import Progress, ProgressReporter, RecentWindow, describe
from slocheck.load.stats import ClientStats

RUNNING = Progress(
    elapsed=75.0,
    planned=300.0,
    users=100,
    target_users=100,
    requests=5210,
    failures=12,
    rps=70.2,
    fail_ratio=0.0023,
    p95=0.2314,
    stage=2,
)


def test_the_log_line_has_elapsed_remaining_users_rps_failures_and_p95() -> None:
    assert describe(RUNNING) == (
        "load: elapsed 01:15, remaining 03:45, users 100/100, rps 70.2, fail 0.23 %, "
        "p95 231.4 ms, requests 5210 (12 failed), stage 2"
    )


def test_without_a_terminal_a_line_is_logged_every_interval() -> None:
    out = io.StringIO()
    reporter = ProgressReporter(Console(file=io.StringIO(), force_terminal=False), interval=10.0, stream=out)
    for second in range(25):
        reporter(Progress(float(second), 60.0, 5, 5, second * 10, 0, 10.0, 0.0, 0.01))
    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == [
        "load: elapsed 00:00",
        "load: elapsed 00:10",
        "load: elapsed 00:20",
    ]


def test_on_a_terminal_a_live_panel_shows_the_run() -> None:
    screen = io.StringIO()
    with ProgressReporter(Console(file=screen, force_terminal=True, width=100)) as reporter:
        reporter(RUNNING)
    assert "231.4 ms" in screen.getvalue()
    assert "01:15 / 03:45" in screen.getvalue()


def test_the_recent_window_covers_only_the_last_ten_seconds() -> None:
    stats = ClientStats()
    window = RecentWindow(10.0)
    for second in range(30):
        for _ in range(10 if second < 15 else 20):
            stats.record("GET", "/a", 1.0 if second < 15 else 0.1, 0, None)
        rps, fail_ratio, p95 = window.update(float(second), stats)
    assert rps == 20.0
    assert fail_ratio == 0.0
    assert math.isclose(p95, 0.1, rel_tol=0.01)
