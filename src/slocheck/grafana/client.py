"""Grafana adapter: Grafana's HTTP API through `requests`, slocheck types on the way out.

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

import base64
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

from slocheck import __version__
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
from slocheck.http.retry import TransientError, call_with_retries

NO_URL = "no Grafana URL configured; pass --grafana-url, set SLOCHECK_GRAFANA_URL or add backends.grafana.url"
TOKEN_HINT = "set SLOCHECK_GRAFANA_TOKEN (or backends.grafana.token) to a service-account token"
TLS_HINT = "set backends.grafana.ca_bundle"
PLAIN_HTTP_HINT = "this port speaks plain HTTP: use an http:// URL"
PLAIN_HTTP_MARKERS = ("wrong version number", "record layer failure", "packet length too long", "http request")


def _api_base(url: str) -> str:
    """`{scheme}://{host[:port]}{/sub/path}/api`: any user:password, query or fragment left out."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}/api"


def _display_url(url: str) -> str:
    """The URL without any user:password it may carry."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=netloc).geturl()


def _authorization(settings: GrafanaSettings) -> str | None:
    """The Authorization header: the token as Bearer, else basic auth from the settings or the URL."""
    if settings.token is not None:
        return f"Bearer {settings.token.get_secret_value()}"
    parts = urlsplit(settings.url or "")
    if settings.username is not None:
        user, password = settings.username, settings.password.get_secret_value() if settings.password else ""
    elif parts.username:
        user, password = unquote(parts.username), unquote(parts.password or "")
    else:
        return None
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class _Credentials(AuthBase):
    """Sets Authorization from slocheck's settings alone. Being a session `auth`, it also keeps requests from
    sending ~/.netrc credentials instead; requests drops it on a redirect to another host."""

    def __init__(self, authorization: str | None) -> None:
        self._authorization = authorization

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._authorization:
            request.headers["Authorization"] = self._authorization
        return request


class GrafanaBackend:
    """The thin adapter: one HTTP request per method, bounded retries, failures translated."""

    name = "grafana"

    def __init__(self, settings: GrafanaSettings) -> None:
        if not settings.url:
            raise ConfigError(NO_URL)
        self.url = _display_url(settings.url)
        self._base = _api_base(settings.url)
        self._settings = settings
        parts = urlsplit(settings.url)
        secrets = [s.get_secret_value() for s in (settings.token, settings.password) if s is not None]
        self._secrets = [*secrets, parts.password or "", unquote(parts.password or "")]
        self._insecure = settings.insecure and not settings.ca_bundle
        # Passed with every request: a session's `verify` loses to REQUESTS_CA_BUNDLE in the environment.
        self._verify: bool | str = settings.ca_bundle or not settings.insecure
        self._session = requests.Session()
        self._session.auth = _Credentials(_authorization(settings))
        self._session.headers.update({"Accept": "application/json", "User-Agent": f"slocheck/{__version__}"})
        if settings.org_id is not None:
            self._session.headers["X-Grafana-Org-Id"] = str(settings.org_id)
        self._session.headers.update(settings.headers)
        adapter = HTTPAdapter(pool_maxsize=settings.concurrency)  # no urllib3 retries: call_with_retries owns them
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

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
        return call_with_retries(
            lambda: self._attempt(method, path, params, body, what),
            backend=NAME,
            budget_seconds=self._settings.retry_budget,
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

    def _attempt(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, what: str) -> Any:
        try:
            with self._quiet_if_insecure():
                response = self._session.request(
                    method,
                    f"{self._base}{path}",
                    params=params,
                    json=body,
                    timeout=self._settings.timeout,
                    verify=self._verify,
                )
        except requests.exceptions.SSLError as exc:
            reason = _tls_reason(self._scrub(exc))
            hint = PLAIN_HTTP_HINT if any(m in reason for m in PLAIN_HTTP_MARKERS) else TLS_HINT
            raise QueryError(NAME, f"TLS error talking to {self.url}: {reason}; {hint}") from None
        except requests.exceptions.Timeout:
            raise TransientError(f"{self.url} did not answer within {self._settings.timeout:g}s") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(f"cannot reach {self.url}: {_short(self._scrub(exc))}") from None
        except requests.exceptions.RequestException as exc:
            raise QueryError(NAME, f"request to {self.url} failed: {_short(self._scrub(exc))}") from None
        except OSError as exc:  # requests checks `ca_bundle` itself: a bare OSError for a path that does not exist
            raise QueryError(NAME, f"TLS error talking to {self.url}: {_short(str(exc))}; {TLS_HINT}") from None
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
        message = self._scrub(error_message(body))
        if status >= 500 or status == 429:
            return TransientError(f"{self.url} answered {status}: {message}")
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
    """`Connection refused` rather than urllib3's paragraph about a HTTPConnectionPool."""
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker
    return " ".join(text.split())[:200]


def _tls_reason(text: str) -> str:
    """`certificate verify failed: self-signed certificate` out of urllib3's SSLError paragraph."""
    match = re.search(r"\[[A-Z0-9]+: [A-Z0-9_]+\] ([^(]+?)\s*\(_ssl", text)
    return match.group(1).rstrip(".") if match else _short(text)
