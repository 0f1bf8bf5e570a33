"""Writing artifacts so that a crash never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from slocheck.core.errors import ConfigError


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_writable_file(path: Path, what: str) -> None:
    """Fail before any work when `path` cannot be written as a file (a directory there, or an unwritable parent)."""
    if path.is_dir():
        raise ConfigError(f"{what} {path}: is a directory; give a file name")
    ensure_writable_dir(path.parent, what)


def ensure_writable_dir(directory: Path, what: str) -> None:
    """Fail before any work when files cannot be created in `directory` (created if missing)."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{what} {directory}: cannot write there (Not a directory); choose another path")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".slocheck-probe-", delete=True)  # noqa: SIM115
        probe.write(b"ok")
        probe.flush()
        probe.close()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{what} {directory}: cannot write there ({reason}); choose another path") from None
