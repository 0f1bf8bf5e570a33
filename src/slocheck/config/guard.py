"""The production guard: load is never sent to a protected host by accident.

`protected_hosts` (slocheck.yaml, default `["*prod*"]`) holds glob patterns matched, case-insensitively, against
the target's host name; a match refuses the run unless `--allow-production` says it is intended.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from urllib.parse import urlsplit

from slocheck.core.errors import ConfigError

DEFAULT_PROTECTED_HOSTS = ("*prod*",)


def matching_pattern(host_url: str, patterns: Sequence[str]) -> str | None:
    host = (urlsplit(host_url).hostname or host_url).lower()
    return next((p for p in patterns if fnmatch.fnmatch(host, p.lower())), None)


def check_target(host_url: str, patterns: Sequence[str], *, allow_production: bool) -> None:
    pattern = matching_pattern(host_url, patterns)
    if pattern is not None and not allow_production:
        raise ConfigError(
            f"refusing to send load to {_without_userinfo(host_url)}: "
            f'its host matches the protected_hosts pattern "{pattern}"; '
            "pass --allow-production if this is intended, or change protected_hosts in slocheck.yaml"
        )


def _without_userinfo(url: str) -> str:
    """The target as it may be shown: without a user:password (http/redact.py's display_url, one layer up)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()
