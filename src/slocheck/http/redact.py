"""Keep credentials out of every message: URLs are shown without user:password, and any configured secret a
backend or library echoes back (a gateway quoting the rejected token, an exception carrying the URL) is masked."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from slocheck.config.settings import BackendSettings

MASK = "***"


def display_url(url: str) -> str:
    """The URL without any user:password it may carry."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def secrets_of(settings: BackendSettings) -> list[str]:
    """Every secret these settings hold: token, password, and a password inside the URL (raw and decoded)."""
    found = [s.get_secret_value() for s in (settings.token, settings.password) if s is not None]
    password = urlsplit(settings.url or "").password or ""
    return [s for s in {*found, password, unquote(password)} if s]


def scrub(text: object, secrets: Iterable[str]) -> str:
    result = str(text)
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: a secret may contain another
        result = result.replace(secret, MASK)
    return result
