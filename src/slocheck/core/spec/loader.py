"""Load SLO files: read, parse YAML with positions, validate, template, build the internal model.

Every problem in every file is collected before anything is raised, so a user fixes them in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path as FsPath

from pydantic import ValidationError

from slocheck.core.errors import Problem, SpecError
from slocheck.core.model import (
    AbortRule,
    Bar,
    Indicator,
    JaegerIndicator,
    LocustIndicator,
    LokiIndicator,
    NoDataPolicy,
    Objective,
    PrometheusIndicator,
    RangeSpec,
    SeriesReduce,
    SLOSet,
)
from slocheck.core.spec.checks import duplicate_names, raw_variables, variable_problems
from slocheck.core.spec.errors_format import display_path, document_path, message_for
from slocheck.core.spec.logql import count_query
from slocheck.core.spec.schema import (
    AbortModel,
    IndicatorModel,
    LokiModel,
    ObjectiveModel,
    RangeModel,
    SLOSetModel,
    parse_bar,
)
from slocheck.core.spec.templating import substitute_variables
from slocheck.core.spec.yamldoc import Located, Path, YamlSyntaxError, load_documents
from slocheck.core.units import parse_duration

MAX_FILE_BYTES = 16 * 1024 * 1024


def load_slo_files(paths: Sequence[str | FsPath], overrides: Mapping[str, str] | None = None) -> list[SLOSet]:
    """All SLO sets in `paths`, or a SpecError listing every problem of every file."""
    problems: list[Problem] = []
    sets: list[SLOSet] = []
    for path in paths:
        loaded, found = _load_file(str(path), overrides or {})
        sets.extend(loaded)
        problems.extend(found)
    problems.extend(_duplicate_set_names(sets))
    if problems:
        raise SpecError(problems)
    return sets


def _load_file(name: str, overrides: Mapping[str, str]) -> tuple[list[SLOSet], list[Problem]]:
    text, problem = _read_text(name)
    if problem:
        return [], [problem]
    try:
        documents = load_documents(text)
    except YamlSyntaxError as exc:
        return [], [Problem(name, exc.line, exc.column, "", str(exc))]
    if not documents:
        return [], [Problem(name, None, None, "", "has no SLOSet document (the file is empty)")]
    sets: list[SLOSet] = []
    problems: list[Problem] = []
    for located in documents:
        slo_set, found = _load_document(name, located, overrides)
        problems.extend(found)
        if slo_set is not None:
            sets.append(slo_set)
    return sets, problems


def _read_text(name: str) -> tuple[str, Problem | None]:
    path = FsPath(name)
    try:
        if path.is_dir():
            return "", Problem(name, None, None, "", "is a directory; pass the SLO files in it (e.g. slo/*.yaml)")
        if path.stat().st_size > MAX_FILE_BYTES:
            return "", Problem(
                name, None, None, "", f"is larger than {MAX_FILE_BYTES // 2**20} MiB; is it an SLO file?"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        return "", Problem(name, None, None, "", "no such file")
    except OSError as exc:
        return "", Problem(name, None, None, "", f"cannot be read: {exc.strerror or exc}")
    if b"\x00" in raw:
        return "", Problem(name, None, None, "", "is a binary file, not YAML")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", Problem(
            name, None, None, "", f"is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        )


def _problem(name: str, located: Located, path: Path, message: str, *, key: bool = False) -> Problem:
    position = located.position(path, key=key)
    line, column = position if position else (None, None)
    return Problem(name, line, column, display_path(path), message)


def _load_document(name: str, located: Located, overrides: Mapping[str, str]) -> tuple[SLOSet | None, list[Problem]]:
    problems = [_problem(name, located, path, "duplicate key", key=True) for path, _ in located.duplicates]
    if not isinstance(located.data, dict):
        return None, [*problems, _problem(name, located, (), "must be a mapping with apiVersion, kind, metadata, spec")]
    semantic = duplicate_names(located.data) + variable_problems(located.data, overrides)
    problems += [_problem(name, located, path, message) for path, message in semantic]
    try:
        document = SLOSetModel.model_validate(located.data)
    except ValidationError as exc:
        seen: set[Path] = set()
        for error in exc.errors():
            path = document_path(error["loc"])
            if path in seen:
                continue  # one message per place: union members repeat the same complaint
            seen.add(path)
            problems.append(
                _problem(name, located, path, message_for(error, SLOSetModel), key=error["type"] == "extra_forbidden")
            )
        return None, problems
    if problems:
        return None, problems
    return _build(name, document, raw_variables(located.data, overrides)), []


def _build(name: str, document: SLOSetModel, variables: Mapping[str, str]) -> SLOSet:
    spec = document.spec
    objectives = tuple(_objective(document, m, _indicator(m.indicator, variables), name) for m in spec.objectives)
    return SLOSet(document.metadata.name, spec.service, objectives, name, dict(document.metadata.labels))


def _objective(document: SLOSetModel, model: ObjectiveModel, indicator: Indicator, source: str) -> Objective:
    defaults = document.spec.defaults
    return Objective(
        slo_set=document.metadata.name,
        name=model.name,
        indicator=indicator,
        pass_bar=Bar(parse_bar(model.pass_)),
        warn_bar=Bar(parse_bar(model.warn)) if model.warn is not None else None,
        on_no_data=NoDataPolicy(model.on_no_data or defaults.on_no_data),
        blocking=defaults.blocking if model.blocking is None else model.blocking,
        description=model.description,
        service=document.spec.service,
        source=source,
        abort=_abort(model.abort),
    )


def _abort(model: AbortModel | None) -> AbortRule | None:
    if model is None:
        return None
    return AbortRule(parse_duration(model.after), parse_duration(model.every))


def _indicator(model: IndicatorModel, variables: Mapping[str, str]) -> Indicator:
    """The internal indicator; variables were checked on the raw data already."""
    if model.prometheus is not None:
        prom = model.prometheus
        reduce = SeriesReduce(prom.reduce) if prom.reduce else None
        display, used = substitute_variables(prom.query, variables), _used(prom.query, variables)
        return PrometheusIndicator(display, reduce, _range(prom.range), template=prom.query, variables=used)
    if model.loki is not None:
        return _loki(model.loki, variables)
    if model.jaeger is not None:
        jaeger = model.jaeger
        return JaegerIndicator(
            jaeger.service, jaeger.stat, jaeger.operation, jaeger.span_kind, dict(jaeger.attributes),
            jaeger.min_traces, jaeger.run_traces,
        )  # fmt: skip
    assert model.locust is not None  # the schema guarantees exactly one source
    return LocustIndicator(model.locust.stat, model.locust.request, model.locust.method, model.locust.from_)


def _loki(loki: LokiModel, variables: Mapping[str, str]) -> LokiIndicator:
    if loki.count is not None:
        template = count_query(loki.count)
        used = _used(loki.count, variables)
        return LokiIndicator(substitute_variables(template, variables), template=template, variables=used,
                             count_of=loki.count)  # fmt: skip
    assert loki.query is not None  # the schema guarantees query or count
    reduce = SeriesReduce(loki.reduce) if loki.reduce else None
    display, used = substitute_variables(loki.query, variables), _used(loki.query, variables)
    return LokiIndicator(display, reduce, _range(loki.range), template=loki.query, variables=used)


def _range(model: RangeModel | None) -> RangeSpec | None:
    if model is None:
        return None
    return RangeSpec(model.reduce, parse_duration(model.step) if model.step else None)


def _used(text: str, variables: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in variables.items() if f"${{{name}}}" in text}


def _duplicate_set_names(sets: Iterable[SLOSet]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for slo_set in sets:
        if slo_set.name in first:
            message = (
                f'duplicate SLOSet name "{slo_set.name}" (also in {first[slo_set.name]}); names must be unique per run'
            )
            problems.append(Problem(slo_set.source, None, None, "metadata.name", message))
        first.setdefault(slo_set.name, slo_set.source)
    return problems
