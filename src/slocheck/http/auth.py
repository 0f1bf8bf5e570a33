"""The Authorization header from slocheck's settings alone: the token as Bearer, else Basic from `username`/
`password` or a user:password in the URL.

Being the session's `auth`, it also keeps `requests` from sending ~/.netrc credentials instead; `requests` drops
the header on a redirect to another host (and the seam refuses those anyway).
"""

from __future__ import annotations

import base64

import requests
from requests.auth import AuthBase

from slocheck.config.settings import BackendSettings
from slocheck.http.redact import basic_credentials


def authorization(settings: BackendSettings) -> str | None:
    if settings.token is not None:
        return f"Bearer {settings.token.get_secret_value()}"
    credentials = basic_credentials(settings)
    if credentials is None:
        return None
    user, password = credentials
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class Credentials(AuthBase):
    def __init__(self, settings: BackendSettings) -> None:
        self._authorization = authorization(settings)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._authorization:
            request.headers["Authorization"] = self._authorization
        return request
