"""YAML read into plain dicts and lists that remember where each key and value stands."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml


class Position(NamedTuple):
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


# What one document may hold. A Sentinel file nests about 8 levels deep; aliases (``*name``)
# and merge keys (``<<``) may repeat at most as many values as the file writes out (and 10,000
# in a small file), so that a few lines cannot expand to a billion values ("billion laughs").
MAX_DEPTH = 64
ALIAS_ALLOWANCE = 10_000
# Syntax errors are explained from the pure-Python parser's messages; past this size the
# second, slower parse is not worth it and libyaml's message is shown as it is.
_EXPLAIN_LIMIT = 1_000_000
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; raise ``YamlSyntaxError`` with a position and a hint.

    libyaml (PyYAML's C parser) composes the document when it is installed; a document that
    nests too deep, refers to itself or expands too far through aliases is refused before any
    value is built.
    """
    loader = _FAST_LOADER(text)
    try:
        node = _compose(loader, text)
        if node is None:
            return None
        merged = _measure(loader, node)
        return _convert(loader, node, merged)
    except yaml.MarkedYAMLError as exc:
        message, mark = _explain(exc, text)
        raise YamlSyntaxError(f"invalid YAML: {message}", _position(mark)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", Position(1, 1)) from None
    except RecursionError:
        raise YamlSyntaxError(
            f"invalid YAML: nested deeper than {MAX_DEPTH} levels", Position(1, 1)
        ) from None
    finally:
        loader.dispose()


def _compose(loader: yaml.SafeLoader, text: str) -> yaml.Node | None:
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if exc.problem == "exceeded maximum nesting depth":  # libyaml's limit: 1,000 levels
            exc.problem = f"nested deeper than {MAX_DEPTH} levels"
        elif loader.__class__ is not yaml.SafeLoader and len(text) <= _EXPLAIN_LIMIT:
            raise (_pure_python_error(text) or exc) from None
        raise


def _pure_python_error(text: str) -> yaml.MarkedYAMLError | None:
    """The same error as PyYAML's Python parser words it (its messages carry the hints)."""
    loader = yaml.SafeLoader(text)
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return exc
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    return None


_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"


def _measure(loader: yaml.SafeLoader, root: yaml.Node) -> dict[int, int]:
    """Check depth, self-reference and alias expansion; resolve merge keys once per mapping.

    The composed graph holds an alias as the very node it names, so it is walked without
    recursion and each mapping and sequence once: first to count what the file writes out,
    then, children first, to add up what each value stands for once aliases are expanded,
    refusing the first one that is too large before it is built. Returns, per mapping, how
    many of its pairs came from merge keys.
    """
    written, ordered = _walk(root)
    allowed = written + max(ALIAS_ALLOWANCE, written)

    def refuse(node: yaml.Node) -> yaml.MarkedYAMLError:
        return yaml.MarkedYAMLError(
            problem=(
                f"aliases expand this value past {allowed:,} values (the file writes out "
                f"{written:,}): write the values out, or repeat an anchor less"
            ),
            problem_mark=node.start_mark,
        )

    sizes: dict[int, int] = {}  # values a node stands for once every alias is expanded
    merged: dict[int, int] = {}
    for node in ordered:
        if isinstance(node, yaml.MappingNode):
            merges = [v for k, v in node.value if k.tag == _MERGE]
            if merges:
                own = len(node.value) - len(merges)
                sources = [m for v in merges for m in (v.value if _is_seq(v) else [v])]
                if own + sum(len(m.value) for m in sources if _is_map(m)) > allowed:
                    raise refuse(node)  # a merge that repeats itself would build it
                loader.flatten_mapping(node)
                merged[id(node)] = len(node.value) - own
        size = 1
        for child in _children(node):
            size += sizes[id(child)] if isinstance(child, yaml.CollectionNode) else 1
        if size > allowed:
            raise refuse(node)
        sizes[id(node)] = size
    return merged


def _is_map(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode)


def _is_seq(node: yaml.Node) -> bool:
    return isinstance(node, yaml.SequenceNode)


def _walk(root: yaml.Node) -> tuple[int, list[yaml.Node]]:
    """Values written out, and every mapping and sequence once, children first."""
    written = 0
    ordered: list[yaml.Node] = []
    seen: set[int] = set()
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            ordered.append(node)
            continue
        if not isinstance(node, yaml.CollectionNode):
            written += 1
            continue
        if key in on_path:
            raise yaml.MarkedYAMLError(
                problem="an alias refers to a value it is part of", problem_mark=node.start_mark
            )
        if key in seen:
            continue
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=node.start_mark
            )
        seen.add(key)
        on_path.add(key)
        written += 1
        stack.append((node, depth, True))
        for child in reversed(_children(node)):
            if isinstance(child, yaml.CollectionNode):
                stack.append((child, depth + 1, False))
            else:
                written += 1
    return written, ordered


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


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


def _convert(loader: yaml.SafeLoader, node: yaml.Node, merged: dict[int, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = YamlMap()
        result.position = _position(node.start_mark)
        result.key_positions = {}
        result.value_positions = {}
        from_merge = merged.get(id(node), 0)
        own: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = key_node.value if key_node.tag == _STR else _scalar(loader, key_node)
            if not isinstance(key, str):
                key = str(key)
            if index < from_merge and key in result:
                continue  # of two merged mappings, the first one listed wins
            if index >= from_merge:  # a key of the mapping itself overrides a merged one
                if key in own:
                    first = result.key_positions[key]
                    raise yaml.MarkedYAMLError(
                        problem=f"duplicate key {key!r} (first at line {first.line})",
                        problem_mark=key_node.start_mark,
                    )
                own.add(key)
            result[key] = _convert(loader, value_node, merged)
            result.key_positions[key] = _position(key_node.start_mark)
            result.value_positions[key] = _position(value_node.start_mark)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YamlSeq(_convert(loader, item, merged) for item in node.value)
        seq.position = _position(node.start_mark)
        seq.item_positions = [_position(item.start_mark) for item in node.value]
        return seq
    if node.tag == _STR:
        return node.value  # what construct_object returns for a string, without its cost
    return _scalar(loader, node)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A plain value; one that looks like a date or number but is none is an error here."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        text = str(node.value)
        shown = text if len(text) <= 40 else f"{text[:20]}...({len(text):,} characters)"
        why = str(exc).split(":")[0]
        raise yaml.MarkedYAMLError(
            problem=f"{shown!r} is not a valid value ({why}); quote it to keep it as text",
            problem_mark=node.start_mark,
        ) from None


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
