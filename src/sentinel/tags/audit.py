"""The tagging audit: every resource of the audited types, tagged or not, against the rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sentinel.inventory import KNOWN_RESOURCE_TYPES
from sentinel.tags.rules import Finding, check_resource, rules_for

if TYPE_CHECKING:
    from sentinel.config.models import Tagging
    from sentinel.inventory import Inventory, Resource


@dataclass(frozen=True)
class Compliance:
    """How many of ``total`` resources comply, for one resource type or one tag key."""

    name: str
    compliant: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.compliant / self.total if self.total else 100.0


@dataclass
class AuditReport:
    regions: list[str]
    audited: int
    findings: list[Finding] = field(default_factory=list)
    by_type: list[Compliance] = field(default_factory=list)
    by_key: list[Compliance] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not self.findings

    @property
    def overall(self) -> Compliance:
        return Compliance("all", self.audited - len(self.findings), self.audited)


def audited_types(tagging: Tagging, types: Iterable[str] | None = None) -> list[str]:
    """The types to read: those asked for, else those the rules name, else every known type."""
    if types:
        return list(types)
    return list(tagging.resources) or list(KNOWN_RESOURCE_TYPES)


def audit(
    inventory: Inventory, tagging: Tagging, types: Iterable[str] | None = None
) -> AuditReport:
    """Check every resource of the audited types; one Inventory listing per type and region."""
    resources = inventory.all(audited_types(tagging, types))
    return audit_resources(resources, tagging, inventory.regions)


def audit_resources(
    resources: Iterable[Resource], tagging: Tagging, regions: list[str]
) -> AuditReport:
    type_total: Counter[str] = Counter()
    type_ok: Counter[str] = Counter()
    key_total: Counter[str] = Counter()
    key_ok: Counter[str] = Counter()
    findings = []
    audited = 0
    for resource in sorted(resources, key=lambda r: (r.type, r.region, r.name, r.id)):
        rules = rules_for(tagging, resource.type)
        if not rules:
            continue
        audited += 1
        problems = check_resource(resource, rules)
        type_total[resource.type] += 1
        wrong_keys = {p.key for p in problems}
        for rule in rules:
            key_total[rule.key] += 1
            key_ok[rule.key] += rule.key not in wrong_keys
        if problems:
            findings.append(Finding(resource, problems))
        else:
            type_ok[resource.type] += 1
    keys = list(dict.fromkeys(rule.key for rule in tagging.required))
    return AuditReport(
        regions=list(regions),
        audited=audited,
        findings=findings,
        by_type=[Compliance(t, type_ok[t], type_total[t]) for t in sorted(type_total)],
        by_key=[Compliance(k, key_ok[k], key_total[k]) for k in keys if key_total[k]],
    )
