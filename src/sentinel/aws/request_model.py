"""Requests checked against the installed botocore service model, before anything is sent.

botocore's own ``ParamValidator`` checks required members, types and minimums, and leaves
maximum lengths, patterns, enums and upper bounds to the server, which then refuses the request
half-way through an apply. This module checks all of them from the shapes' metadata: each
operation's input shape is compiled once into a tree of small checks (cached), so checking
thousands of requests costs little more than walking them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, cast

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape


@dataclass(frozen=True, order=True)
class RequestProblem:
    """One thing AWS would refuse in a request: where in the parameters, and why."""

    operation: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.operation}{where}: {self.message}"


# A check gets the value, where it is (a path, or a (parent, member name or list index) pair
# joined only when needed: most values are fine and their paths never shown) and the list of
# problems found.
Where = str | tuple["Where", str | int]
Check = Callable[[Any, Where, list[RequestProblem]], None]


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


@cache
def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


def check_request(service: str, operation: str, params: Mapping[str, Any]) -> list[RequestProblem]:
    """Every problem the service model finds in ``params`` for ``operation`` (none: valid)."""
    problems: list[RequestProblem] = []
    _compiled(service, operation)(params, "", problems)
    return [RequestProblem(operation, p.path, p.message) for p in problems]


@cache
def _compiled(service: str, operation: str) -> Check:
    shape = operation_model(service, operation).input_shape
    if shape is None:
        return lambda value, path, out: None
    return _Compiler().compile(shape)


@cache
def constraint_count(service: str, operation: str) -> int:
    """How many model constraints (required, type, length, count, range, pattern, enum)
    the input of ``operation`` carries, counting each shape once."""
    shape = operation_model(service, operation).input_shape
    seen: set[str] = set()

    def count(shape: Shape) -> int:
        if shape.name in seen:
            return 0
        seen.add(shape.name)
        total = 1  # its type
        metadata = shape.metadata
        total += sum(1 for key in ("min", "max", "pattern") if key in metadata)
        total += 1 if getattr(shape, "enum", None) else 0
        if isinstance(shape, StructureShape):
            total += len(shape.required_members)
            total += sum(count(member) for member in shape.members.values())
        elif shape.type_name == "list":
            total += count(cast(Any, shape).member)
        elif shape.type_name == "map":
            total += count(cast(Any, shape).key) + count(cast(Any, shape).value)
        return total

    return count(shape) if shape is not None else 0


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _resolve(where: Where) -> str:
    if isinstance(where, str):
        return where
    parent, member = where
    path = _resolve(parent)
    return f"{path}[{member}]" if isinstance(member, int) else _join(path, member)


def _type_word(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "a list",
        tuple: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def python_pattern(pattern: str) -> re.Pattern[str] | None:
    """A model's pattern (Java/ECMAScript syntax) as a Python regex, or None if it has none.

    AWS matches the whole value. Python refuses a flag group such as ``(?i)`` after the start,
    which the models use inside alternatives: it becomes a scoped group to the end of its own
    group, which is what Java means by it.
    """
    translated = _scope_inline_flags(pattern)
    try:
        return re.compile(translated)
    except re.error:
        return None


_INLINE_FLAG = re.compile(r"\(\?([imsx]+)\)")


def _scope_inline_flags(pattern: str) -> str:
    while True:
        match = _INLINE_FLAG.search(pattern)
        if match is None or match.start() == 0:
            return pattern
        depth, index, in_class = 0, match.end(), False
        while index < len(pattern):
            char = pattern[index]
            if char == "\\":
                index += 2
                continue
            if in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "|" and depth == 0:
                break
            index += 1
        flags = match.group(1)
        body = pattern[match.end() : index]
        pattern = f"{pattern[: match.start()]}(?{flags}:{body}){pattern[index:]}"


class _Compiler:
    """Builds one check per shape; a recursive shape refers to its own check lazily."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def compile(self, shape: Shape) -> Check:
        existing = self._checks.get(shape.name)
        if existing is not None:
            return existing
        built: list[Check] = []

        def deferred(value: Any, where: Where, out: list[RequestProblem]) -> None:
            built[0](value, where, out)

        self._checks[shape.name] = deferred
        check = self._build(shape)
        built.append(check)
        self._checks[shape.name] = check
        return check

    def _build(self, shape: Shape) -> Check:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(cast(StructureShape, shape))
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        if kind == "string":
            return self._string(shape)
        if kind in ("integer", "long"):
            return self._number(shape, (int,), "a whole number")
        if kind in ("double", "float"):
            return self._number(shape, (int, float, Decimal), "a number")
        if kind == "boolean":
            return _typed(bool, "true or false")
        if kind == "timestamp":
            return _typed((datetime.datetime, datetime.date, str, int, float), "a timestamp")
        if kind == "blob":
            return _typed((bytes, bytearray, str), "bytes")
        return lambda value, path, out: None

    def _structure(self, shape: StructureShape) -> Check:
        members = {name: self.compile(member) for name, member in shape.members.items()}
        required = tuple(shape.required_members)
        union = bool(shape.metadata.get("union"))
        if shape.metadata.get("document"):
            return lambda value, path, out: None

        def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
            if not isinstance(value, dict):
                out.append(
                    RequestProblem(
                        "", _resolve(where), f"expected a mapping, got {_type_word(value)}"
                    )
                )
                return
            for name in required:
                if name not in value:
                    out.append(RequestProblem("", _resolve((where, name)), "is required"))
            for name, item in value.items():
                member = members.get(name)
                if member is None:
                    out.append(
                        RequestProblem("", _resolve((where, name)), "is not a known parameter")
                    )
                elif item is not None:
                    member(item, (where, name), out)
            if union and sum(1 for item in value.values() if item is not None) != 1:
                out.append(RequestProblem("", _resolve(where), "must set exactly one member"))

        return check

    def _list(self, shape: Shape) -> Check:
        member = self.compile(cast(Any, shape).member)
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
            if not isinstance(value, (list, tuple)):
                path = _resolve(where)
                out.append(RequestProblem("", path, f"expected a list, got {_type_word(value)}"))
                return
            count = len(value)
            if (low is not None and count < low) or (high is not None and count > high):
                _check_count(count, low, high, "items", _resolve(where), out)
            for index, item in enumerate(value):
                member(item, (where, index), out)

        return check

    def _map(self, shape: Shape) -> Check:
        key_check = self.compile(cast(Any, shape).key)
        value_check = self.compile(cast(Any, shape).value)
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
            path = _resolve(where)
            if not isinstance(value, dict):
                out.append(RequestProblem("", path, f"expected a mapping, got {_type_word(value)}"))
                return
            _check_count(len(value), low, high, "entries", path, out)
            for key, item in value.items():
                key_check(key, f"{path} key {key!r}", out)
                value_check(item, f"{path}[{key!r}]", out)

        return check

    def _string(self, shape: Shape) -> Check:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        enum = frozenset(getattr(shape, "enum", None) or ())
        raw_pattern = shape.metadata.get("pattern")
        # A pattern every string matches costs a regex run per value for nothing.
        trivial = raw_pattern in (None, ".*", "[\\S\\s]*", "[\\s\\S]*", "(.*[\\n\\r\\t\\f\\ ]?)*")
        pattern = None if trivial else python_pattern(str(raw_pattern))

        def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
            if not isinstance(value, str):
                path = _resolve(where)
                out.append(RequestProblem("", path, f"expected a string, got {_type_word(value)}"))
                return
            length = len(value)
            fits = (low is None or length >= low) and (high is None or length <= high)
            fits = fits and (not enum or value in enum)
            if fits and (pattern is None or pattern.fullmatch(value) is not None):
                return
            path = _resolve(where)
            if low is not None and length < low:
                out.append(
                    RequestProblem("", path, f"is {length} characters; at least {low} needed")
                )
            if high is not None and length > high:
                out.append(
                    RequestProblem("", path, f"is {length} characters; at most {high} allowed")
                )
            if enum and value not in enum:
                choices = ", ".join(sorted(enum))
                out.append(RequestProblem("", path, f"{value!r} is not one of {choices}"))
            if pattern is not None and pattern.fullmatch(value) is None:
                out.append(
                    RequestProblem("", path, f"{_shown(value)} does not match {raw_pattern}")
                )

        return check

    def _number(self, shape: Shape, types: tuple[type, ...], word: str) -> Check:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
            if isinstance(value, bool) or not isinstance(value, types):
                path = _resolve(where)
                out.append(RequestProblem("", path, f"expected {word}, got {_type_word(value)}"))
                return
            if low is not None and value < low:
                out.append(
                    RequestProblem("", _resolve(where), f"is {value}; at least {low} needed")
                )
            if high is not None and value > high:
                out.append(
                    RequestProblem("", _resolve(where), f"is {value}; at most {high} allowed")
                )

        return check


def _typed(types: type | tuple[type, ...], word: str) -> Check:
    def check(value: Any, where: Where, out: list[RequestProblem]) -> None:
        if isinstance(value, bool) and types is not bool:
            out.append(RequestProblem("", _resolve(where), f"expected {word}, got true/false"))
        elif not isinstance(value, types):
            message = f"expected {word}, got {_type_word(value)}"
            out.append(RequestProblem("", _resolve(where), message))

    return check


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _check_count(
    count: int, low: int | None, high: int | None, noun: str, path: str, out: list[RequestProblem]
) -> None:
    """A list's or a map's size against its shape's min and max."""
    if low is not None and count < low:
        out.append(RequestProblem("", path, f"has {count} {noun}; at least {low} needed"))
    if high is not None and count > high:
        out.append(RequestProblem("", path, f"has {count} {noun}; at most {high} allowed"))
