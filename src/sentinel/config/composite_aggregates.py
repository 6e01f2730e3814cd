"""Aggregates over a templated rule in a composite rule, and CloudWatch's text for them.

A templated rule (``for_each``) is one alarm per resource; a composite rule can use all of
them at once:

- ``ALARM(any rds-cpu-high)``: one of them is in ALARM (an OR of the instances),
- ``ALARM(all ecs-service-unhealthy)``: every one is (an AND), ``OK``/``INSUFFICIENT_DATA``
  likewise,
- ``count(ALARM(ecs-cpu-high)) >= 2`` or ``>= 50%``: at least that many (or that share) are,
  CloudWatch's ``AT_LEAST(2, ALARM, (...))``; ``count(NOT OK(x)) >= 2`` is ``AT_LEAST(2, NOT OK,
  (...))``. ``AT_LEAST`` is the only counting CloudWatch has, so ``>=`` is the only comparison.

The instances are the templated rule's alarms at plan time; ``render`` writes the aggregate
over their AWS names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sentinel.config.references import RULE_REFERENCE

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_STATE = r"(ALARM|OK|INSUFFICIENT_DATA)"
_NAME = r"\"?([^\"()\s,]+)\"?"
_EACH = re.compile(rf"\b{_STATE}\s*\(\s*(any|all)\s+{_NAME}\s*\)")
_COUNT = re.compile(
    rf"\bcount\s*\(\s*(NOT\s+)?{_STATE}\s*\(\s*{_NAME}\s*\)\s*\)"
    r"(?:\s*(>=|<=|==|!=|=|>|<)\s*([^\s()]*))?"
)
_THRESHOLD = re.compile(r"(\d+)(%?)")
# An alarm in an AWS rule: a state function's argument, or a member of AT_LEAST's list.
_FUNCTION_ARGUMENT = re.compile(rf"\b{_STATE}\s*\(\s*(\"(?:[^\"\\]|\\.)*\"|[^\s(),]+)\s*\)")
_AT_LEAST_LIST = re.compile(rf"\bAT_LEAST\s*\([^,()]*,\s*(?:NOT\s+)?{_STATE}\s*,\s*\(([^()]*)\)")


@dataclass(frozen=True)
class Aggregate:
    """One aggregate as written: ``ALARM(any x)`` or ``count(ALARM(x)) >= 2``."""

    text: str
    start: int
    end: int
    how: str  # any, all or count
    state: str  # ALARM, OK or INSUFFICIENT_DATA
    name: str  # the templated rule
    negated: bool = False  # count(NOT OK(x))
    operator: str = ""
    threshold: str = ""

    @property
    def at_least(self) -> int | None:
        """The count ``count(...) >= N`` asks for (None: any, all or a percentage)."""
        if self.how != "count" or self.threshold.endswith("%"):
            return None
        return int(self.threshold)

    def problem(self) -> str | None:
        """Why CloudWatch cannot express this aggregate, or None."""
        if self.how != "count":
            return None
        written = f"{self.text.strip()!r}"
        if self.operator != ">=":
            shown = f"`{self.operator}`" if self.operator else "no comparison"
            hint = ""
            if self.operator == ">" and self.threshold.isdigit():
                hint = f": write >= {int(self.threshold) + 1} for > {self.threshold}"
            elif self.operator in ("<", "<="):
                hint = ": NOT count(...) >= N is fewer than N"
            return (
                f"{written} has {shown}: CloudWatch counts alarms with AT_LEAST only, so "
                f"a count compares with >= (at least N or N%){hint}"
            )
        match = _THRESHOLD.fullmatch(self.threshold)
        if not match:
            return f"{written}: >= takes a whole number of alarms (2) or a percentage (50%)"
        number, percent = int(match.group(1)), bool(match.group(2))
        if percent and not 1 <= number <= 100:
            return f"{written}: a percentage of the instances is from 1% to 100%"
        if not percent and number < 1:
            return f"{written}: at least 1 alarm is the smallest count"
        return None


def find_aggregates(rule: str) -> list[Aggregate]:
    """Every aggregate of ``rule``, in order."""
    found = [
        Aggregate(m.group(0), m.start(), m.end(), m.group(2), m.group(1), m.group(3))
        for m in _EACH.finditer(rule)
    ]
    for m in _COUNT.finditer(rule):
        found.append(
            Aggregate(
                m.group(0),
                m.start(),
                m.end(),
                "count",
                m.group(2),
                m.group(3),
                negated=bool(m.group(1)),
                operator=m.group(4) or "",
                threshold=m.group(5) or "",
            )
        )
    return sorted(found, key=lambda a: a.start)


def replace_aggregates(rule: str, replacements: Sequence[str]) -> str:
    """``rule`` with its aggregates (as ``find_aggregates`` lists them) replaced, in order."""
    parts: list[str] = []
    position = 0
    for aggregate, text in zip(find_aggregates(rule), replacements, strict=True):
        parts += [rule[position : aggregate.start], text]
        position = aggregate.end
    return "".join(parts) + rule[position:]


def without_aggregates(rule: str) -> str:
    """``rule`` with each aggregate as ``TRUE``: what is left to check as a plain rule."""
    return replace_aggregates(rule, [" TRUE " for _ in find_aggregates(rule)])


def render(aggregate: Aggregate, names: Sequence[str]) -> str:
    """The aggregate over the instances' AWS alarm names, in CloudWatch's rule language."""
    quoted = [_quote(name) for name in names]
    if aggregate.how == "count":
        state = f"NOT {aggregate.state}" if aggregate.negated else aggregate.state
        return f"AT_LEAST({aggregate.threshold}, {state}, ({', '.join(quoted)}))"
    joiner = " OR " if aggregate.how == "any" else " AND "
    return "(" + joiner.join(f"{aggregate.state}({name})" for name in quoted) + ")"


def named_items(rule: str) -> list[str]:
    """The alarm and composite names a configuration's rule uses, in order: an aggregate's
    name (``ALARM(any x)`` reads as the name "any x" plainly) and each plain reference."""
    aggregated = [aggregate.name for aggregate in find_aggregates(rule)]
    plain = [n.strip() for _, n in RULE_REFERENCE.findall(rule)]
    return list(dict.fromkeys([*aggregated, *(n for n in plain if " " not in n)]))


def referenced_alarms(rule: str) -> set[str]:
    """The alarms an AWS rule names: state functions' arguments and AT_LEAST's lists."""
    found = {_unquote(m.group(2)) for m in _FUNCTION_ARGUMENT.finditer(rule)}
    for listed in _AT_LEAST_LIST.finditer(rule):
        found.update(_unquote(item) for item in _split_list(listed.group(2)))
    return found


def _split_list(text: str) -> list[str]:
    items = re.findall(r"\"(?:[^\"\\]|\\.)*\"|[^\s,]+", text)
    return [item for item in items if item.strip()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('\\"', '"')
    return name
