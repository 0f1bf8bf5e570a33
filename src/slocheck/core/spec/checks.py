"""Checks that need more than one field: unique objective names and query variables.

They run on the raw YAML data, so they report even when the schema found other problems in the same
document: a user fixes everything in one go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from slocheck.core.querytext import quote_at
from slocheck.core.spec.templating import BUILTINS, unknown_variables
from slocheck.core.spec.yamldoc import Path

# Outside a double-quoted string a value is pasted as is, so only plain tokens (names, numbers,
# durations) are allowed there: never anything that could change the query's structure.
_SAFE_BARE_VALUE = re.compile(r"^[A-Za-z0-9_:.]+$")
_VAR_RE = re.compile(r"\$\{([^}]*)\}")
# The keys of an indicator source that hold query text (prometheus/loki `query`, `count`; prometheus `rate`,
# and the `bad`/`good`/`total` selectors of a prometheus `ratio`).
QUERY_KEYS = ("query", "count", "rate")
RATIO_KEYS = ("bad", "good", "total")


def raw_variables(data: Mapping[object, object], overrides: Mapping[str, str]) -> dict[str, str]:
    spec = data.get("spec")
    raw = spec.get("vars") if isinstance(spec, dict) else None
    values = {str(k): _var_text(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return values | dict(overrides)


def _var_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _objectives(data: Mapping[object, object]) -> Iterator[tuple[int, dict[object, object]]]:
    spec = data.get("spec")
    objectives = spec.get("objectives") if isinstance(spec, dict) else None
    if isinstance(objectives, list):
        for index, objective in enumerate(objectives):
            if isinstance(objective, dict):
                yield index, objective


def duplicate_names(data: Mapping[object, object]) -> list[tuple[Path, str]]:
    seen: dict[str, int] = {}
    problems: list[tuple[Path, str]] = []
    for index, objective in _objectives(data):
        name = objective.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            message = f'duplicate objective name "{name}" (also objectives[{seen[name]}])'
            problems.append((("spec", "objectives", index, "name"), message))
        seen.setdefault(name, index)
    return problems


def _queries(data: Mapping[object, object]) -> Iterator[tuple[Path, str]]:
    for index, objective in _objectives(data):
        indicator = objective.get("indicator")
        if not isinstance(indicator, dict):
            continue
        for source, body in indicator.items():
            if isinstance(body, dict):
                base: Path = ("spec", "objectives", index, "indicator", str(source))
                for key in QUERY_KEYS:
                    if isinstance(body.get(key), str):
                        yield (*base, key), str(body[key])
                ratio = body.get("ratio")
                if isinstance(ratio, dict):
                    for key in RATIO_KEYS:
                        if isinstance(ratio.get(key), str):
                            yield (*base, "ratio", key), str(ratio[key])


def inside_double_quotes(text: str, position: int) -> bool:
    """Is `position` inside a "…" string of PromQL/LogQL (backslash escapes honoured)?"""
    return quote_at(text, position) == '"'


def variable_problems(data: Mapping[object, object], overrides: Mapping[str, str]) -> list[tuple[Path, str]]:
    variables = raw_variables(data, overrides)
    problems: list[tuple[Path, str]] = []
    for path, query in _queries(data):
        unknown = unknown_variables(query, variables)
        if unknown:
            names = ", ".join(f"${{{u}}}" for u in unknown)
            what = "unknown variable" if len(unknown) == 1 else "unknown variables"
            them = "it" if len(unknown) == 1 else "them"
            problems.append((path, f"{what} {names}; define {them} under spec.vars or pass --var NAME=VALUE"))
        for match in _VAR_RE.finditer(query):
            name = match.group(1)
            if name in BUILTINS or name not in variables or inside_double_quotes(query, match.start()):
                continue
            if not _SAFE_BARE_VALUE.match(variables[name]):
                problems.append((path, _unsafe_message(name, variables[name])))
    return problems


def _unsafe_message(name: str, value: str) -> str:
    return (
        f'${{{name}}} is used outside a double-quoted string and its value "{value}" is not a plain name, number '
        'or duration; put it inside a label matcher ("${' + name + '}") or use a plain value'
    )
