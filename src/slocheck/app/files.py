"""Writing artifacts so that a crash never leaves a half-written file behind, and nothing else is damaged.

A regular file is written beside itself and renamed over (keeping its mode); a new file gets the mode the umask
allows, as any other program's would. A symlink is followed: its target is written, the link stays. A path that is
not a regular file (`/dev/null`, a FIFO, a terminal) is written in place, never replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from slocheck.core.errors import ConfigError, OutputError

NEW_FILE_MODE = 0o666  # before the umask, as open(2) callers use


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` (see the module docstring); an OSError becomes an OutputError naming the file."""
    target = Path(os.path.realpath(path))  # follows every symlink; a dangling one names the file to create
    try:
        if target.exists() and not target.is_file():
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory")
            _write_in_place(target, text)
        else:
            _write_replacing(target, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {path}: {reason}") from None


def _write_in_place(target: Path, text: str) -> None:
    """A device or a FIFO: opened for writing as it is (no truncation is possible or needed)."""
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()


def _write_replacing(target: Path, text: str) -> None:
    """Temporary file beside `target`, fsync, then rename over it, with the mode the file had (or the umask's)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else NEW_FILE_MODE & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (os.umask would, for a moment)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ensure_writable_file(path: Path, what: str) -> None:
    """Fail before any work when `path` cannot be written as a file (a directory there, or an unwritable parent)."""
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise ConfigError(f"{what} {path}: is a directory; give a file name")
    if target.exists() and not target.is_file():  # a device or FIFO is written in place: it only needs to be writable
        if not os.access(target, os.W_OK):
            raise ConfigError(f"{what} {path}: cannot write there (Permission denied); choose another path")
        return
    ensure_writable_dir(target.parent, what)


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
