"""The run directory `.slocheck/runs/<run-id>/`: run.json, copies of the SLO files, Locust CSVs, result.json.

run.json is rewritten (atomically) at every phase change, so whatever happens next, the directory
always says how far the run got and which window it covered.
"""

from __future__ import annotations

import json
import platform
import secrets
import shutil
import socket
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from slocheck import __version__
from slocheck.app.files import write_atomic
from slocheck.core.errors import ConfigError
from slocheck.report.html_inputs import RESULT_FILE

RUN_SCHEMA = "slocheck.run/v1"


def new_run_id(now: datetime) -> str:
    """Sortable and unique enough across concurrent pipelines: `20261123-101500-a1b2`."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"slocheck": __version__, "python": platform.python_version()}
    for package in ("locust", "prometheus-api-client"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


class RunDirectory:
    def __init__(self, root: Path, run_id: str) -> None:
        self.run_id = run_id
        self.path = root / run_id
        self.record: dict[str, Any] = {
            "schema": RUN_SCHEMA,
            "id": run_id,
            "status": "preflight",
            "interrupted": False,
            "host_name": socket.gethostname(),
            "versions": versions(),
        }

    def create(self, slo_files: Sequence[Path]) -> None:
        (self.path / "slo").mkdir(parents=True, exist_ok=False)
        copies = []
        for index, source in enumerate(slo_files):
            target = self.path / "slo" / f"{index:02d}-{source.name}"
            shutil.copyfile(source, target)
            copies.append({"source": str(source), "copy": str(target.relative_to(self.path))})
        self.record["slo_files"] = copies
        self.save()

    def update(self, **fields: Any) -> None:
        self.record.update(fields)
        self.save()

    def save(self) -> None:
        write_atomic(self.path / "run.json", json.dumps(self.record, indent=2, default=str) + "\n")

    def write_text(self, name: str, text: str) -> Path:
        target = self.path / name
        write_atomic(target, text)
        return target

    def window_fields(self, start: datetime, end: datetime) -> Mapping[str, str]:
        return {"window_start": start.isoformat(), "window_end": end.isoformat()}


def read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def read_result(run_dir: Path) -> dict[str, Any]:
    """result.json of a run directory, or a ConfigError (exit 2) saying what is missing."""
    path = run_dir / RESULT_FILE
    if not path.is_file():
        raise ConfigError(f"{run_dir}: no {RESULT_FILE} here; pass a run directory (e.g. .slocheck/runs/<id>)")
    try:
        document = read_json(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None
    if document is None or "objectives" not in document:
        raise ConfigError(f"{path}: not a slocheck result document (no objectives)")
    return document
