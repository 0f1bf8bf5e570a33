"""Entry point. Imports Locust first when a command drives load (gevent must patch before requests)."""

from __future__ import annotations

import sys

LOAD_COMMANDS = {"run", "demo", "worker"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if LOAD_COMMANDS.intersection(args[:2]):
        import locust  # noqa: F401 - must precede any import of requests/urllib3

    import click

    from slocheck.cli import app, report_error
    from slocheck.errors import EXIT_INTERRUPTED, SlocheckError

    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="slocheck", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        return EXIT_INTERRUPTED
    except click.exceptions.ClickException as exc:
        exc.show()
        return 2
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except SlocheckError as exc:
        if debug:
            raise
        report_error(exc)
        return exc.exit_code
    except Exception as exc:
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 3
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
