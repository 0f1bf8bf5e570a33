"""Dashboards and folders of the fake Grafana (see fake_grafana.py): POST /api/dashboards/db, GET/DELETE
/api/dashboards/uid/:uid, GET/POST /api/folders, checked in the order Grafana's dashboard service checks."""

from __future__ import annotations

import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any


class BadRequest(Exception):
    """Grafana's `web.Bind` failing: 400 bad request data."""


@dataclass
class StoredDashboardRecord:
    id: int
    uid: str
    version: int
    folder_uid: str
    model: dict[str, Any]
    plugin_id: str = ""
    provisioned: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.model.get("title", ""))


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def int_field(body: dict[str, Any], name: str) -> int:
    """Go's JSON binding into int64: null/missing → 0, a number → itself, anything else → bad request."""
    value = body.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(name)
    return int(value)


class DashboardsAndFolders:
    """Mixed into FakeGrafana; called with its lock held."""

    version: str
    dashboards: dict[str, StoredDashboardRecord]
    folders: dict[str, dict[str, Any]]
    _edit_after_read: set[str]
    _dashboard_ids: itertools.count[int]
    _folder_ids: itertools.count[int]

    def _folder_title(self, uid: str) -> str:
        return str(self.folders[uid]["title"]) if uid in self.folders else "General"

    def _dashboard_by_uid(self, method: str, uid: str) -> tuple[int, Any]:
        record = self.dashboards.get(uid)
        if record is None:
            return 404, {"message": "Dashboard not found"}
        if method == "DELETE":
            del self.dashboards[uid]
            return 200, {"title": record.title, "message": f"Dashboard {record.title} deleted", "id": record.id}
        if method != "GET":
            return 404, {"message": "Not found"}
        answer = {
            "dashboard": json.loads(json.dumps(record.model)),
            "meta": {
                "type": "db",
                "canSave": True,
                "canEdit": True,
                "slug": _slug(record.title),
                "url": f"/d/{record.uid}/{_slug(record.title)}",
                "version": record.version,
                "folderUid": record.folder_uid,
                "folderTitle": self._folder_title(record.folder_uid),
                "provisioned": record.provisioned,
            },
        }
        if uid in self._edit_after_read:  # someone else saves right after our read
            self._edit_after_read.discard(uid)
            record.model = {**record.model, "description": "edited in the UI", "version": record.version + 1}
            record.version += 1
        return 200, answer

    def _save_dashboard(self, body: Any) -> tuple[int, Any]:
        """POST /api/dashboards/db, checked in the order Grafana's dashboard service checks."""
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            raise BadRequest("dashboard")
        model = dict(body["dashboard"])
        overwrite = bool(body.get("overwrite"))
        folder_uid = str(body.get("folderUid") or "")
        refused = self._invalid_dashboard(model, folder_uid)
        if refused is not None:
            return refused
        existing, refused = self._existing_for_save(model, overwrite)
        if refused is not None:
            return refused
        refused = self._same_name(model, folder_uid, existing, overwrite)
        if refused is not None:
            return refused
        record = self._store(model, folder_uid, existing)
        slug = _slug(record.title)
        return 200, {
            "id": record.id,
            "uid": record.uid,
            "url": f"/d/{record.uid}/{slug}",
            "status": "success",
            "version": record.version,
            "slug": slug,
            "folderUid": folder_uid,
        }

    def _invalid_dashboard(self, model: dict[str, Any], folder_uid: str) -> tuple[int, Any] | None:
        title = model.get("title")
        if not isinstance(title, str) or not title.strip():
            return 400, {"message": "Dashboard title cannot be empty", "status": "empty-name"}
        if len(str(model.get("uid") or "")) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        if folder_uid and folder_uid not in self.folders:
            return 400, {"message": "folder not found"}
        return None

    def _existing_for_save(
        self, model: dict[str, Any], overwrite: bool
    ) -> tuple[StoredDashboardRecord | None, tuple[int, Any] | None]:
        """The dashboard this save replaces (by id, else by uid), or why the save is refused."""
        dashboard_id, version, uid = int_field(model, "id"), int_field(model, "version"), str(model.get("uid") or "")
        existing: StoredDashboardRecord | None = None
        if dashboard_id:
            existing = next((d for d in self.dashboards.values() if d.id == dashboard_id), None)
            if existing is None:
                return None, (404, {"message": "Dashboard not found", "status": "not-found"})
        if uid in self.dashboards:
            if existing is not None and existing.id != self.dashboards[uid].id:
                return None, (400, {"message": "A dashboard with the same uid already exists"})
            existing = self.dashboards[uid]
        if existing is None:
            return None, None
        if existing.provisioned:
            return existing, (400, {"message": "Cannot save provisioned dashboard"})
        if not overwrite and version != existing.version:
            mismatch = {"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}
            return existing, (412, mismatch)
        if existing.plugin_id and not overwrite:
            message = f"The dashboard belongs to plugin {existing.plugin_id}."
            return existing, (412, {"status": "plugin-dashboard", "message": message})
        return existing, None

    def _same_name(
        self, model: dict[str, Any], folder_uid: str, existing: StoredDashboardRecord | None, overwrite: bool
    ) -> tuple[int, Any] | None:
        """Grafana < 11 refuses a second dashboard with the same title in a folder (overwrite replaces it)."""
        if int(self.version.split(".")[0]) >= 11:
            return None
        title = str(model["title"]).lower()
        for other in list(self.dashboards.values()):
            if other is not existing and other.title.lower() == title and other.folder_uid == folder_uid:
                if not overwrite:
                    message = "A dashboard with the same name in the folder already exists"
                    return 412, {"message": message, "status": "name-exists"}
                del self.dashboards[other.uid]
        return None

    def _store(
        self, model: dict[str, Any], folder_uid: str, existing: StoredDashboardRecord | None
    ) -> StoredDashboardRecord:
        if existing is not None:
            record = existing
            record.history.append(record.model)
            record.version += 1
            record.folder_uid = folder_uid
        else:
            uid = str(model.get("uid") or secrets.token_hex(7))
            record = StoredDashboardRecord(
                id=next(self._dashboard_ids), uid=uid, version=1, folder_uid=folder_uid, model={}
            )
        model.update(id=record.id, uid=record.uid, version=record.version)
        record.model = model
        self.dashboards[record.uid] = record
        return record

    def _create_folder(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise BadRequest("folder")
        title = str(body.get("title") or "").strip()
        if not title:
            return 400, {"message": "folder title cannot be empty"}
        uid = str(body.get("uid") or secrets.token_hex(7))
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        if uid in self.folders or uid in self.dashboards:
            return 409, {"message": "a folder/dashboard with the same uid already exists"}
        folder = {
            "id": next(self._folder_ids),
            "uid": uid,
            "title": title,
            "url": f"/dashboards/f/{uid}/{_slug(title)}",
            "version": 1,
            "parentUid": body.get("parentUid") or "",
        }
        self.folders[uid] = folder
        return 200, folder
