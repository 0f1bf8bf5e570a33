"""Load SLO files: read, parse YAML with positions, validate, template, build the internal model.

Every problem in every file is collected before anything is raised, so a user fixes them in one go.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path as FsPath

from pydantic import ValidationError

from slocheck.core.errors import ConfigError, Problem, SpecError
from slocheck.core.model import (
    AbortRule,
    Bar,
    Compare,
    CounterSpec,
    Indicator,
    JaegerIndicator,
    LocustIndicator,
    LokiIndicator,
    NoDataPolicy,
    Objective,
    PrometheusIndicator,
    RangeSpec,
    SeriesNoData,
    SeriesReduce,
    SLOSet,
)
from slocheck.core.spec.checks import duplicate_names, raw_variables, variable_problems
from slocheck.core.spec.errors_format import display_path, document_path, message_for
from slocheck.core.spec.logql import count_query
from slocheck.core.spec.schema import (
    AbortModel,
    CompareModel,
    IndicatorModel,
    LokiModel,
    ObjectiveModel,
    PrometheusModel,
    RangeModel,
    SLOSetModel,
    parse_bar,
)
from slocheck.core.spec.templating import BUILTINS, USER_VAR_RE, substitute_variables
from slocheck.core.spec.yamldoc import Located, Path, YamlSyntaxError, load_documents
from slocheck.core.units import parse_duration, parse_quantity

# 10,000 objectives take about 1.7 MB; a file this size is not an SLO file (and YAML parsing is slow).
MAX_FILE_BYTES = 4 * 1024 * 1024


class TooLarge(Exception):
    """The file has more than the cap; found while reading, so `/dev/zero` or a growing file stops at once."""


def read_bounded(path: FsPath, limit: int) -> bytes:
    """At most `limit` bytes of `path`, or TooLarge: the cap holds while reading (a device or FIFO reports size 0)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge
    return data


def load_slo_files(paths: Sequence[str | FsPath], overrides: Mapping[str, str] | None = None) -> list[SLOSet]:
    """All SLO sets in `paths`, or a SpecError listing every problem of every file."""
    problems: list[Problem] = []
    sets: list[SLOSet] = []
    names: set[str] = set()
    for path in paths:
        loaded, found, used = _load_file(str(path), overrides or {})
        sets.extend(loaded)
        problems.extend(found)
        names |= used
    problems.extend(_duplicate_set_names(sets))
    if problems:
        raise SpecError(problems)
    check_overrides_are_used(overrides or {}, names)
    return sets


def check_overrides_are_used(overrides: Mapping[str, str], names: set[str]) -> None:
    """A `--var` no file defines or uses would be ignored silently, and the default measured: refuse it."""
    for name in sorted(set(overrides) - names):
        close = difflib.get_close_matches(name, sorted(names), n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"the files use: {', '.join(sorted(names)) or 'none'}"
        shown = name.encode("unicode_escape").decode("ascii")  # one line, whatever the name holds
        raise ConfigError(f'--var {shown}: no SLO file defines or uses a variable named "{shown}"; {hint}')


def _defined_variables(located: Located) -> set[str]:
    """Every name the document's `spec.vars` define."""
    spec = located.data.get("spec") if isinstance(located.data, dict) else None
    defined = spec.get("vars") if isinstance(spec, dict) else None
    return {str(k) for k in defined} if isinstance(defined, dict) else set()


def _load_file(name: str, overrides: Mapping[str, str]) -> tuple[list[SLOSet], list[Problem], set[str]]:
    """The file's SLO sets, its problems, and the variable names it defines or uses."""
    text, problem = _read_text(name)
    if problem:
        return [], [problem], set()
    try:
        documents = load_documents(text)
    except YamlSyntaxError as exc:
        return [], [Problem(name, exc.line, exc.column, "", str(exc))], set()
    if not documents:
        return [], [Problem(name, None, None, "", "has no SLOSet document (the file is empty)")], set()
    sets: list[SLOSet] = []
    problems: list[Problem] = []
    names = {n for n in USER_VAR_RE.findall(text) if n not in BUILTINS}  # every `${name}` the file refers to
    for located in documents:
        slo_set, found = _load_document(name, located, overrides)
        problems.extend(found)
        names |= _defined_variables(located)
        if slo_set is not None:
            sets.append(slo_set)
    return sets, problems, names


def _read_text(name: str) -> tuple[str, Problem | None]:
    path = FsPath(name)
    try:
        if path.is_dir():
            return "", Problem(name, None, None, "", "is a directory; pass the SLO files in it (e.g. slo/*.yaml)")
        raw = read_bounded(path, MAX_FILE_BYTES)
    except TooLarge:
        return "", Problem(name, None, None, "", f"is larger than {MAX_FILE_BYTES // 2**20} MiB; is it an SLO file?")
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
        series_no_data=SeriesNoData(model.series_no_data) if model.series_no_data else None,
        blocking=defaults.blocking if model.blocking is None else model.blocking,
        description=model.description,
        service=document.spec.service,
        source=source,
        compare=_compare(model.compare),
        abort=_abort(model.abort),
    )


def _compare(model: CompareModel | None) -> Compare | None:
    if model is None:
        return None
    return Compare(model.test, model.direction, model.alpha, parse_quantity(model.min_effect)[0])


def _abort(model: AbortModel | None) -> AbortRule | None:
    if model is None:
        return None
    return AbortRule(parse_duration(model.after), parse_duration(model.every))


def _indicator(model: IndicatorModel, variables: Mapping[str, str]) -> Indicator:
    """The internal indicator; variables were checked on the raw data already."""
    if model.prometheus is not None:
        prom = model.prometheus
        reduce = SeriesReduce(prom.reduce) if prom.reduce else None
        if prom.query is None:
            return _counter(prom, reduce, variables)
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
    locust = model.locust
    return LocustIndicator(locust.stat, locust.request, locust.method, locust.include_failures, locust.from_)


def _counter(prom: PrometheusModel, reduce: SeriesReduce | None, variables: Mapping[str, str]) -> PrometheusIndicator:
    """`count`/`rate`/`ratio`: the display text names the form; the selectors are templates."""
    by = tuple(prom.by or ())
    if prom.ratio is not None:
        numerator = "bad" if prom.ratio.bad is not None else "good"
        selector = prom.ratio.bad or prom.ratio.good or ""
        spec = CounterSpec("ratio", selector, prom.ratio.total, numerator, by)
        shown = f"ratio: {numerator} {selector} / total {prom.ratio.total}"
    else:
        form = "count" if prom.count is not None else "rate"
        selector = prom.count or prom.rate or ""
        spec = CounterSpec(form, selector, by=by)
        shown = f"{form}: {selector}"
    if by:
        shown += f" by [{', '.join(by)}]"
    texts = selector + (spec.total or "")
    return PrometheusIndicator(substitute_variables(shown, variables), reduce, None, template=shown,
                               variables=_used(texts, variables), counter=spec)  # fmt: skip


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
