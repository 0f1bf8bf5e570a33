"""Keep credentials out of every message: URLs are shown without user:password, and any configured secret a
backend or library echoes back (a gateway quoting the rejected token, an exception carrying the URL) is masked —
as written, and in the encoded forms it travels in (the base64 of Basic auth's `user:password`, percent- and
JSON-escaped)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit

from slocheck.config.settings import BackendSettings

MASK = "***"


def display_url(url: str) -> str:
    """The URL without any user:password it may carry."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def basic_credentials(settings: BackendSettings) -> tuple[str, str] | None:
    """Basic auth's (user, password): from `username`/`password`, else from a user:password in the URL."""
    if settings.username is not None:
        return settings.username, settings.password.get_secret_value() if settings.password else ""
    parts = urlsplit(settings.url or "")
    if parts.username:
        return unquote(parts.username), unquote(parts.password or "")
    return None


def encoded_forms(secret: str) -> set[str]:
    """`secret` as written and as it appears once encoded: base64 (standard, URL-safe, unpadded),
    percent-encoding and a JSON string."""
    raw = secret.encode()
    encoded = {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}
    encoded |= {form.rstrip("=") for form in encoded}
    encoded |= {quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return {secret, *encoded}


def secrets_of(settings: BackendSettings) -> list[str]:
    """Every secret these settings hold — token, password, a password inside the URL, and the Basic auth pair —
    in every form it may be echoed in."""
    found = [s.get_secret_value() for s in (settings.token, settings.password) if s is not None]
    password = urlsplit(settings.url or "").password or ""
    found += [password, unquote(password)]
    credentials = basic_credentials(settings)
    if credentials is not None and credentials[1]:
        found.append(f"{credentials[0]}:{credentials[1]}")
    forms: set[str] = set()
    for secret in found:
        if secret:
            forms |= encoded_forms(secret)
    return sorted(forms, key=len, reverse=True)


def scrub(text: object, secrets: Iterable[str]) -> str:
    result = str(text)
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: a secret may contain another
        if secret:
            result = result.replace(secret, MASK)
    return result
