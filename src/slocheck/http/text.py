"""Short, one-line reasons out of what `requests`, urllib3 and OpenSSL say, and out of backend error bodies.

Callers mask secrets BEFORE cutting (see `redact.py`): a cut made first could leave the start of a secret behind.
"""

from __future__ import annotations

import re

MAX_MESSAGE = 500
_REASONS = (
    "Connection refused",
    "Name or service not known",
    "Temporary failure in name resolution",
    "No route to host",
    "Network is unreachable",
    "Connection reset by peer",
    "Read timed out",
    "timed out",
)
_TLS_RE = re.compile(r"\[[A-Z0-9_]+: [A-Z0-9_]+\] ([^(]+?)\s*\(_ssl")
PLAIN_HTTP_MARKERS = ("wrong version number", "record layer failure", "packet length too long", "http request")
PLAIN_HTTP_HINT = "this port speaks plain HTTP: use an http:// URL"


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A backend's error text as one line: whitespace runs collapsed, long bodies cut."""
    flat = " ".join(text.split())
    if not flat:
        return "(empty body)"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def short_reason(exc: BaseException | str) -> str:
    """`Connection refused` rather than urllib3's paragraph about a HTTPConnectionPool."""
    text = str(exc)
    for marker in _REASONS:
        if marker in text:
            return marker
    return one_line(text, 200)


def tls_reason(exc: BaseException | str) -> str:
    """`certificate verify failed: self-signed certificate` out of urllib3's SSLError paragraph."""
    text = str(exc)
    match = _TLS_RE.search(text)
    if match:
        return match.group(1).rstrip(".")
    for marker in ("certificate verify failed", *PLAIN_HTTP_MARKERS):
        if marker in text.lower():
            return marker
    return short_reason(text)


def tls_message(shown_url: str, reason: str, hint: str) -> str:
    """The one TLS error message: the short reason and what to do (a plain-HTTP port gets its own hint)."""
    fix = PLAIN_HTTP_HINT if any(m in reason.lower() for m in PLAIN_HTTP_MARKERS) else hint
    return f"TLS error talking to {shown_url}: {reason}; {fix}"
