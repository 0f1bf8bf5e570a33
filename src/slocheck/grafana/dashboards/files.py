"""Dashboard JSON files: a bare dashboard or Grafana's `{"dashboard": {...}}` export envelope.

Legacy content (`graph` panels, `rows`, old schemaVersions) is uploaded as it is: Grafana migrates it when
the dashboard is opened. Only what provisioning depends on is checked: a JSON object and a title. Idempotence
is by uid: a dashboard without one (as Grafana exports some) gets a stable uid derived from its title, so
provisioning it again updates the same dashboard.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slocheck.core.errors import Problem, SpecError

MAX_UID_LENGTH = 40
MAX_FILE_BYTES = 32 * 1024 * 1024
# Fields Grafana sets itself on every save: never part of "did this dashboard change?".
VOLATILE_FIELDS = ("id", "version")


_UID_BAD_CHARS = re.compile(r"[^a-z0-9_-]+")


def uid_from_title(title: str) -> str:
    """A stable uid for a dashboard without one: the title as a slug plus a short hash of the exact title
    (two titles that slug alike still differ), at most MAX_UID_LENGTH characters."""
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    stem = _UID_BAD_CHARS.sub("-", title.casefold()).strip("-")[: MAX_UID_LENGTH - len(digest) - 1].rstrip("-")
    return f"{stem}-{digest}" if stem else digest


@dataclass(frozen=True)
class DashboardFile:
    path: Path
    dashboard: dict[str, Any]
    derived_uid: bool = False  # the file had no uid; this one comes from the title

    @property
    def uid(self) -> str:
        return str(self.dashboard["uid"])

    @property
    def title(self) -> str:
        return str(self.dashboard["title"])


def comparable(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """The dashboard without the fields Grafana rewrites on save."""
    return {key: value for key, value in dashboard.items() if key not in VOLATILE_FIELDS}


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a directory stands for the `*.json` files in it (sorted)."""
    expanded: list[Path] = []
    for path in paths:
        expanded.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return expanded


def load_dashboard_files(paths: Iterable[Path]) -> list[DashboardFile]:
    """Every file parsed and checked; a SpecError lists the problems of all of them."""
    loaded: list[DashboardFile] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in paths:
        dashboard, problem = _load(path)
        if problem is not None:
            problems.append(problem)
            continue
        assert dashboard is not None
        derived = "uid" not in dashboard or dashboard["uid"] in (None, "")
        if derived:
            dashboard["uid"] = uid_from_title(str(dashboard["title"]))
        uid = str(dashboard["uid"])
        if uid in seen:
            origin = " (derived from its title; give one file its own uid)" if derived else ""
            problems.append(
                _problem(path, f'uid "{uid}"{origin} is also used by {seen[uid]}; every dashboard needs its own')
            )
            continue
        seen[uid] = path
        loaded.append(DashboardFile(path, dashboard, derived))
    if problems:
        raise SpecError(problems)
    return loaded


def _problem(path: Path, message: str, line: int | None = None, column: int | None = None) -> Problem:
    return Problem(str(path), line, column, "", message)


def _load(path: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, _problem(path, "is larger than 32 MiB; is it a dashboard?")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, _problem(path, "no such file")
    except UnicodeDecodeError:
        return None, _problem(path, "is not UTF-8 text; save the dashboard JSON as UTF-8")
    except OSError as exc:
        return None, _problem(path, f"cannot be read: {exc.strerror or exc}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, _problem(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
    return dashboard_from_document(document, path)


def dashboard_from_document(document: Any, path: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    """The dashboard model inside a bare dashboard or an export envelope, checked."""
    if isinstance(document, dict) and isinstance(document.get("dashboard"), dict):
        document = document["dashboard"]  # {"dashboard": {...}, "meta": {...}} or a save payload
    if not isinstance(document, dict):
        return None, _problem(path, 'must be a JSON object: a dashboard, or {"dashboard": {...}}')
    if "__inputs" in document:
        return None, _problem(
            path,
            'was exported "for sharing externally" (it has __inputs placeholders such as ${DS_PROMETHEUS}); '
            "export it again without that option, or replace the placeholders",
        )
    title = document.get("title")
    if not isinstance(title, str) or not title.strip():
        return None, _problem(path, 'has no "title"; Grafana refuses a dashboard without one')
    uid = document.get("uid")
    if uid is not None and uid != "" and (not isinstance(uid, str) or not uid.strip()):
        return None, _problem(path, '"uid" must be text (≤ 40 characters), or left out to derive one from the title')
    if isinstance(uid, str) and len(uid) > MAX_UID_LENGTH:
        return None, _problem(path, f'uid "{uid}" is longer than {MAX_UID_LENGTH} characters (Grafana\'s limit)')
    for key in ("panels", "rows"):
        if key in document and not isinstance(document[key], list):
            return None, _problem(path, f'"{key}" must be a list')
    return dict(document), None
