"""The last write of Locust's CSV files, once the statistics are final.

Locust's `StatsCSVFileWriter.stats_writer` rewrites the stats/failures/exceptions files and appends a history
row every second while the run lasts; after it is stopped, `write_final` writes them once more so the files hold
the final numbers, not those of up to a second before the end.
"""

from __future__ import annotations

import time
from typing import Any


def write_final(writer: Any) -> None:
    """Rewrite the stats, failures and exceptions files, append a last history row, and close everything."""
    try:
        tables = (
            (writer.requests_csv_filehandle, writer.requests_csv_writer, writer.requests_csv_columns,
             writer._requests_data_rows),
            (writer.failures_csv_filehandle, writer.failures_csv_writer, writer.failures_columns,
             writer._failures_data_rows),
            (writer.exceptions_csv_filehandle, writer.exceptions_csv_writer, writer.exceptions_columns,
             writer._exceptions_data_rows),
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
