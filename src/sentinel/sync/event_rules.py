"""EventBridge rules: one per ``events:`` entry, on the default bus, targeting a severity topic.

A rule is named ``<project>-<name>``, ENABLED, with its preset's (or its own) event pattern, and
one target: the SNS topic of its severity, through which the event reaches the router like an
alarm does. Ownership is the rule's ``sentinel:project`` tag, read through the Tagging API.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sentinel.config.event_patterns import pattern_text
from sentinel.config.event_presets import presets, rule_pattern
from sentinel.naming import event_rule_name
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key, tag_list

if TYPE_CHECKING:
    from sentinel.config.models.events import EventRule
    from sentinel.sync.context import SyncContext

KIND = "event rule"
STATE = "ENABLED"
# The one target of a rule; its Id is fixed so that PutTargets replaces it in place.
TARGET_ID = "severity-topic"
PAGE_SIZE = 100  # ListRules' and ListTargetsByRule's Limit maximum
TARGETS_PER_REMOVE = 100  # RemoveTargets' Ids maximum


def rule_arn(ctx: SyncContext, name: str) -> str:
    """The ARN of a rule of the default bus."""
    return ctx.arn("events", f"rule/{name}")


def rule_description(rule: EventRule) -> str:
    if rule.description:
        return rule.description
    if rule.preset is not None:
        return presets()[rule.preset].description
    return f"event rule {rule.name}"


def rule_fields(
    pattern: dict[str, Any] | None, state: str, description: str, targets: list[str]
) -> dict[str, Any]:
    return {
        "state": state,
        "pattern": pattern,
        "description": description,
        "targets": sorted(targets),
    }


def project_rules(ctx: SyncContext, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """The default bus's rules of the project prefix, every page."""
    paginator = ctx.client("events").get_paginator("list_rules")
    pages = paginator.paginate(NamePrefix=ctx.prefix, PaginationConfig={"PageSize": page_size})
    for page in pages:
        yield from page.get("Rules", [])


def rule_targets(ctx: SyncContext, name: str, page_size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    paginator = ctx.client("events").get_paginator("list_targets_by_rule")
    pages = paginator.paginate(Rule=name, PaginationConfig={"PageSize": page_size})
    return [target for page in pages for target in page.get("Targets", [])]


class EventRules(Kind):
    name = KIND
    label = "EventBridge rules"
    reads = ("events:ListRules", "events:ListTargetsByRule", "tag:GetResources")
    writes = (
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
        "events:DeleteRule",
    )
    page_size = PAGE_SIZE

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for rule in ctx.config.events:
            if rule.preset is not None and not presets()[rule.preset].lives_in(ctx.region):
                continue  # its events never reach this region's EventBridge
            name = event_rule_name(ctx.project, rule.name)
            pattern = rule_pattern(rule.preset, rule.pattern, rule.options)
            description = rule_description(rule)
            topic = ctx.topic_arn(rule.severity)
            payload = {
                "rule": {
                    "Name": name,
                    "EventPattern": pattern_text(pattern),
                    "State": STATE,
                    "Description": description,
                    "Tags": tag_list(ctx.tags),
                },
                "targets": [{"Id": TARGET_ID, "Arn": topic}],
            }
            states.append(
                State(
                    KIND,
                    name,
                    rule_fields(pattern, STATE, description, [topic]),
                    source=ctx.config.source("event", rule.name),
                    payload=payload,
                    arn=rule_arn(ctx, name),
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        states = []
        for rule in project_rules(ctx, self.page_size):
            if rule.get("EventBusName", "default") != "default":
                continue
            name = rule["Name"]
            text = rule.get("EventPattern")
            targets = rule_targets(ctx, name, self.page_size)
            fields = rule_fields(
                json.loads(text) if text else None,
                rule.get("State", ""),
                rule.get("Description", ""),
                [t["Arn"] for t in targets],
            )
            states.append(
                State(
                    KIND,
                    name,
                    fields,
                    arn=rule.get("Arn"),
                    payload={"target_ids": [t["Id"] for t in targets]},
                )
            )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        # The Tagging API answers for 100 rules a request: ListRules carries no tags, and
        # ListTagsForResource would cost one request per rule on every plan.
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        events = ctx.client("events")
        events.put_rule(**state.payload["rule"])
        events.put_targets(Rule=state.key, Targets=state.payload["targets"])

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        events = ctx.client("events")
        rule = dict(desired.payload["rule"])
        tags = rule.pop("Tags")
        events.put_rule(**rule)  # PutRule leaves the tags of an existing rule as they are
        events.tag_resource(ResourceARN=actual.arn or desired.arn, Tags=tags)
        events.put_targets(Rule=desired.key, Targets=desired.payload["targets"])
        stale = [i for i in (actual.payload or {}).get("target_ids", []) if i != TARGET_ID]
        self._remove_targets(ctx, desired.key, stale)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        arn = state.arn or rule_arn(ctx, state.key)
        ctx.client("events").tag_resource(ResourceARN=arn, Tags=tag_list(ctx.tags))

    def delete(self, ctx: SyncContext, state: State) -> None:
        # A rule with targets cannot be deleted: its targets go first.
        events = ctx.client("events")
        ids = [t["Id"] for t in rule_targets(ctx, state.key, self.page_size)]
        self._remove_targets(ctx, state.key, ids)
        with contextlib.suppress(events.exceptions.ResourceNotFoundException):
            events.delete_rule(Name=state.key)  # deleted meanwhile: done

    @staticmethod
    def _remove_targets(ctx: SyncContext, rule: str, ids: list[str]) -> None:
        events = ctx.client("events")
        for start in range(0, len(ids), TARGETS_PER_REMOVE):
            events.remove_targets(Rule=rule, Ids=ids[start : start + TARGETS_PER_REMOVE])
