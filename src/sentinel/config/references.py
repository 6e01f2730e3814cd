"""Checks across files: names that must exist, names that must be unique."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sentinel.config.problems import suggest
from sentinel.config.yaml_source import Position
from sentinel.errors import ConfigProblem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RULE_REFERENCE = re.compile(r"\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*\"?([^\")]+?)\"?\s*\)")
_RULE_TOKENS = re.compile(
    r"\s*(?:(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*\"?[^\")]+\"?\s*\)|(AND|OR|NOT|TRUE|FALSE)\b|\(|\))"
)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass
class Where:
    file: str
    position: Position

    def problem(self, message: str) -> ConfigProblem:
        return ConfigProblem(self.file, self.position.line, self.position.column, message)

    def __str__(self) -> str:
        return f"{self.file}:{self.position.line}"


@dataclass
class References:
    """Collects names as files are read, then reports what does not resolve."""

    problems: list[ConfigProblem] = field(default_factory=list)
    names: dict[str, dict[str, Where]] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)
    """Namespaces with a file that failed to load: an unknown name there is not reported."""

    def define(self, namespace: str, name: str, where: Where, label: str) -> None:
        seen = self.names.setdefault(namespace, {})
        if name in seen:
            self.problems.append(
                where.problem(f"duplicate {label} name {name!r} (first defined at {seen[name]})")
            )
        else:
            seen[name] = where

    def defined(self, namespace: str) -> dict[str, Where]:
        return self.names.get(namespace, {})

    def require(
        self, namespace: str, name: str, where: Where, label: str, context: str = ""
    ) -> bool:
        """Report ``name`` unless defined; ``context`` follows it: "unknown alarm 'x' in rule"."""
        known = self.defined(namespace)
        if name in known:
            return True
        if namespace in self.incomplete:
            return False
        detail = suggest(name, known) or (f"; defined: {', '.join(sorted(known))}" if known else "")
        self.problems.append(where.problem(f"unknown {label} {name!r}{context}{detail}"))
        return False

    def require_severity(self, name: str, where: Where) -> None:
        if not self.defined("severity") and "severity" not in self.incomplete:
            self.problems.append(
                where.problem(
                    f"severity {name!r} is not defined: add it under `severities` "
                    "in alarms/routing.yaml"
                )
            )
            return
        self.require("severity", name, where, "severity")

    def require_subscriber(self, name: str, where: Where) -> None:
        """Budget subscribers: a severity (its SNS topic) or an email address."""
        if _EMAIL.match(name):
            return
        self.require("severity", name, where, "severity or email address")

    def require_resource_type(self, name: str, where: Where, known: Iterable[str]) -> None:
        known = sorted(known)
        if name not in known:
            hint = suggest(name, known) or f"; expected one of: {', '.join(known)}"
            self.problems.append(where.problem(f"unknown resource type {name!r}{hint}"))

    def check_composite_rule(self, rule: str, where: Where) -> list[str]:
        """Syntax of an AlarmRule expression; returns the alarm names it references."""
        error = _rule_error(rule)
        if error:
            self.problems.append(where.problem(f"invalid composite rule: {error}"))
            return []
        return [name.strip() for _, name in RULE_REFERENCE.findall(rule)]


def _rule_error(rule: str) -> str | None:
    """What is wrong with a composite rule's syntax, or None.

    Operands (ALARM(x), OK(x), INSUFFICIENT_DATA(x), TRUE, FALSE) and AND/OR must alternate;
    NOT and ( may precede an operand, ) may follow one.
    """
    rest = rule
    depth = 0
    expect_operand = True
    previous = ""
    while rest.strip():
        match = _RULE_TOKENS.match(rest)
        if not match:
            return (
                f"unexpected {rest.strip()[:30]!r}: expected ALARM(name), OK(name), "
                "INSUFFICIENT_DATA(name), TRUE, FALSE, AND, OR, NOT, ( and )"
            )
        token = match.group(0).strip()
        rest = rest[match.end() :]
        if token in ("AND", "OR", ")"):
            if expect_operand:
                after = f"after {previous!r}" if previous else "at the start"
                return f"expected an alarm state {after}, found {token!r}"
            if token == ")":
                depth -= 1
                if depth < 0:
                    return "')' without a matching '('"
            else:
                expect_operand = True
        else:
            if not expect_operand:
                return f"expected AND or OR between {previous!r} and {token!r}"
            if token == "(":
                depth += 1
            elif token != "NOT":
                expect_operand = False
        previous = token
    if not previous:
        return "the rule is empty"
    if expect_operand:
        return f"the rule ends with {previous!r}: expected an alarm state after it"
    if depth > 0:
        return "'(' is not closed"
    return None


def placeholders(text: str) -> list[str]:
    """``{id}``, ``{name}``, ``{tag:Service}``, ``{attr:cluster}`` in a template string."""
    return _PLACEHOLDER.findall(text)


def check_placeholder(token: str) -> str | None:
    """An error message for a placeholder Sentinel cannot fill, else None."""
    if token in ("id", "name", "arn", "region", "account"):
        return None
    kind, _, rest = token.partition(":")
    if kind in ("tag", "attr") and rest:
        return None
    return (
        f"unknown placeholder {{{token}}}: expected {{id}}, {{name}}, {{arn}}, {{region}}, "
        "{account}, {tag:KEY} or {attr:NAME}"
    )
