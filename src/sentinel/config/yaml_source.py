"""YAML read into plain dicts and lists that remember where each key and value stands."""

from __future__ import annotations

import re
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
    "found character '\\t'": "indent with spaces, not tabs",
    "found character '%' that cannot start any token": "quote values starting with %",
    "found character '@' that cannot start any token": "quote values starting with @",
    "found character '`' that cannot start any token": "quote values starting with `",
    "mapping values are not allowed here": (
        "check the indentation of this line, or quote a value that holds ': '"
    ),
    "expected <block end>": "check the indentation of this line",
}
_OPENERS = {"while parsing a flow mapping": "{", "while parsing a flow sequence": "["}
# ``condition: > 90``: YAML reads a leading > (or |) as the start of a block of text.
_UNQUOTED_CONDITION = re.compile(
    r"^(?P<key>[^\s:#'\"][^:#]*?):\s+(?P<value>>=?\s*-?\d[^#]*?)\s*(#.*)?$"
)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; raise ``YamlSyntaxError`` with a position and a hint."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return _convert(loader, node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        message, mark = _explain(exc, text)
        raise YamlSyntaxError(f"invalid YAML: {message}", _position(mark)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", Position(1, 1)) from None
    finally:
        loader.dispose()


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, yaml.Mark | None]:
    """What went wrong and where, pointing at the cause (an unclosed bracket, not the end)."""
    problem = exc.problem or str(exc)
    context, start = exc.context or "", exc.context_mark
    if start is not None and context in _OPENERS:
        return f"{_OPENERS[context]!r} is not closed ({problem})", start
    if start is not None and context == "while scanning a quoted scalar":
        return "a quoted value is not closed", start
    if start is not None and context == "while scanning a simple key":
        return "expected 'key: value', found no ':'", start
    if start is not None and context == "while scanning a block scalar":
        line = text.splitlines()[start.line] if start.line < len(text.splitlines()) else ""
        match = _UNQUOTED_CONDITION.match(line.strip().removeprefix("- ").strip())
        if match:
            key, value = match.group("key"), match.group("value")
            return f'quote a value that starts with >, like {key}: "{value}"', start
        return f"{problem} (quote a value that starts with > or |)", exc.problem_mark
    hint = next((h for key, h in _HINTS.items() if key in problem), None)
    return problem + (f" ({hint})" if hint else ""), exc.problem_mark


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
