"""The one HTTP seam under Prometheus, Loki, Jaeger and Grafana.

`HttpClient` owns, for one backend: the `requests` session (auth: bearer token, basic, extra headers; TLS: verify
or a CA bundle), an overall deadline per attempt (connect + whole response, `timeout`), bounded retries of
connection errors, timeouts, 5xx and 429 (`retry_budget`), a cap on the body read while reading (`max_body`),
same-origin redirects only, the translation of every failure into a one-line `BackendError`, and the masking of
every configured secret in those lines.

Statuses are mapped in a `requests` response hook, so a client library using the session (prometheus-api-client)
never sees a failed answer: the hook raises the typed error before the library looks at the response. A backend
words its errors through a `Dialect`; statuses an adapter handles itself (Jaeger's 404 without api_v3, Grafana's
404 and 412) are passed in `accept` and come back as a response.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3

from slocheck import __version__
from slocheck.config.settings import BackendSettings
from slocheck.core.errors import BackendError, QueryError
from slocheck.http.auth import Credentials
from slocheck.http.deadline import Deadline, DeadlineAdapter, deadline
from slocheck.http.redact import display_url, scrub, secrets_of
from slocheck.http.retry import TransientError, call_with_retries
from slocheck.http.text import one_line, short_reason, tls_message, tls_reason

T = TypeVar("T")
CHUNK = 64 * 1024
Hook = Callable[..., requests.Response]


def _plain(status: int, text: str) -> str:
    return f"HTTP {status}: {one_line(text)}"


@dataclass(frozen=True)
class Dialect:
    """How one backend words its errors.

    `describe(status, body)` turns an error answer (body already masked, not yet cut) into the backend's own words;
    `rejected(shown_url, message)` words a 4xx that is neither 401 nor 403; `error_in_ok(body)` finds an error
    inside a 2xx answer (Prometheus' `"status":"error"`), or returns None.
    """

    name: str
    like: str
    describe: Callable[[int, str], str] = _plain
    rejected: Callable[[str, str], str] = lambda url, message: message
    error_in_ok: Callable[[str], str | None] | None = None
    auth_hint: str = "check the token, or username and password"
    forbidden_hint: str = ""
    ca_hint: str = "pass --ca-bundle or --insecure"


class BodyTooLarge(QueryError):
    """The answer is larger than `max_body`; retrying cannot help."""


class HttpClient:
    """Requests against one backend through the seam; see the module docstring."""

    def __init__(self, dialect: Dialect, settings: BackendSettings, headers: Mapping[str, str] | None = None) -> None:
        if not settings.url:
            raise QueryError(dialect.name, "no URL configured")
        self.dialect = dialect
        self.name = dialect.name
        self.settings = settings
        self.url = display_url(settings.url)  # requests go without user:password: Credentials sends them
        self.secrets = secrets_of(settings)
        self._verify: bool | str = settings.ca_bundle or not settings.insecure
        self._quiet = settings.insecure and not settings.ca_bundle
        self.session = requests.Session()
        self.session.auth = Credentials(settings)
        self.session.verify = self._verify
        self.session.headers.update({"User-Agent": f"slocheck/{__version__}", **settings.headers, **(headers or {})})
        self.session.hooks["response"] = [self._hook(())]
        self.adapter = DeadlineAdapter(pool_maxsize=settings.concurrency)
        self.mount()

    def mount(self) -> None:
        """Route every request to this backend's origin through the seam's adapter (again after a library mounted
        its own)."""
        parts = urlsplit(self.url)
        for prefix in (f"{parts.scheme}://{parts.netloc}", self.url):
            self.session.mount(prefix, self.adapter)

    def close(self) -> None:
        self.session.close()

    # --- requests -----------------------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
        accept: Collection[int] = (),
    ) -> requests.Response:  # fmt: skip
        """One request (no retries: wrap it in `call`); a status in `accept` comes back instead of raising."""
        return self.session.request(
            method, f"{self.url}{path}", params=params, json=json, timeout=self.settings.timeout,
            verify=self._verify,  # explicit: REQUESTS_CA_BUNDLE must not replace ca_bundle/insecure
            hooks={"response": [self._hook(accept)]},
        )  # fmt: skip

    def get(
        self, path: str, params: Mapping[str, str], handle: Callable[[requests.Response], T],
        accept: Collection[int] = (),
    ) -> T:  # fmt: skip
        """GET `path` with retries; `handle` turns the answer (2xx, or a status in `accept`) into a value."""
        return self.call(lambda: handle(self.request("GET", path, params=params, accept=accept)))

    def call(self, attempt: Callable[[], T]) -> T:
        """Run `attempt` (any requests through this session) under the deadline, retried within the budget; every
        failure leaves as a BackendError whose message carries no secret."""
        try:
            return call_with_retries(
                lambda: self._attempt(attempt), backend=self.name, budget_seconds=self.settings.retry_budget
            )
        except BackendError as exc:
            exc.detail = self.clean(exc.detail)
            exc.args = (f"{exc.backend}: {exc.detail}",)
            raise exc from None

    def clean(self, text: object) -> str:
        return scrub(text, self.secrets)

    # --- one attempt --------------------------------------------------------------------------------------------

    def _attempt(self, attempt: Callable[[], T]) -> T:
        with self._quiet_if_insecure(), deadline(self.settings.timeout) as watch:
            try:
                return attempt()
            except (BackendError, TransientError):
                raise
            except Exception as exc:
                raise self._translate(exc, watch) from None

    def _translate(self, exc: Exception, watch: Deadline) -> Exception:
        timeout = self.settings.timeout
        if watch.expired or isinstance(exc, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
            return TransientError(f"{self.url} did not answer within {timeout:g}s")
        if isinstance(exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError):
            return QueryError(self.name, tls_message(self.url, tls_reason(self.clean(exc)), self.dialect.ca_hint))
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return TransientError(f"cannot reach {self.url}: no connection within {timeout:g}s")
        if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError):
            return TransientError(f"cannot reach {self.url}: {short_reason(self.clean(exc))}")
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return TransientError(f"{self.url} broke off its answer: {short_reason(self.clean(exc))}")
        if isinstance(exc, requests.exceptions.RequestException):
            return QueryError(self.name, f"request to {self.url} failed: {short_reason(self.clean(exc))}")
        if isinstance(exc, OSError):  # requests checks ca_bundle itself: a bare OSError for a missing file
            return QueryError(self.name, tls_message(self.url, short_reason(self.clean(exc)), self.dialect.ca_hint))
        if isinstance(exc, ValueError | KeyError | TypeError):
            reason = short_reason(self.clean(f"{type(exc).__name__}: {exc}"))
            return QueryError(self.name, f"{self.url} did not answer like {self.dialect.like} ({reason})")
        return exc

    @contextmanager
    def _quiet_if_insecure(self) -> Iterator[None]:
        """`insecure: true` is an explicit opt-out: do not warn about it on every request."""
        if not self._quiet:
            yield
            return
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            yield

    # --- the response hook --------------------------------------------------------------------------------------

    def _hook(self, accept: Collection[int]) -> Hook:
        def on_response(response: requests.Response, *args: object, **kwargs: object) -> requests.Response:
            if response.is_redirect:
                self._check_redirect(response)
            self._read_body(response)
            status = response.status_code
            if 200 <= status < 300 or response.is_redirect:
                self._check_ok(response)
                return response
            if status in accept:
                return response
            raise self._status_error(status, self.clean(response.content.decode("utf-8", "replace")))

        return on_response

    def _check_redirect(self, response: requests.Response) -> None:
        """Same-origin redirects are followed; one to another host or scheme is refused, naming both."""
        target = urlsplit(requests.compat.urljoin(response.url, response.headers.get("location", "")))
        source = urlsplit(response.url)
        if (target.scheme, target.netloc.rsplit("@", 1)[-1]) == (source.scheme, source.netloc):
            return
        response.close()
        there = f"{target.scheme}://{target.netloc.rsplit('@', 1)[-1]}"
        here = f"{source.scheme}://{source.netloc}"
        raise QueryError(self.name, f"{here} redirected to another host, {there}: slocheck follows redirects only "
                                    f"within {here}; configure the URL it redirects to")  # fmt: skip

    def _read_body(self, response: requests.Response) -> None:
        """Read the whole body now, stopping at `max_body` (the cap holds while reading, whatever the server
        claims in Content-Length); later `response.content` returns it."""
        if getattr(response, "_content_consumed", False):  # already read
            return
        cap = self.settings.max_body
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            response.close()
            raise self._too_large()
        body = bytearray()
        for chunk in response.raw.stream(CHUNK, decode_content=True):
            body += chunk
            if len(body) > cap:
                response.close()
                raise self._too_large()
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw.release_conn()

    def _too_large(self) -> BodyTooLarge:
        cap = _size(self.settings.max_body)
        return BodyTooLarge(self.name, f"{self.url} sent an answer larger than max_body ({cap}); "
                                       "narrow the query (fewer series, a coarser step) or raise max_body")  # fmt: skip

    def _check_ok(self, response: requests.Response) -> None:
        if self.dialect.error_in_ok is None or not 200 <= response.status_code < 300:
            return
        message = self.dialect.error_in_ok(self.clean(response.content.decode("utf-8", "replace")))
        if message is not None:
            raise QueryError(self.name, message)

    def _status_error(self, status: int, body: str) -> Exception:
        message = self.dialect.describe(status, body)
        if status >= 500 or status == 429:
            return TransientError(f"{self.url} answered {message}")
        if status == 401:
            return QueryError(self.name, f"{self.url} refused the credentials ({message}); {self.dialect.auth_hint}")
        if status == 403:
            hint = self.dialect.forbidden_hint or self.dialect.auth_hint
            return QueryError(self.name, f"{self.url} denied access ({message}); {hint}")
        return QueryError(self.name, self.dialect.rejected(self.url, message))


def _size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"
