"""Grafana adapter: grafana-client 5.1 (niquests) for the calls, slocheck types on the way out.

Every failure leaves as a one-line `BackendUnavailable` (unreachable, timed out, 5xx/429 after the retry
budget) or `QueryError` (credentials, permissions, rejected input). The token never appears in a message.

grafana-client traps worth knowing (shared/reference/api-contracts.md §0):
- `partial_update_annotation` sends `tags: []` when no tags are given, and Grafana then erases the stored tags;
  `patch_annotation` here always sends the full tag list.
- A refused connection raises `niquests.exceptions.ConnectionError`, not a `GrafanaException`.
- `import locust` must happen before this module is imported when both are used in one process.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import niquests.exceptions
from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaException, GrafanaTimeoutError

from slocheck.backends.grafana_types import (
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
from slocheck.backends.retry import TransientError, call_with_retries
from slocheck.errors import ConfigError, QueryError
from slocheck.settings import GrafanaSettings

T = TypeVar("T")

NO_URL = "no Grafana URL configured; pass --grafana-url, set SLOCHECK_GRAFANA_URL or add backends.grafana.url"
TOKEN_HINT = "set SLOCHECK_GRAFANA_TOKEN (or backends.grafana.token) to a service-account token"


def _api_parts(url: str) -> dict[str, Any]:
    """What grafana-client's constructor wants: it rebuilds `{protocol}://{host}:{port}/{prefix}api`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    prefix = parts.path.strip("/")
    return {
        "protocol": parts.scheme,
        "host": host,
        "port": parts.port,
        "url_path_prefix": f"{prefix}/" if prefix else "",
    }


