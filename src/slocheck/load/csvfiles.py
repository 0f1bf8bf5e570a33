"""The last write of Locust's CSV files, once the statistics are final.

Locust's `StatsCSVFileWriter.stats_writer` rewrites the stats/failures/exceptions files and appends a history
row every second while the run lasts; after it is stopped, `write_final` writes them once more so the files hold
the final numbers, not those of up to a second before the end.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gevent
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter

PREFIX = "locust"


class CsvFiles:
    """Locust's CSV writer for one run: `<out_dir>/locust_stats.csv`, `..._stats_history.csv` (every endpoint),
    `..._failures.csv`, `..._exceptions.csv`."""

    def __init__(self, writer: Any, greenlet: gevent.Greenlet) -> None:
        self.writer = writer
        self.greenlet = greenlet

    @classmethod
    def start(cls, environment: Any, out_dir: Path) -> CsvFiles:
        out_dir.mkdir(parents=True, exist_ok=True)
        writer = StatsCSVFileWriter(environment, PERCENTILES_TO_REPORT, str(out_dir / PREFIX), full_history=True)
        return cls(writer, gevent.spawn(writer.stats_writer))

    def finish(self) -> None:
        self.greenlet.kill(block=True)
        write_final(self.writer)


def write_final(writer: Any) -> None:
    """Rewrite the stats, failures and exceptions files, append a last history row, and close everything."""
    try:
        tables = (
            (
                writer.requests_csv_filehandle,
                writer.requests_csv_writer,
                writer.requests_csv_columns,
                writer._requests_data_rows,
            ),
            (
                writer.failures_csv_filehandle,
                writer.failures_csv_writer,
                writer.failures_columns,
                writer._failures_data_rows,
            ),
            (
                writer.exceptions_csv_filehandle,
                writer.exceptions_csv_writer,
                writer.exceptions_columns,
                writer._exceptions_data_rows,
            ),
        )
        for handle, csv_writer, columns, rows in tables:
            handle.seek(0)
            handle.truncate()
            csv_writer.writerow(columns)
            rows(csv_writer)
        if writer.stats_history_csv_filehandle.tell() == 0:
            writer.stats_history_csv_writer.writerow(writer.stats_history_csv_columns)
        writer._stats_history_data_rows(writer.stats_history_csv_writer, time.time())
    finally:
        writer.close_files()
