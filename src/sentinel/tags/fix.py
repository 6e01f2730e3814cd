"""``tags audit --fix``: add the missing tags a rule gives a default for, and nothing else.

A tag a person set is never removed or overwritten: the plan only adds keys that are missing,
and just before writing, the resources' current tags are read again so that a key set since
the audit is left as it is (and reported as skipped). Writes go through the Resource Groups
Tagging API, 20 resources per TagResources call, grouped by the tags they get.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from sentinel.aws.tagging import tags_of
from sentinel.tags.rules import Finding, Problem, rules_for

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config.models import Tagging
    from sentinel.inventory import Resource
    from sentinel.tags.audit import AuditReport

TAG_BATCH = 20  # TagResources' limit of ARNs per call


@dataclass(frozen=True)
class TagAddition:
    """Tags to add to one resource: key -> the rule's default."""

    resource: Resource
    tags: Mapping[str, str]


@dataclass
class FixPlan:
    additions: list[TagAddition] = field(default_factory=list)
    # What defaults cannot resolve (a wrong value, a missing key without a default).
    left_to_people: list[Finding] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.additions

    @property
    def tag_count(self) -> int:
        return sum(len(a.tags) for a in self.additions)


@dataclass(frozen=True)
class FixResult:
    addition: TagAddition
    added: Mapping[str, str] = field(default_factory=dict)
    # Keys someone set after the audit: their current values, left untouched.
    skipped: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def plan_fix(report: AuditReport, tagging: Tagging) -> FixPlan:
    plan = FixPlan()
    for finding in report.findings:
        rules = {rule.key: rule for rule in rules_for(tagging, finding.resource.type)}
        defaults: dict[str, str] = {
            key: rule.default
            for key in finding.missing
            if (rule := rules.get(key)) is not None and rule.default is not None
        }
        if defaults:
            plan.additions.append(TagAddition(finding.resource, defaults))
        remaining = tuple(
            p for p in finding.problems if not (p.problem is Problem.MISSING and p.key in defaults)
        )
        if remaining:
            plan.left_to_people.append(Finding(finding.resource, remaining))
    return plan


def apply_fix(factory: SessionFactory, plan: FixPlan) -> list[FixResult]:
    """Add the planned tags, region by region; one result per resource."""
    by_region: dict[str, list[TagAddition]] = defaultdict(list)
    for addition in plan.additions:
        by_region[addition.resource.region].append(addition)
    results: list[FixResult] = []
    for region, additions in by_region.items():
        client = factory.client("resourcegroupstaggingapi", region=region)
        results += _apply_in_region(client, additions)
    return results


def _apply_in_region(client: Any, additions: list[TagAddition]) -> list[FixResult]:
    try:
        current = current_tags(client, [a.resource.arn for a in additions])
    except botocore.exceptions.ClientError as exc:
        return [FixResult(a, error=_message(exc)) for a in additions]
    results: list[FixResult] = []
    groups: dict[tuple[tuple[str, str], ...], list[tuple[TagAddition, dict[str, str]]]] = (
        defaultdict(list)
    )
    for addition in additions:
        now = current.get(addition.resource.arn, {})
        skipped = {key: now[key] for key in addition.tags if key in now}
        safe = {key: value for key, value in addition.tags.items() if key not in now}
        if not safe:
            results.append(FixResult(addition, skipped=skipped))
            continue
        groups[tuple(sorted(safe.items()))].append((addition, skipped))
    for tags, members in groups.items():
        for start in range(0, len(members), TAG_BATCH):
            batch = members[start : start + TAG_BATCH]
            arns = [addition.resource.arn for addition, _ in batch]
            try:
                response = client.tag_resources(ResourceARNList=arns, Tags=dict(tags))
            except botocore.exceptions.ClientError as exc:
                results += [FixResult(a, skipped=s, error=_message(exc)) for a, s in batch]
                continue
            failed = response.get("FailedResourcesMap", {})
            for addition, skipped in batch:
                failure = failed.get(addition.resource.arn)
                if failure:
                    code = failure.get("ErrorCode", "Error")
                    error = f"{code}: {failure.get('ErrorMessage', '')}".strip()
                    results.append(FixResult(addition, skipped=skipped, error=error))
                else:
                    results.append(FixResult(addition, added=dict(tags), skipped=skipped))
    return results


def current_tags(client: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    """The tags each ARN has now (an ARN with no tags is absent from GetResources' answer)."""
    return tags_of(client, arns)


def _message(exc: botocore.exceptions.ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
