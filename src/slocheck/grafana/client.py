"""Grafana adapter: Grafana's HTTP API through the HTTP seam (`slocheck.http.client`), slocheck types on the way out.

Every failure leaves as a one-line `BackendUnavailable` (unreachable, timed out, 5xx/429 after the retry
budget) or `QueryError` (credentials, permissions, rejected input). The token never appears in a message.

Grafana traps worth knowing (from its pkg/api sources):
- PATCH /api/annotations/:id REPLACES the stored tags whenever `tags` is non-null (`[]` erases them);
  `patch_annotation` here always sends the full tag list.
- The health check reads GET /api/frontend/settings, which needs the credentials (/api/health does not).
- `import locust` must happen before this module (requests, urllib3, ssl) is imported when both are used in one
  process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from slocheck.config.settings import GrafanaSettings
from slocheck.core.errors import ConfigError, QueryError
from slocheck.grafana.types import (
    NAME,
    Annotation,
    DashboardRejected,
    Folder,
    GrafanaNotFound,
    NewAnnotation,
    SavedDashboard,
    StoredDashboard,
    error_message,
    parse_annotation,
    parse_annotations,
    parse_created_id,
    parse_dashboard_lookup,
    parse_folder,
    parse_folders,
    parse_saved_dashboard,
    to_ms,
)
from slocheck.http.client import Dialect, HttpClient

NO_URL = "no Grafana URL configured; pass --grafana-url, set SLOCHECK_GRAFANA_URL or add backends.grafana.url"
TOKEN_HINT = "set SLOCHECK_GRAFANA_TOKEN (or backends.grafana.token) to a service-account token"
EDITOR_HINT = "give the service account the Editor role (annotations and dashboards need write access)"
TLS_HINT = "set backends.grafana.ca_bundle"


def describe_error(status: int, text: str) -> str:
    """`401 Invalid API key`; `502: <html>…` for an answer worth retrying."""
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    separator = ": " if status >= 500 or status == 429 else " "
    return f"{status}{separator}{error_message(body)}"


DIALECT = Dialect(
    NAME, "Grafana", describe=describe_error, rejected=lambda url, message: f"{url} rejected the request ({message})",
    auth_hint=TOKEN_HINT, forbidden_hint=EDITOR_HINT, ca_hint=TLS_HINT,
)  # fmt: skip


class GrafanaBackend:
    """The thin adapter: one HTTP request per method, bounded retries, failures translated."""

    name = "grafana"

    def __init__(self, settings: GrafanaSettings) -> None:
        if not settings.url:
            raise ConfigError(NO_URL)
        headers = {"Accept": "application/json"}
        if settings.org_id is not None:
            headers["X-Grafana-Org-Id"] = str(settings.org_id)
        self._http = HttpClient(DIALECT, settings, {**headers, **settings.headers})
        self.url = self._http.url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GrafanaBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- health -------------------------------------------------------------------------------------------

    def check(self) -> str:
        """GET /api/frontend/settings: proves reachability AND credentials, which /api/health (no auth) would not."""
        body = self._call("GET", "/frontend/settings")
        info = body.get("buildInfo") if isinstance(body, Mapping) else None
        if not isinstance(info, Mapping):
            raise QueryError(NAME, f"{self.url} did not answer like Grafana (no buildInfo in /api/frontend/settings)")
        return str(info.get("version") or "unknown")

    # --- annotations --------------------------------------------------------------------------------------

    def create_annotation(self, annotation: NewAnnotation) -> int:
        payload: dict[str, Any] = {
            "time": to_ms(annotation.time),
            "tags": list(annotation.tags),
            "text": annotation.text,
        }
        if annotation.time_end is not None:
            payload["timeEnd"] = to_ms(annotation.time_end)
        if annotation.dashboard_uid:
            payload["dashboardUID"] = annotation.dashboard_uid
        if annotation.panel_id is not None:
            payload["panelId"] = annotation.panel_id
        return parse_created_id(self._call("POST", "/annotations", body=payload))

    def get_annotation(self, annotation_id: int) -> Annotation:
        body = self._call("GET", f"/annotations/{int(annotation_id)}", what=f"annotation {annotation_id}")
        return parse_annotation(body)

    def patch_annotation(
        self,
        annotation_id: int,
        *,
        tags: Sequence[str],
        text: str | None = None,
        time: datetime | None = None,
        time_end: datetime | None = None,
    ) -> None:
        # Grafana ignores a missing text/time/timeEnd and REPLACES the tags whenever they are sent: send them all.
        payload: dict[str, Any] = {"tags": list(tags)}
        if text is not None:
            payload["text"] = text
        if time is not None:
            payload["time"] = to_ms(time)
        if time_end is not None:
            payload["timeEnd"] = to_ms(time_end)
        self._call("PATCH", f"/annotations/{int(annotation_id)}", body=payload, what=f"annotation {annotation_id}")

    def find_annotations(
        self, tags: Sequence[str], start: datetime | None = None, end: datetime | None = None, limit: int = 100
    ) -> list[Annotation]:
        params: dict[str, Any] = {"type": "annotation", "tags": list(tags), "limit": limit}  # tags are ANDed
        if start is not None:
            params["from"] = to_ms(start)
        if end is not None:
            params["to"] = to_ms(end)
        return parse_annotations(self._call("GET", "/annotations", params=params))

    # --- dashboards and folders ---------------------------------------------------------------------------

    def get_dashboard(self, uid: str) -> StoredDashboard | None:
        try:
            body = self._call("GET", f"/dashboards/uid/{quote(uid, safe='')}", what=f'dashboard uid "{uid}"')
        except GrafanaNotFound:
            return None
        return parse_dashboard_lookup(body)

    def save_dashboard(
        self, dashboard: Mapping[str, Any], *, folder_uid: str, overwrite: bool, message: str
    ) -> SavedDashboard:
        payload: dict[str, Any] = {"dashboard": dict(dashboard), "overwrite": overwrite, "message": message}
        if folder_uid:
            payload["folderUid"] = folder_uid
        return parse_saved_dashboard(self._call("POST", "/dashboards/db", body=payload))

    def folders(self) -> list[Folder]:
        return parse_folders(self._call("GET", "/folders", params={"limit": 1000}))

    def create_folder(self, title: str) -> Folder:
        return parse_folder(self._call("POST", "/folders", body={"title": title}))

    # --- requests, retries and error translation ----------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        what: str = "",
    ) -> Any:
        """One API call (`path` below /api), retried within the budget; Grafana's decoded JSON answer."""

        def attempt() -> Any:
            accept = (404, 412) if what else (412,)  # the statuses a caller acts on; the seam maps the rest
            response = self._http.request(method, f"/api{path}", params=params, json=body, accept=accept)
            return self._answer(response, what)

        return self._http.call(attempt)

    def _answer(self, response: requests.Response, what: str) -> Any:
        try:
            answer = response.json() if response.content else None
        except ValueError as exc:
            if response.status_code >= 400:  # a proxy's or load balancer's page: its text is the message
                raise self._from_status(response.status_code, response.text, what) from None
            # A 200 that is not Grafana's JSON (an HTML page, another service on that port).
            raise QueryError(
                NAME, f"{self.url} did not answer like Grafana ({type(exc).__name__}); is this Grafana's base URL?"
            ) from None
        if response.status_code >= 400:
            raise self._from_status(response.status_code, answer, what)
        return answer

    def _from_status(self, status: int, body: Any, what: str) -> Exception:
        """The statuses Grafana's callers act on: 404 for a named thing, 412 for a dashboard save."""
        message = self._http.clean(error_message(body))
        if status == 404:
            return GrafanaNotFound(NAME, f"{what} not found ({message})")
        reason = str(body.get("status") or "") if isinstance(body, Mapping) else ""
        return DashboardRejected(reason, f"412 {reason or 'precondition failed'}: {message}")
