"""The HTTP plumbing the Loki and Jaeger adapters share: one `requests` session with the backend's auth, TLS,
extra headers and timeout, the bounded retries, and the translation of transport failures into slocheck errors.

A response with any other status goes back to the adapter, which knows how its backend words an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from slocheck.config.settings import BackendSettings
from slocheck.core.errors import BackendError, QueryError
from slocheck.http.redact import display_url, scrub, secrets_of
from slocheck.http.retry import TransientError, call_with_retries

T = TypeVar("T")
MAX_MESSAGE = 500


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A backend's error text as one line: whitespace runs collapsed, long bodies cut."""
    flat = " ".join(text.split())
    if not flat:
        return "(empty body)"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def short_reason(exc: BaseException) -> str:
    """`Connection refused` rather than urllib3's paragraph about a HTTPConnectionPool."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Read timed out", "timed out"):
        if marker in text:
            return marker
    return one_line(text, 200)


class HttpClient:
    """GET requests against one backend; transient failures retried within `retry_budget`."""

    def __init__(
        self, name: str, settings: BackendSettings, headers: Mapping[str, str] | None = None, auth_hint: str = ""
    ) -> None:
        if not settings.url:
            raise QueryError(name, "no URL configured")
        self.name = name
        self.url = settings.url
        self.secrets = secrets_of(settings)
        self.settings = settings
        self.auth_hint = auth_hint
        self.headers = {**settings.headers, **(headers or {})}
        if settings.token is not None:
            self.headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        self.auth: tuple[str, str] | None = None
        if settings.username is not None:
            self.auth = (settings.username, settings.password.get_secret_value() if settings.password else "")
        self.session = requests.Session()
        self.session.verify = settings.ca_bundle or not settings.insecure
        if settings.insecure:
            # --insecure is an explicit choice; urllib3's per-request warning would only bury the output.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        no_retry = Retry(total=0, raise_on_status=False)  # tenacity owns retries, with a time budget
        self.session.mount(self.url, HTTPAdapter(max_retries=no_retry, pool_maxsize=settings.concurrency))

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, params: Mapping[str, str], handle: Callable[[requests.Response], T]) -> T:
        """GET `path`; `handle` turns any answer that is not a transport or auth failure into a value or error."""
        try:
            return call_with_retries(
                lambda: self._attempt(path, params, handle),
                backend=self.name,
                budget_seconds=self.settings.retry_budget,
            )
        except BackendError as exc:
            # Whatever the backend or a library echoed (a gateway quoting the rejected token, the URL with its
            # user:password), no credential leaves this client in a message.
            raise type(exc)(exc.backend, self.clean(exc.detail)) from None

    def clean(self, text: str) -> str:
        return scrub(text.replace(self.url, display_url(self.url)), self.secrets)

    def _attempt(self, path: str, params: Mapping[str, str], handle: Callable[[requests.Response], T]) -> T:
        try:
            response = self.session.get(
                f"{self.url}{path}", params=dict(params), headers=self.headers, auth=self.auth,
                timeout=self.settings.timeout,
                verify=self.session.verify,  # explicit: REQUESTS_CA_BUNDLE must not replace ca_bundle/insecure
            )  # fmt: skip
        except requests.exceptions.SSLError as exc:
            raise QueryError(self.name, f"TLS error talking to {self.url}: {short_reason(exc)}; "
                                        "set ca_bundle, or insecure: true") from None  # fmt: skip
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise TransientError(f"cannot reach {self.url}: {short_reason(exc)}") from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise TransientError(f"{self.url}{path} answered HTTP {status}: {one_line(response.text)}")
        if status in (401, 403):
            hint = f"; {self.auth_hint}" if self.auth_hint else ""
            raise QueryError(self.name, f"{self.url} refused the request (HTTP {status}: {one_line(response.text)})"
                                        f"{hint}")  # fmt: skip
        return handle(response)
