"""Spend that the tagging rules cannot attribute: untagged, or tagged with a value not allowed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


@dataclass(frozen=True)
class TagCoverage:
    """Month-to-date spend of one required tag key."""

    key: str
    total: Decimal
    untagged: Decimal
    mistagged: Decimal
    bad_values: dict[str, Decimal] = field(default_factory=dict)
    available: bool = True

    @property
    def unattributed(self) -> Decimal:
        return self.untagged + self.mistagged

    @property
    def percent(self) -> float:
        return 0.0 if self.total <= 0 else float(100 * self.unattributed / self.total)


def value_allowed(rule: Any, value: str) -> bool:
    """Whether a tag value satisfies a ``TagRule`` (allowed values, pattern, case)."""
    if rule.case == "lower" and value != value.lower():
        return False
    if rule.case == "upper" and value != value.upper():
        return False
    if rule.values is not None and value not in rule.values:
        return False
    return not (rule.pattern is not None and not re.fullmatch(rule.pattern, value))


def tag_coverage(rule: Any, amounts: dict[str, Decimal] | None, total: Decimal) -> TagCoverage:
    """Coverage of ``rule``'s key from spend per tag value ("" = untagged)."""
    if amounts is None:
        return TagCoverage(rule.key, total, ZERO, ZERO, available=False)
    untagged = amounts.get("", ZERO)
    bad = {v: a for v, a in amounts.items() if v != "" and not value_allowed(rule, v) and a != 0}
    ranked = dict(sorted(bad.items(), key=lambda kv: -kv[1]))
    return TagCoverage(rule.key, total, untagged, sum(ranked.values(), ZERO), ranked)
