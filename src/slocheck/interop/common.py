"""What every converter shares: the notes it reports, names, bars and query rewriting for a run-scoped gate.

Converters are pure: plain data (parsed YAML) in, slocheck SLOSet documents (plain dicts) and notes out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

Document = dict[str, Any]

_NAME_BAD_CHARS = re.compile(r"[^A-Za-z0-9_.:-]+")
_SELECTOR = r"[A-Za-z_:][A-Za-z0-9_:]*(?:\{[^{}]*\})?"
_SELECTOR_RE = re.compile(rf"^\s*({_SELECTOR})\s*$")
_SUM_OF_SELECTOR_RE = re.compile(rf"^\s*sum\s*((?:by|without)\s*\([^()]*\)\s*)?\(\s*({_SELECTOR})\s*\)\s*$")
_SUM_NO_GROUPING_RE = re.compile(r"^\s*sum\s*\(")


@dataclass(frozen=True)
class Note:
    """One part of an input document: refused (`imported=False`, the objective was not imported) or imported
    with a part that does not apply to a gate judging one run window (`imported=True`)."""

    file: str
    path: str
    message: str
    imported: bool = False

    def __str__(self) -> str:
        verdict = "not applicable" if self.imported else "not imported"
        return f"{self.file}: {self.path}: {verdict}: {self.message}"


@dataclass
class Conversion:
    """slocheck SLOSet documents (plain dicts, ready for YAML) and every note about what did not map."""

    documents: list[Document] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def objective_count(self) -> int:
        return sum(len(d["spec"]["objectives"]) for d in self.documents)

    def extend(self, other: Conversion) -> None:
        self.documents.extend(other.documents)
        self.notes.extend(other.notes)


def slug(text: str, fallback: str = "slo") -> str:
    """A slocheck name (letters, digits, `_.:-`, starting with a letter or digit, at most 128 characters)."""
    name = _NAME_BAD_CHARS.sub("-", text.strip()).strip("-_.:").lower()
    return name[:128].rstrip("-_.:") or fallback


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name[:120]}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def percent(fraction: Decimal) -> str:
    """0.999 → "99.9%" (exact decimal arithmetic: no 99.90000000000001)."""
    text = format((fraction * 100).normalize(), "f")
    return f"{text}%"


def decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def counter_increase(query: str) -> tuple[str, bool]:
    """The increase over the run window of a counter written as an instant query; True when exact.

    `metric{...}` and `sum [by (...)] (metric{...})` are rewritten into `increase(...[$__range])` (counter resets
    handled by Prometheus); anything else becomes a subquery, whose increase can be off across counter resets.
    """
    match = _SUM_OF_SELECTOR_RE.match(query)
    if match:
        grouping = (match.group(1) or "").strip()
        return f"sum{' ' + grouping + ' ' if grouping else ''}(increase({match.group(2)}[$__range]))", True
    match = _SELECTOR_RE.match(query)
    if match:
        return f"sum(increase({match.group(1)}[$__range]))", True
    return f"sum(increase(({query.strip()})[$__range:]))", False


def gauge_total(query: str) -> str:
    """The sum over the run window of a value that goes up and down (a count per scrape, not a counter)."""
    return f"sum(sum_over_time(({query.strip()})[$__range:]))"


def zero_when_absent(query: str) -> tuple[str, bool]:
    """`(q) or vector(0)` for an ungrouped sum of bad events: no error series in the window means no errors,
    not missing data. Grouped queries are left alone (vector(0) would not match their labels)."""
    text = query.strip()
    if "vector(0)" in text or not _SUM_NO_GROUPING_RE.match(text) or not _balanced_outer_call(text):
        return text, False
    return f"({text} or vector(0))", True


def _balanced_outer_call(text: str) -> bool:
    """True when the whole text is one call `sum(...)`: its first `(` closes at the very end."""
    depth = 0
    opened = False
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
            opened = True
        elif char == ")":
            depth -= 1
            if opened and depth == 0:
                return index == len(text) - 1
    return False


def objective(name: str, query: str, bar: str, description: str) -> Document:
    document: Document = {"name": name}
    if description:
        document["description"] = description
    document["indicator"] = {"prometheus": {"query": query}}
    document["pass"] = bar
    return document


def slo_set(name: str, service: str, description: str, labels: dict[str, str], objectives: list[Document]) -> Document:
    metadata: Document = {"name": name}
    if description:
        metadata["description"] = description
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": "slocheck/v1",
        "kind": "SLOSet",
        "metadata": metadata,
        "spec": {"service": service, "objectives": objectives},
    }


def text_labels(raw: object) -> dict[str, str]:
    """Labels as text: lists (OpenSLO v1 allows them) are joined with commas; other values are written as text."""
    if not isinstance(raw, dict):
        return {}
    labels: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            labels[str(key)] = ",".join(str(v) for v in value)
        elif value is not None:
            labels[str(key)] = str(value)
    return labels


def mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[Any]:
    """A YAML list, or nothing (a mapping or a scalar where a list belongs is not iterated)."""
    return value if isinstance(value, list) else []
