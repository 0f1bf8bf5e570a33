"""The bundled demo service: the system under test for `slocheck demo` and the test suite.

An agent-platform API (tokens, agents, agent runs, workflows) on aiohttp, with Prometheus metrics, an
asyncpg pool on PostgreSQL (or an in-process stand-in), Redis (or a stand-in), simulated LLM calls and fault
knobs. `run_service(ServiceOptions(...))` serves until SIGTERM/SIGINT; `python -m slocheck_demo.service --help`
lists the same options on the command line.

Module map: service_options (settings, argv), service_app (routes, middlewares, lifecycle), service_handlers
(endpoints), service_db / service_cache (stores), service_llm (LLM simulation), service_metrics (metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence

from aiohttp import web
from prometheus_client import disable_created_metrics

from slocheck.core.errors import SlocheckError
from slocheck_demo.service_app import create_app
from slocheck_demo.service_options import ServiceOptions, parse_options

__all__ = ["ServiceOptions", "create_app", "main", "run_service", "serve"]

log = logging.getLogger("slocheck.demo.service")


def bound_addresses(runner: web.AppRunner) -> list[str]:
    return [f"http://{host}:{port}" for host, port, *_ in runner.addresses]


async def serve(
    options: ServiceOptions,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[list[str]], None] | None = None,
) -> None:
    """Serve until `stop` is set (or SIGTERM/SIGINT in the main thread), then close pools and connections."""
    stop = stop or asyncio.Event()
    app = create_app(options)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()  # opens the database pool and the cache; raises StackError if either is unusable
    try:
        site = web.TCPSite(runner, options.host, options.port, backlog=2048)
        await site.start()
        addresses = bound_addresses(runner)
        log.info("demo service listening on %s", ", ".join(addresses))
        if on_ready is not None:
            on_ready(addresses)
        with stop_on_signals(stop):
            await stop.wait()
        log.info("demo service shutting down")
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Turn SIGTERM/SIGINT into `stop.set()` while serving; only the main thread may install handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        yield
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    )


def run_service(options: ServiceOptions) -> None:
    """Serve the demo API in the calling thread until SIGTERM/SIGINT."""
    configure_logging(options.log_level)
    # The `*_created` series would double the exposition and no objective reads them; this process serves
    # only the demo, so switching them off process-wide touches nothing else.
    disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client
    asyncio.run(serve(options))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        run_service(options)
    except SlocheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
