"""Tagging rules as code: audit every resource against them, and add the tags a rule defaults.

``audit()`` reads the inventory (tagged and untagged resources) and returns an ``AuditReport``;
``plan_fix()`` and ``apply_fix()`` add missing tags where a rule gives a default, never touching
a tag that is already set. Rendering (table, JSON, CSV) is in ``sentinel.tags.render``.
"""

from sentinel.tags.audit import AuditReport, Compliance, audit
from sentinel.tags.fix import FixPlan, FixResult, TagAddition, apply_fix, plan_fix
from sentinel.tags.rules import Finding, TagProblem, check_resource, rules_for

__all__ = [
    "AuditReport",
    "Compliance",
    "Finding",
    "FixPlan",
    "FixResult",
    "TagAddition",
    "TagProblem",
    "apply_fix",
    "audit",
    "check_resource",
    "plan_fix",
    "rules_for",
]
