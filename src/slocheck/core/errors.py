"""The one exception tree the CLI catches.

    SlocheckError                      exit 2 unless the subclass says otherwise
    ├── SpecError                      an SLO file is invalid (carries every problem found)
    ├── ConfigError                    slocheck.yaml, env or CLI options are invalid
    ├── BackendError                   a backend could not answer; exit 3 (fail closed)
    │   ├── BackendUnavailable         unreachable, timed out, 5xx/429 after the retry budget
    │   └── QueryError                 the backend rejected the query (400/422, bad PromQL, auth)
    ├── LoadError                      the load could not be driven (scenario, workers, target)
    ├── InteropError                   an OpenSLO/Sloth file is unreadable or nothing in it maps
    └── OutputError                    an evidence file could not be written; exit 3 (the evidence is incomplete)

Every message is one line a person can act on: which file or backend, what is wrong, what to do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INVALID = 2
EXIT_INCONCLUSIVE = 3
EXIT_INTERRUPTED = 130

# Everything str.splitlines() breaks a line on: a message must stay one line whatever a file or option held.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every line break written as an escape (`\\n`, `\\x1e`), so it prints as one line."""
    return _LINE_BREAKS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SlocheckError(Exception):
    """Base of every error slocheck reports to a user."""

    exit_code: int = EXIT_INVALID


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as precisely as the parser allows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return one_line(text)


class SpecError(SlocheckError):
    """One or more SLO files are invalid; `problems` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(SlocheckError):
    """Configuration (slocheck.yaml, SLOCHECK_* env, CLI options) is invalid."""


class BackendError(SlocheckError):
    """A backend could not answer; fail closed."""

    exit_code = EXIT_INCONCLUSIVE

    def __init__(self, backend: str, message: str) -> None:
        self.backend = backend
        self.detail = message
        super().__init__(f"{backend}: {message}")


class BackendUnavailable(BackendError):
    """Unreachable, timed out, or 5xx/429 until the retry budget ran out."""


class QueryError(BackendError):
    """The backend rejected the query itself (bad syntax, execution error, auth)."""


class LoadError(SlocheckError):
    """The load could not be driven: scenario file, profile, workers."""


class InteropError(SlocheckError):
    """An SLO document in another format (OpenSLO, Sloth) could not be read or nothing in it could be imported."""


class OutputError(SlocheckError):
    """An evidence file could not be written (disk full, permission, a directory in the way). The evidence is
    incomplete, so on its own this is exit 3; after a verdict, a FAIL keeps its exit 1."""

    exit_code = EXIT_INCONCLUSIVE
