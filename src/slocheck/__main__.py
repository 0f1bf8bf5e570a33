"""Entry point. Imports Locust first when a command drives load (gevent must patch before requests)."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

LOAD_COMMANDS = {"run", "demo", "worker", "capacity"}
# Commands that read stored client histograms (slocheck.load, hence Locust) — with --baseline for these two.
HISTORY_COMMANDS = {"compare", "runs"}
BASELINE_COMMANDS = {"evaluate", "report"}


def _imports_locust(args: list[str]) -> bool:
    first = set(args[:2])
    if LOAD_COMMANDS.intersection(first) or HISTORY_COMMANDS.intersection(first):
        return True
    return bool(BASELINE_COMMANDS.intersection(first)) and any(a.split("=")[0] == "--baseline" for a in args)


def _terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt in the main greenlet. Under gevent the handler may run in the hub (while the main
    greenlet waits); raising there would print a traceback, so the interrupt is thrown into the main greenlet."""
    import gevent

    main = _MAIN_GREENLET[0] if _MAIN_GREENLET else None
    if main is not None and gevent.getcurrent() is not main:
        gevent.get_hub().loop.run_callback(main.throw, KeyboardInterrupt(f"signal {signum}"))
        return
    raise KeyboardInterrupt(f"signal {signum}")


_MAIN_GREENLET: list[Any] = []  # the main greenlet, captured when Locust (gevent) is imported


def _handle_sigterm_like_ctrl_c() -> None:
    """SIGTERM (CI cancelling a job, Kubernetes stopping a pod) is handled exactly like Ctrl-C in every phase;
    the load itself installs its own handlers while it runs and restores this one afterwards."""
    import gevent

    _MAIN_GREENLET.append(gevent.getcurrent())
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if _imports_locust(args):
        import locust  # noqa: F401 - must precede any import of requests/urllib3

        _handle_sigterm_like_ctrl_c()

    from typer import Abort, Exit
    from typer._click.exceptions import ClickException  # typer ≥ 0.20 vendors click: its own exception classes

    from slocheck.cli.main import app, report_error
    from slocheck.core.errors import EXIT_INTERRUPTED, EXIT_INVALID, SlocheckError

    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="slocheck", standalone_mode=False)
    except Exit as exc:
        return int(exc.exit_code)
    except Abort:
        return EXIT_INTERRUPTED
    except ClickException as exc:
        exc.show()
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except SlocheckError as exc:
        if debug:
            raise
        report_error(exc, next((a for a in args if not a.startswith("-")), ""))
        return exc.exit_code
    except Exception as exc:
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 3
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
