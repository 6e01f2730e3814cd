"""YAML read into plain dicts and lists that remember where each key and value stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


class YamlMap(dict[str, Any]):
    """A mapping with the positions of its keys and values."""

    position: Position
    key_positions: dict[str, Position]
    value_positions: dict[str, Position]


class YamlSeq(list[Any]):
    position: Position
    item_positions: list[Position]


class YamlSyntaxError(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.position = position


def _position(mark: yaml.Mark | None) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)


_HINTS = {
    "expected chomping or indentation indicators": (
        'a value starting with > or < must be quoted, like condition: "> 90"'
    ),
    "found character '%' that cannot start any token": "quote values starting with %",
}


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; raise ``YamlSyntaxError`` with a position and a hint."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return _convert(loader, node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or str(exc)
        hint = next((h for key, h in _HINTS.items() if key in problem), None)
        message = f"invalid YAML: {problem}" + (f" ({hint})" if hint else "")
        raise YamlSyntaxError(message, _position(exc.problem_mark)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", Position(1, 1)) from None
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result = YamlMap()
        result.position = _position(node.start_mark)
        result.key_positions = {}
        result.value_positions = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = result.key_positions[key]
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r} (first at line {first.line})",
                    problem_mark=key_node.start_mark,
                )
            result[key] = _convert(loader, value_node)
            result.key_positions[key] = _position(key_node.start_mark)
            result.value_positions[key] = _position(value_node.start_mark)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YamlSeq(_convert(loader, item) for item in node.value)
        seq.position = _position(node.start_mark)
        seq.item_positions = [_position(item.start_mark) for item in node.value]
        return seq
    return loader.construct_object(node, deep=True)


def locate(data: Any, loc: tuple[str | int, ...], at_key: bool = False) -> Position:
    """The position of the value at ``loc`` (a pydantic error location) in parsed YAML.

    Parts of ``loc`` that are not keys of the data (union tags, validator names) are skipped;
    a missing last key points at its parent mapping.
    """
    node = data
    position = getattr(data, "position", Position(1, 1))
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, YamlMap) and isinstance(part, str) and part in node:
            position = node.key_positions[part] if (last and at_key) else node.value_positions[part]
            node = node[part]
        elif isinstance(node, YamlSeq) and isinstance(part, int) and 0 <= part < len(node):
            position = node.item_positions[part]
            node = node[part]
    return position
