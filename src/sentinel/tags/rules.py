"""One resource against the tagging rules: which required tags are missing, which values are wrong.

A rule applies to the resource types it lists (all types when it lists none). A value must be
one of ``values`` when given, match ``pattern`` (a Python regular expression, searched, so
anchor it with ``^...$``) when given, and be in the rule's ``case``. An empty value counts as
a wrong value, not as a missing tag: someone set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel.config.models import Tagging, TagRule
    from sentinel.inventory import Resource


class Problem(StrEnum):
    MISSING = "missing"
    EMPTY = "empty"
    NOT_ALLOWED = "not-allowed"
    PATTERN = "pattern"
    CASE = "case"


@dataclass(frozen=True)
class TagProblem:
    """What is wrong with one tag key of one resource."""

    key: str
    problem: Problem
    value: str | None = None
    expected: str = ""

    def __str__(self) -> str:
        if self.problem is Problem.MISSING:
            return f"{self.key}: missing"
        return f"{self.key}={self.value!r}: {self.expected}"


@dataclass(frozen=True)
class Finding:
    """A non-compliant resource and everything wrong with its tags."""

    resource: Resource
    problems: tuple[TagProblem, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.problems if p.problem is Problem.MISSING)

    @property
    def invalid(self) -> dict[str, str]:
        """Key -> the value a person set that the rules do not allow."""
        return {
            p.key: p.value or ""
            for p in self.problems
            if p.problem is not Problem.MISSING and p.value is not None
        }


def rules_for(tagging: Tagging, resource_type: str) -> list[TagRule]:
    """The rules that apply to a type (none when ``tagging.resources`` leaves the type out)."""
    if tagging.resources and resource_type not in tagging.resources:
        return []
    return [r for r in tagging.required if not r.resources or resource_type in r.resources]


def check_resource(resource: Resource, rules: list[TagRule]) -> tuple[TagProblem, ...]:
    problems: list[TagProblem] = []
    for rule in rules:
        value = resource.tags.get(rule.key)
        if value is None:
            problems.append(TagProblem(rule.key, Problem.MISSING))
        else:
            problems.extend(check_value(rule, value))
    return tuple(problems)


def check_value(rule: TagRule, value: str) -> list[TagProblem]:
    if value == "":
        return [TagProblem(rule.key, Problem.EMPTY, value, "empty value")]
    problems = []
    if rule.values is not None and value not in rule.values:
        allowed = ", ".join(rule.values)
        problems.append(TagProblem(rule.key, Problem.NOT_ALLOWED, value, f"not one of {allowed}"))
    if rule.pattern is not None and not _compiled(rule.pattern).search(value):
        problems.append(
            TagProblem(rule.key, Problem.PATTERN, value, f"does not match {rule.pattern}")
        )
    if (rule.case == "lower" and value != value.lower()) or (
        rule.case == "upper" and value != value.upper()
    ):
        problems.append(TagProblem(rule.key, Problem.CASE, value, f"not {rule.case} case"))
    return problems


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
