"""A fake Grafana: a real HTTP server on 127.0.0.1 that follows Grafana's HTTP API.

It implements what slocheck relies on, the way Grafana does it (pkg/api/annotations.go, dashboard and folder
services), including the parts that bite:

- auth: Bearer service-account token, Basic `api_key:<token>` or user:password; the exact 401 bodies;
- annotations: POST (text required, `timeEnd` 0 → `time`, reversed times swapped), GET list (from/to overlap,
  tags ANDed unless matchAny, limit, type, dashboardUID, panelId; sorted by timeEnd then time, descending;
  zero-valued fields omitted), GET/PATCH/PUT/DELETE by id. PATCH replaces the tags whenever `tags` is non-null
  (so a partial update sending `tags: []` erases them), ignores an empty text and non-positive times;
- dashboards: POST /api/dashboards/db with ids, uids and versions, 412 version-mismatch / plugin-dashboard /
  name-exists (Grafana < 11 only), 400 for empty titles, long uids, unknown folders and provisioned dashboards;
  GET/DELETE by uid;
- folders: GET list, POST (409 on a uid clash), GET by uid; /api/health and /api/frontend/settings.

Test hooks model things that happen to a real Grafana, never answers made up for a test: `fail_next` (a proxy
answering 503/429 while Grafana restarts), `edit_after_next_read` (another user saving a dashboard between our
read and our write), `add_dashboard` (a dashboard that exists already, e.g. one a plugin or file provisioning owns).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import FakeHttpServer

from .fake_grafana_dashboards import BadRequest, DashboardsAndFolders, StoredDashboardRecord, int_field

TOKEN = "glsa_fakeServiceAccountToken_0123456789abcdef_1a2b3c4d"
UNAUTHORIZED = {
    "extra": None,
    "message": "Unauthorized",
    "messageId": "auth.unauthorized",
    "statusCode": 401,
    "traceID": "",
}
INVALID_KEY = {
    "extra": None,
    "message": "Invalid API key",
    "messageId": "api-key.invalid",
    "statusCode": 401,
    "traceID": "",
}
BAD_PASSWORD = {
    "extra": None,
    "message": "Invalid username or password",
    "messageId": "password-auth.failed",
    "statusCode": 401,
    "traceID": "",
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeGrafana(FakeHttpServer, DashboardsAndFolders):
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    protocol_version = "HTTP/1.1"
    server_version = "Grafana"

    def __init__(
        self,
        *,
        token: str = TOKEN,
        users: dict[str, str] | None = None,
        version: str = "11.6.2",
        org_id: int = 1,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """`tls` is (certificate file, key file): the fake then serves HTTPS, as a Grafana behind TLS does."""
        self.token = token
        self.users = users if users is not None else {"admin": "admin-password"}
        self.version = version
        self.org_id = org_id
        self.lock = threading.Lock()
        self.annotations: dict[int, dict[str, Any]] = {}
        self.dashboards: dict[str, StoredDashboardRecord] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self._failures: deque[tuple[int, dict[str, Any]]] = deque()
        self._edit_after_read: set[str] = set()
        self._ids = itertools.count(1)
        self._dashboard_ids = itertools.count(1)
        self._folder_ids = itertools.count(1)
        super().__init__(tls=tls)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, body = self.handle(request.command, request.path, headers, self.body(request))
        self.reply(request, status, json.dumps(body), "application/json")

    # --- hooks --------------------------------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 503, message: str = "Service Unavailable") -> None:
        with self.lock:
            self._failures.extend([(status, {"message": message})] * count)

    def edit_after_next_read(self, uid: str) -> None:
        with self.lock:
            self._edit_after_read.add(uid)

    def add_dashboard(
        self, model: dict[str, Any], *, folder_uid: str = "", plugin_id: str = "", provisioned: bool = False
    ) -> StoredDashboardRecord:
        with self.lock:
            record = StoredDashboardRecord(
                id=next(self._dashboard_ids),
                uid=str(model["uid"]),
                version=1,
                folder_uid=folder_uid,
                model=dict(model),
                plugin_id=plugin_id,
                provisioned=provisioned,
            )
            record.model.update(id=record.id, uid=record.uid, version=record.version)
            self.dashboards[record.uid] = record
            return record

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in WRITE_METHODS]

    # --- auth ---------------------------------------------------------------------------------------------

    def authenticate(self, headers: dict[str, str]) -> dict[str, Any] | None:
        """None when the request may proceed, else the 401 body Grafana sends."""
        value = headers.get("authorization", "")
        if not value:
            return UNAUTHORIZED
        scheme, _, credential = value.partition(" ")
        if scheme.lower() == "bearer":
            return None if secrets.compare_digest(credential.strip(), self.token) else INVALID_KEY
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credential).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return UNAUTHORIZED
            if user == "api_key":
                return None if secrets.compare_digest(password, self.token) else INVALID_KEY
            return None if self.users.get(user) == password else BAD_PASSWORD
        return UNAUTHORIZED

    # --- routing ------------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        parts = urlsplit(target)
        path, query = parts.path.rstrip("/") or "/", parse_qs(parts.query)
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = BadRequest
        with self.lock:
            self.requests.append(Recorded(method, path, query, headers, None if body is BadRequest else body))
            if self._failures:
                return self._failures.popleft()
        if path == "/api/health" and method == "GET":
            return 200, {"commit": "e0ba4b4809", "database": "ok", "version": self.version}
        denied = self.authenticate(headers)
        if denied is not None:
            return 401, denied
        if body is BadRequest:
            return 400, {"message": "bad request data"}
        try:
            with self.lock:
                return self._route(method, path, query, body)
        except BadRequest:
            return 400, {"message": "bad request data"}

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if path == "/api/frontend/settings" and method == "GET":
            return 200, {
                "buildInfo": {
                    "version": self.version,
                    "commit": "e0ba4b4809",
                    "edition": "Open Source",
                    "env": "production",
                },
                "appSubUrl": "",
                "defaultDatasource": "Prometheus",
            }
        if path == "/api/annotations":
            if method == "POST":
                return self._create_annotation(body)
            if method == "GET":
                return self._find_annotations(query)
        match = re.fullmatch(r"/api/annotations/([^/]+)", path)
        if match:
            return self._annotation_by_id(method, match.group(1), body)
        if path == "/api/dashboards/db" and method == "POST":
            return self._save_dashboard(body)
        match = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
        if match:
            return self._dashboard_by_uid(method, match.group(1))
        if path == "/api/folders":
            if method == "GET":
                return 200, [{"id": f["id"], "uid": f["uid"], "title": f["title"]} for f in self.folders.values()]
            if method == "POST":
                return self._create_folder(body)
        match = re.fullmatch(r"/api/folders/([^/]+)", path)
        if match and method == "GET":
            folder = self.folders.get(match.group(1))
            return (200, folder) if folder else (404, {"message": "folder not found"})
        return 404, {"message": "Not found"}

    # --- annotations --------------------------------------------------------------------------------------

    @staticmethod
    def _normalise_times(item: dict[str, Any]) -> None:
        if item["timeEnd"] == 0:
            item["timeEnd"] = item["time"]
        if item["time"] > item["timeEnd"]:
            item["time"], item["timeEnd"] = item["timeEnd"], item["time"]

    @staticmethod
    def _tags(value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise BadRequest("tags")
        return [t.strip() for t in value if t.strip()]

    def _create_annotation(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise BadRequest("body")
        item = {
            "time": int_field(body, "time"),
            "timeEnd": int_field(body, "timeEnd"),
            "panelId": int_field(body, "panelId"),
            "dashboardId": int_field(body, "dashboardId"),
            "text": body.get("text") or "",
            "tags": self._tags(body.get("tags")),
        }
        uid = body.get("dashboardUID") or ""
        if uid and uid in self.dashboards:  # an unknown uid leaves an organisation-wide annotation, as Grafana does
            item["dashboardId"] = self.dashboards[uid].id
        if not isinstance(item["text"], str) or item["text"] == "":
            return 400, {"message": "Failed to save annotation"}
        if item["time"] == 0 and item["timeEnd"] == 0:
            return 400, {"message": "Failed to save annotation"}
        self._normalise_times(item)
        now = int(time.time() * 1000)
        annotation_id = next(self._ids)
        item.update(id=annotation_id, userId=1, login="sa-slocheck", created=now, updated=now, data={})
        self.annotations[annotation_id] = item
        return 200, {"message": "Annotation added", "id": annotation_id}

    def _dto(self, item: dict[str, Any]) -> dict[str, Any]:
        """The item as Grafana sends it: zero-valued fields left out, dashboardUID resolved from the id."""
        dto = {key: value for key, value in item.items() if value not in (0, "", None, [])}
        dto["data"] = item["data"]
        if item["dashboardId"]:
            dto["dashboardUID"] = next((d.uid for d in self.dashboards.values() if d.id == item["dashboardId"]), None)
        return dto

    def _find_annotations(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        def number(name: str, default: int = 0) -> int:
            try:
                return int(query.get(name, [str(default)])[0])
            except ValueError:
                return default

        items = list(self.annotations.values())
        start, end = number("from"), number("to")
        if start > 0 and end > 0:
            items = [a for a in items if a["time"] <= end and a["timeEnd"] >= start]
        if query.get("type", [""])[0] == "alert":
            items = []  # this fake holds no alert annotations
        uid = query.get("dashboardUID", [""])[0]
        if uid:
            if uid not in self.dashboards:
                return 400, {"message": "Invalid dashboard UID in annotation request"}
            items = [a for a in items if a["dashboardId"] == self.dashboards[uid].id]
        if number("panelId"):
            items = [a for a in items if a["panelId"] == number("panelId")]
        tags = query.get("tags", [])
        if tags:
            match_any = query.get("matchAny", ["false"])[0].lower() == "true"
            test = any if match_any else all
            items = [a for a in items if test(t in a["tags"] for t in tags)]
        items.sort(key=lambda a: (a["timeEnd"], a["time"]), reverse=True)
        return 200, [self._dto(a) for a in items[: number("limit", 100) or 100]]

    def _annotation_by_id(self, method: str, raw_id: str, body: Any) -> tuple[int, Any]:
        try:
            annotation_id = int(raw_id)
        except ValueError:
            return 400, {"message": "annotationId is invalid"}
        item = self.annotations.get(annotation_id)
        if item is None:
            return 404, {"message": "Annotation not found"}
        if method == "GET":
            return 200, self._dto(item)
        if method == "DELETE":
            del self.annotations[annotation_id]
            return 200, {"message": "Annotation deleted"}
        if method not in ("PATCH", "PUT") or not isinstance(body, dict):
            raise BadRequest("body")
        if method == "PUT":  # replaces every field
            item.update(
                time=int_field(body, "time"),
                timeEnd=int_field(body, "timeEnd"),
                text=body.get("text") or "",
                tags=self._tags(body.get("tags")),
            )
        else:
            if body.get("tags") is not None:  # non-null tags REPLACE the stored ones, [] included
                item["tags"] = self._tags(body["tags"])
            if body.get("text"):
                item["text"] = body["text"]
            if int_field(body, "time") > 0:
                item["time"] = int_field(body, "time")
            if int_field(body, "timeEnd") > 0:
                item["timeEnd"] = int_field(body, "timeEnd")
        self._normalise_times(item)
        item["updated"] = int(time.time() * 1000)
        return 200, {"message": "Annotation patched" if method == "PATCH" else "Annotation updated"}
