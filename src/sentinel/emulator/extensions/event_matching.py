"""EventBridge's matching of an event against a pattern, for the emulator's TestEventPattern.

moto answers TestEventPattern with nothing. The rules here are EventBridge's documented ones:
every field of the pattern must match; a field's array matches when any matcher does; a field
of the event that is an array (of values, or of objects, as ECS ``containers`` or Security
Hub ``findings`` are) matches when any element does; ``$or`` matches when any branch does.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from typing import Any

_MISSING = object()


def matches(pattern: dict[str, Any], event: Any) -> bool:
    return _object_matches(pattern, event)


def _object_matches(pattern: dict[str, Any], node: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not any(_object_matches(branch, node) for branch in expected):
                return False
            continue
        values = _values(node, key)
        if isinstance(expected, dict):
            if not any(_object_matches(expected, v) for v in values if isinstance(v, dict)):
                return False
        elif not _field_matches(expected, values):
            return False
    return True


def _values(node: Any, key: str) -> list[Any]:
    """The values of ``key`` in ``node``, an object or an array of objects; [] when absent."""
    found: list[Any] = []
    for item in node if isinstance(node, list) else [node]:
        if isinstance(item, dict) and key in item:
            value = item[key]
            found.extend(value if isinstance(value, list) else [value])
    return found


def _field_matches(matchers: list[Any], values: list[Any]) -> bool:
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if bool(values) == matcher["exists"]:
                return True
            continue
        if any(_value_matches(matcher, value) for value in values):
            return True
    return False


def _value_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return bool(matcher == value and type(matcher) is type(value)) or (
            _is_number(matcher) and _is_number(value) and float(matcher) == float(value)
        )
    ((name, operand),) = matcher.items()
    if name == "numeric":
        return _is_number(value) and _numeric(operand, float(value))
    if name == "anything-but":
        if isinstance(operand, dict):
            return not _value_matches(operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_value_matches(e, value) for e in excluded)
    if not isinstance(value, str):
        return False
    if name == "prefix":
        if isinstance(operand, dict):
            return value.lower().startswith(str(operand["equals-ignore-case"]).lower())
        return value.startswith(operand)
    if name == "suffix":
        if isinstance(operand, dict):
            return value.lower().endswith(str(operand["equals-ignore-case"]).lower())
        return value.endswith(operand)
    if name == "equals-ignore-case":
        return value.lower() == str(operand).lower()
    if name == "wildcard":
        return fnmatch.fnmatchcase(value, operand.replace("[", "[[]"))
    if name == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
        except ValueError:
            return False
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric(operand: list[Any], value: float) -> bool:
    checks = {
        "<": value.__lt__,
        "<=": value.__le__,
        "=": value.__eq__,
        ">": value.__gt__,
        ">=": value.__ge__,
    }
    return all(checks[operand[i]](float(operand[i + 1])) for i in range(0, len(operand), 2))
