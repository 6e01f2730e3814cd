"""What makes a valid EventBridge event pattern, checked before anything is written.

A pattern is a JSON object; each key maps to an object (a nested field) or to an array of
matchers. A matcher is a string, a number, a boolean, null, or an object with one of the
content filters EventBridge documents (prefix, suffix, anything-but, numeric, exists, cidr,
equals-ignore-case, wildcard). ``$or`` takes an array of such objects. PutRule's limits (the
pattern's length, the rule's name and description) are read from botocore's events model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from sentinel.aws.request_model import operation_model, python_pattern
from sentinel.config.problems import suggest

MATCHERS = frozenset(
    {
        "prefix",
        "suffix",
        "anything-but",
        "numeric",
        "exists",
        "cidr",
        "equals-ignore-case",
        "wildcard",
    }
)
_NUMERIC_OPERATORS = frozenset({"<", "<=", "=", ">", ">="})


@cache
def put_rule_limits(member: str) -> Mapping[str, Any]:
    """A PutRule member's ``min``, ``max`` and ``pattern`` as botocore's events model has them."""
    shape = operation_model("events", "PutRule").input_shape
    assert shape is not None
    return dict(shape.members[member].metadata)


@cache
def rule_name_pattern() -> re.Pattern[str]:
    """The characters PutRule's Name takes (``RuleName``'s pattern, matched whole)."""
    compiled = python_pattern(put_rule_limits("Name")["pattern"])
    assert compiled is not None
    return compiled


def pattern_limit() -> int:
    """The most characters of pattern PutRule takes (``EventPattern``'s max)."""
    return int(put_rule_limits("EventPattern")["max"])


def pattern_text(pattern: dict[str, Any]) -> str:
    """The pattern as PutRule takes it, and as it is compared: compact, keys sorted."""
    return json.dumps(pattern, separators=(",", ":"), sort_keys=True)


def pattern_problems(pattern: Any) -> list[str]:
    """Everything wrong with a pattern, each with the path where it is (``detail.state``)."""
    if not isinstance(pattern, dict):
        return [f"an event pattern is a JSON object, got {_kind(pattern)}"]
    if not pattern:
        return ["an event pattern needs at least one field to match"]
    problems = _object_problems(pattern, "")
    size, limit = len(pattern_text(pattern)), pattern_limit()
    if size > limit:
        problems.append(f"the pattern is {size} characters: EventBridge takes at most {limit}")
    return problems


def _object_problems(node: dict[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    for key, value in node.items():
        where = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                problems.append(f"{where}: $or takes an array of at least two patterns")
                continue
            for i, branch in enumerate(value):
                if not isinstance(branch, dict) or not branch:
                    problems.append(f"{where}[{i}]: each $or branch is a non-empty object")
                else:
                    problems.extend(_object_problems(branch, path))
        elif isinstance(value, dict):
            if not value:
                problems.append(f"{where}: an empty object matches nothing")
            else:
                problems.extend(_object_problems(value, where))
        elif isinstance(value, list):
            if not value:
                problems.append(f"{where}: an empty array matches nothing")
            for matcher in value:
                problems.extend(_matcher_problems(matcher, where))
        else:
            problems.append(
                f"{where}: a field matches an array of values or matchers, got {_kind(value)}"
                f" (write [{json.dumps(value)}])"
            )
    return problems


def _matcher_problems(matcher: Any, where: str) -> list[str]:
    if matcher is None or isinstance(matcher, str | int | float | bool):
        return []
    if not isinstance(matcher, dict):
        return [f"{where}: a matcher is a value or an object, got {_kind(matcher)}"]
    if len(matcher) != 1:
        return [f"{where}: a matcher object has exactly one of {', '.join(sorted(MATCHERS))}"]
    ((name, value),) = matcher.items()
    if name not in MATCHERS:
        hint = suggest(name, MATCHERS) or f"; expected one of {', '.join(sorted(MATCHERS))}"
        return [f"{where}: unknown matcher {name!r}{hint}"]
    if name == "numeric":
        return _numeric_problems(value, where)
    if name == "exists" and not isinstance(value, bool):
        return [f"{where}: exists takes true or false"]
    if name in ("prefix", "suffix", "equals-ignore-case", "wildcard", "cidr"):
        if (
            isinstance(value, dict)
            and name in ("prefix", "suffix")
            and set(value) == {"equals-ignore-case"}
        ):
            value = value["equals-ignore-case"]
        if not isinstance(value, str):
            return [f"{where}: {name} takes a string"]
    if name == "anything-but":
        if isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in (
                "prefix",
                "suffix",
                "equals-ignore-case",
                "wildcard",
            ):
                return [
                    f"{where}: anything-but takes a value, an array, or one of prefix/suffix/"
                    "equals-ignore-case/wildcard"
                ]
        elif isinstance(value, list):
            if not value or not all(isinstance(v, str | int | float) for v in value):
                return [f"{where}: anything-but takes a non-empty array of strings or numbers"]
        elif not isinstance(value, str | int | float):
            return [f"{where}: anything-but takes a value or an array of values"]
    return []


def _numeric_problems(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value or len(value) % 2:
        return [f'{where}: numeric takes operator/number pairs: [">=", 7]']
    for i in range(0, len(value), 2):
        operator, number = value[i], value[i + 1]
        if operator not in _NUMERIC_OPERATORS:
            return [f"{where}: numeric operator {operator!r}: expected one of < <= = > >="]
        if isinstance(number, bool) or not isinstance(number, int | float):
            return [f"{where}: numeric compares with a number, got {_kind(number)}"]
    return []


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return f"a string ({value!r})"
    return repr(value)
