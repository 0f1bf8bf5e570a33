"""Files in and out for `slocheck import openslo|sloth` and `slocheck export openslo` (the converters are pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import ValidationError

from slocheck.core.errors import InteropError
from slocheck.core.spec.loader import load_slo_files
from slocheck.core.spec.schema import SLOSetModel
from slocheck.interop.common import Conversion
from slocheck.interop.export_openslo import export_openslo
from slocheck.interop.openslo import convert_openslo
from slocheck.interop.sloth import convert_sloth

Converter = Callable[[list[object], str, set[str]], Conversion]
CONVERTERS: dict[str, Converter] = {"openslo": convert_openslo, "sloth": convert_sloth}


@dataclass(frozen=True)
class Imported:
    text: str
    conversion: Conversion


def read_documents(path: Path) -> list[object]:
    """Every YAML document of `path` (empty documents dropped), or a one-line InteropError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InteropError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InteropError(f"{path}: cannot be read ({exc}); pass a UTF-8 YAML file") from None
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise InteropError(f"{path}{where}: is not valid YAML; fix the syntax and import again") from None


def import_files(kind: str, paths: Sequence[Path]) -> Imported:
    """Converted SLO sets as one YAML text, checked against slocheck's own schema; InteropError (exit 2) when
    nothing could be imported (the notes say why)."""
    conversion = Conversion()
    taken: set[str] = set()
    for path in paths:
        conversion.extend(CONVERTERS[kind](read_documents(path), str(path), taken))
    if not conversion.documents:
        refused = [str(n) for n in conversion.notes if not n.imported] or ["no SLO documents found"]
        summary = f"nothing could be imported from {', '.join(map(str, paths))} ({len(refused)} part(s) refused)"
        raise InteropError("\n".join([*refused, summary]))
    for document in conversion.documents:
        try:
            SLOSetModel.model_validate(document)
        except ValidationError as exc:  # a converter bug, never the user's input
            raise InteropError(f"imported SLO set {document['metadata']['name']} does not validate: {exc}") from None
    return Imported(render(kind, paths, conversion), conversion)


class _Dumper(yaml.SafeDumper):
    """Multi-line queries as `|` blocks, as a person would write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(documents: list[dict[str, object]]) -> str:
    return yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True,
                         explicit_start=True)  # fmt: skip


def render(kind: str, paths: Sequence[Path], conversion: Conversion) -> str:
    header = [
        f"# Imported by `slocheck import {kind}` from {', '.join(str(p) for p in paths)}.",
        "# Each objective judges the source SLI over the run window ($__range); the SLO target is the pass bar.",
    ]
    for imported, title in ((True, "Not applicable to a run-scoped gate"), (False, "Not imported")):
        notes = [n for n in conversion.notes if n.imported is imported]
        if notes:
            header.append(f"# {title}:")
            header += [f"#   {n.file}: {n.path}: {n.message}" for n in notes]
    return "\n".join(header) + "\n" + dump(conversion.documents)


def export_files(paths: Sequence[Path], variables: dict[str, str], target: Decimal, rate_window: str) -> Imported:
    sets = load_slo_files(list(paths), variables)
    conversion = export_openslo(sets, target, rate_window)
    if not conversion.documents:
        refused = [str(n) for n in conversion.notes]
        raise InteropError("\n".join([*refused, "no objective maps to OpenSLO"]))
    return Imported(dump(conversion.documents), conversion)
