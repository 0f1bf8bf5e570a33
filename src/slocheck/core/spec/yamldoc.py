"""YAML → plain Python, remembering where every key and value came from (line, column).

PyYAML's composed node tree carries marks; we convert it ourselves so every validation error can
point at `file:line:col`, and so duplicate keys (which PyYAML silently overwrites) are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]


@dataclass
class Located:
    """One YAML document as Python data plus the position of each path (1-based)."""

    data: object
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[Path, tuple[int, int]]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int] | None:
        """The most precise known position for `path` (longest known prefix)."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and end == len(path) and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return None


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def load_documents(text: str) -> list[Located]:
    """Every non-empty document of a YAML stream, located."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        raise YamlSyntaxError(message, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        first = str(exc).split("\n", 1)[0]  # a reader error adds `in "<unicode string>", position N` below
        raise YamlSyntaxError(f"invalid YAML: {first}", None, None) from None
    documents = []
    for node in nodes:
        if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
            continue  # an empty document, e.g. after a trailing `---`
        located = Located(data=None)
        located.data = _convert(node, (), located)
        documents.append(located)
    return documents


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: Node, path: Path, located: Located) -> object:
    located.values[path] = _pos(node)
    if isinstance(node, MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            child = (*path, str(key))
            if key in result:
                located.duplicates.append((child, _pos(key_node)))
            located.keys[child] = _pos(key_node)
            result[key] = _convert(value_node, child, located)
        return result
    if isinstance(node, SequenceNode):
        return [_convert(item, (*path, index), located) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: Node) -> object:
    if not isinstance(node, ScalarNode):
        raise YamlSyntaxError("invalid YAML: keys must be plain scalars", *_pos(node))
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except yaml.YAMLError as exc:  # e.g. a tag the safe loader does not construct (`=`, `!!python/...`)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(f"invalid YAML: {problem}", *_pos(node)) from None