def _display_url(url: str) -> str:
    """The URL without any user:password it may carry."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=netloc).geturl()


class GrafanaBackend:
    """The thin adapter: one grafana-client call per method, bounded retries, exceptions translated."""

    name = "grafana"

    def __init__(self, settings: GrafanaSettings) -> None:
        if not settings.url:
            raise ConfigError(NO_URL)
        self.url = _display_url(settings.url)
        self._settings = settings
        self._secrets = [s.get_secret_value() for s in (settings.token, settings.password) if s is not None]
        parts = urlsplit(settings.url)
        auth: Any = None
        if settings.token is not None:
            auth = settings.token.get_secret_value()  # a str becomes a Bearer token
        elif settings.username is not None:
            auth = (settings.username, settings.password.get_secret_value() if settings.password else "")
        elif parts.username:
            auth = (parts.username, parts.password or "")
        self._insecure = settings.insecure and not settings.ca_bundle
        verify: bool | str = settings.ca_bundle or not settings.insecure
        self._api: Any = GrafanaApi(
            auth=auth,
            verify=verify,
            timeout=settings.timeout,
            organization_id=settings.org_id,
            session_pool_size=settings.concurrency,
            **_api_parts(settings.url),
        )
        for header, value in settings.headers.items():
            self._api.client.s.headers[header] = value

    def close(self) -> None:
        self._api.client.s.close()

    def __enter__(self) -> GrafanaBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- health -------------------------------------------------------------------------------------------

    def check(self) -> str:
        """GET /api/frontend/settings (what grafana-client's health check calls): proves reachability AND
        credentials, which /api/health (no auth) would not."""
        info = self._call(self._api.health.check)
        if not isinstance(info, Mapping):
            raise QueryError(NAME, f"{self.url} did not answer like Grafana (no buildInfo in /api/frontend/settings)")
        return str(info.get("version") or "unknown")

    # --- annotations --------------------------------------------------------------------------------------

    def create_annotation(self, annotation: NewAnnotation) -> int:
        body = self._call(
            lambda: self._api.annotations.add_annotation(
                dashboard_uid=annotation.dashboard_uid,
                panel_id=annotation.panel_id,
                time_from=to_ms(annotation.time),
                time_to=to_ms(annotation.time_end) if annotation.time_end is not None else None,
                tags=list(annotation.tags),
                text=annotation.text,
            )
        )
        return parse_created_id(body)

    def get_annotation(self, annotation_id: int) -> Annotation:
        # grafana-client has no method for GET /api/annotations/:id; its raw client keeps auth, TLS and errors.
        body = self._call(
            lambda: self._api.client.GET(f"/annotations/{int(annotation_id)}"), what=f"annotation {annotation_id}"
        )
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
        # Grafana ignores null text/time/timeEnd and REPLACES tags whenever they are non-null: send them all.
        self._call(
            lambda: self._api.annotations.partial_update_annotation(
                int(annotation_id),
                time_from=to_ms(time) if time is not None else None,
                time_to=to_ms(time_end) if time_end is not None else None,
                tags=list(tags),
                text=text,
            ),
            what=f"annotation {annotation_id}",
        )

    def find_annotations(
        self, tags: Sequence[str], start: datetime | None = None, end: datetime | None = None, limit: int = 100
    ) -> list[Annotation]:
        body = self._call(
            lambda: self._api.annotations.find_annotations(
                time_from=to_ms(start) if start is not None else None,
                time_to=to_ms(end) if end is not None else None,
                ann_type="annotation",
                tags=list(tags),
                limit=limit,
            )
        )
        return parse_annotations(body)

    # --- dashboards and folders ---------------------------------------------------------------------------

    def get_dashboard(self, uid: str) -> StoredDashboard | None:
        try:
            body = self._call(lambda: self._api.dashboard.get_dashboard(uid), what=f'dashboard uid "{uid}"')
        except GrafanaNotFound:
            return None
        return parse_dashboard_lookup(body)

    def save_dashboard(
        self, dashboard: Mapping[str, Any], *, folder_uid: str, overwrite: bool, message: str
    ) -> SavedDashboard:
        payload: dict[str, Any] = {"dashboard": dict(dashboard), "overwrite": overwrite, "message": message}
        if folder_uid:
            payload["folderUid"] = folder_uid
        body = self._call(lambda: self._api.dashboard.update_dashboard(payload))
        return parse_saved_dashboard(body)

    def folders(self) -> list[Folder]:
        return parse_folders(self._call(lambda: self._api.client.GET("/folders", params={"limit": 1000})))

    def create_folder(self, title: str) -> Folder:
        return parse_folder(self._call(lambda: self._api.folder.create_folder(title)))

    # --- retries and error translation --------------------------------------------------------------------

    def _call(self, call: Callable[[], T], what: str = "") -> T:
        return call_with_retries(
            lambda: self._translate(call, what), backend=NAME, budget_seconds=self._settings.retry_budget
        )

    @contextmanager
    def _quiet_if_insecure(self) -> Iterator[None]:
        """`insecure: true` is an explicit opt-out: do not warn about it on every request."""
        if not self._insecure:
            yield
            return
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
            yield

    def _translate(self, call: Callable[[], T], what: str) -> T:
        try:
            with self._quiet_if_insecure():
                return call()
        except GrafanaTimeoutError:
            raise TransientError(f"{self.url} did not answer within {self._settings.timeout:g}s") from None
        except GrafanaException as exc:
            raise self._from_status(exc.status_code, exc.response, what) from None
        except niquests.exceptions.SSLError as exc:
            raise QueryError(
                NAME, f"TLS error talking to {self.url}: {self._scrub(exc)}; set backends.grafana.ca_bundle"
            ) from None
        except (niquests.exceptions.ConnectionError, niquests.exceptions.Timeout) as exc:
            raise TransientError(f"cannot reach {self.url}: {_short(self._scrub(exc))}") from None
        except (ValueError, AttributeError, TypeError) as exc:
            # A 200 that is not Grafana's JSON (an HTML page, another service on that port): grafana-client
            # fails to decode it, or hands back a str where its own code expects a dict.
            raise QueryError(
                NAME, f"{self.url} did not answer like Grafana ({type(exc).__name__}); is this Grafana's base URL?"
            ) from None
        except niquests.exceptions.RequestException as exc:
            raise QueryError(NAME, f"request to {self.url} failed: {self._scrub(exc)}") from None

    def _from_status(self, status: int, body: Any, what: str) -> Exception:
        message = self._scrub(error_message(body))
        if status == 0 or status >= 500 or status == 429:
            return TransientError(f"{self.url} answered {status or 'an HTTP error'}: {message}")
        if status == 401:
            return QueryError(NAME, f"{self.url} refused the credentials (401 {message}); {TOKEN_HINT}")
        if status == 403:
            return QueryError(
                NAME,
                f"{self.url} denied access (403 {message}); give the service account the Editor role "
                "(annotations and dashboards need write access)",
            )
        if status == 404 and what:
            return GrafanaNotFound(NAME, f"{what} not found ({message})")
        if status == 412:
            reason = str(body.get("status") or "") if isinstance(body, Mapping) else ""
            return DashboardRejected(reason, f"412 {reason or 'precondition failed'}: {message}")
        return QueryError(NAME, f"{self.url} rejected the request ({status} {message})")

    def _scrub(self, text: object) -> str:
        """Remove any secret a library may have echoed (a URL with credentials, a header in a message)."""
        result = str(text)
        for secret in self._secrets:
            if secret:
                result = result.replace(secret, "***")
        return result


def _short(text: str) -> str:
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker
    return text[:200]
