"""What slocheck asks of Grafana, in slocheck's own types, and the pure parsers of Grafana's answers.

Dashboards stay JSON documents (they are the user's files); everything else is a frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from slocheck.core.errors import QueryError

NAME = "Grafana"
GENERAL_FOLDER = ""  # the uid Grafana reports for the root ("General") folder

JsonObject = dict[str, Any]


def to_ms(moment: datetime) -> int:
    """Grafana's epoch milliseconds."""
    return round(moment.timestamp() * 1000)


def from_ms(value: int | float) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


@dataclass(frozen=True)
class Annotation:
    """One stored annotation; a point annotation has `time_end == time`."""

    id: int
    time: datetime
    time_end: datetime
    text: str
    tags: tuple[str, ...]
    dashboard_uid: str | None = None
    panel_id: int | None = None


@dataclass(frozen=True)
class NewAnnotation:
    """An annotation to create: org-wide unless `dashboard_uid` (and `panel_id`) say otherwise."""

    time: datetime
    text: str
    tags: tuple[str, ...]
    time_end: datetime | None = None
    dashboard_uid: str | None = None
    panel_id: int | None = None


@dataclass(frozen=True)
class StoredDashboard:
    """A dashboard as Grafana holds it: the JSON model plus where it lives."""

    dashboard: JsonObject
    version: int
    folder_uid: str
    folder_title: str
    url: str
    provisioned: bool = False


@dataclass(frozen=True)
class SavedDashboard:
    uid: str
    version: int
    url: str


@dataclass(frozen=True)
class Folder:
    uid: str
    title: str


class GrafanaNotFound(QueryError):
    """Grafana answered 404 for a thing slocheck named (annotation id, dashboard uid)."""


class DashboardRejected(QueryError):
    """Grafana refused to save a dashboard with 412; `status` is Grafana's reason
    (`version-mismatch`, `name-exists`, `plugin-dashboard`)."""

    def __init__(self, status: str, detail: str) -> None:
        self.status = status
        super().__init__(NAME, detail)


class GrafanaAPI(Protocol):
    """What slocheck needs from Grafana. Implemented by `slocheck.grafana.client.GrafanaBackend`."""

    url: str

    def check(self) -> str:
        """Reach Grafana with the configured credentials; returns its version."""
        ...

    def create_annotation(self, annotation: NewAnnotation) -> int: ...

    def get_annotation(self, annotation_id: int) -> Annotation: ...

    def patch_annotation(
        self,
        annotation_id: int,
        *,
        tags: Sequence[str],
        text: str | None = None,
        time: datetime | None = None,
        time_end: datetime | None = None,
    ) -> None:
        """PATCH one annotation. `tags` is required: Grafana replaces the stored tags with whatever is sent."""
        ...

    def find_annotations(
        self, tags: Sequence[str], start: datetime | None = None, end: datetime | None = None, limit: int = 100
    ) -> list[Annotation]: ...

    def get_dashboard(self, uid: str) -> StoredDashboard | None: ...

    def save_dashboard(
        self, dashboard: Mapping[str, Any], *, folder_uid: str, overwrite: bool, message: str
    ) -> SavedDashboard: ...

    def folders(self) -> list[Folder]: ...

    def create_folder(self, title: str) -> Folder: ...

    def close(self) -> None: ...


# --- pure parsers of Grafana's JSON answers -------------------------------------------------------------------


def _mapping(body: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise QueryError(NAME, f"unexpected answer to {what} ({type(body).__name__}); is the URL a Grafana server?")
    return body


def parse_annotation(item: Any) -> Annotation:
    """An item of GET /api/annotations (or GET /api/annotations/:id); Grafana omits zero-valued fields."""
    body = _mapping(item, "an annotation lookup")
    try:
        time_ms = int(body.get("time") or 0)
        return Annotation(
            id=int(body["id"]),
            time=from_ms(time_ms),
            time_end=from_ms(int(body.get("timeEnd") or time_ms)),
            text=str(body.get("text") or ""),
            tags=tuple(str(tag) for tag in body.get("tags") or ()),
            dashboard_uid=str(body["dashboardUID"]) if body.get("dashboardUID") else None,
            panel_id=int(body["panelId"]) if body.get("panelId") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise QueryError(NAME, f"unexpected annotation in Grafana's answer ({exc})") from None


def parse_annotations(body: Any) -> list[Annotation]:
    if not isinstance(body, list):
        raise QueryError(NAME, f"unexpected answer to an annotation search ({type(body).__name__})")
    return [parse_annotation(item) for item in body]


def parse_created_id(body: Any) -> int:
    """`{"message":"Annotation added","id":17}`."""
    created = _mapping(body, "creating an annotation")
    if not isinstance(created.get("id"), int):
        raise QueryError(NAME, f"Grafana did not return the new annotation's id ({dict(created)})")
    return int(created["id"])


def parse_dashboard_lookup(body: Any) -> StoredDashboard:
    """GET /api/dashboards/uid/:uid → `{"dashboard": {...}, "meta": {...}}`."""
    envelope = _mapping(body, "a dashboard lookup")
    dashboard = envelope.get("dashboard")
    meta = envelope.get("meta") or {}
    if not isinstance(dashboard, Mapping) or not isinstance(meta, Mapping):
        raise QueryError(NAME, "unexpected answer to a dashboard lookup (no dashboard in it)")
    return StoredDashboard(
        dashboard=dict(dashboard),
        version=int(dashboard.get("version") or meta.get("version") or 0),
        folder_uid=str(meta.get("folderUid") or GENERAL_FOLDER),
        folder_title=str(meta.get("folderTitle") or "General"),
        url=str(meta.get("url") or ""),
        provisioned=bool(meta.get("provisioned")),
    )


def parse_saved_dashboard(body: Any) -> SavedDashboard:
    """POST /api/dashboards/db → `{"id":5,"uid":"slo","url":"/d/slo/slo","status":"success","version":4,…}`."""
    saved = _mapping(body, "saving a dashboard")
    try:
        return SavedDashboard(uid=str(saved["uid"]), version=int(saved["version"]), url=str(saved.get("url") or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise QueryError(NAME, f"unexpected answer to saving a dashboard (missing {exc})") from None


def parse_folders(body: Any) -> list[Folder]:
    if not isinstance(body, list):
        raise QueryError(NAME, f"unexpected answer to listing folders ({type(body).__name__})")
    return [Folder(str(item["uid"]), str(item["title"])) for item in body if isinstance(item, Mapping)]


def parse_folder(body: Any) -> Folder:
    folder = _mapping(body, "creating a folder")
    return Folder(str(folder.get("uid", "")), str(folder.get("title", "")))


def error_message(body: Any) -> str:
    """Grafana's own message from an error body (`{"message": …}`), or the start of a non-JSON body (a proxy's
    HTML page), as one line."""
    if isinstance(body, Mapping):
        message = " ".join(str(body.get("message") or body.get("error") or "").split())
        return message or "(no message)"
    text = " ".join(str(body or "").split())
    return text[:200] or "(empty body)"
