"""CloudWatch composite alarms: a rule over other alarms, ``ALARM(a) AND NOT OK(b)``.

Rules name alarms as the config does (rule names); in AWS they name the managed alarms.
A composite may use another composite, so composites are written one at a time, in an order
where every alarm a rule uses exists first (and deleted in the reverse order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sentinel.config.composite_aggregates import find_aggregates, referenced_alarms
from sentinel.config.references import RULE_REFERENCE
from sentinel.sync.alarm_names import alarm_name_of
from sentinel.sync.alarms import actions_of, alarm_description, describe_alarms, tag_alarm
from sentinel.sync.composite_expansion import expansion, known_items, left_out
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key
from sentinel.sync.templates import expand, fill

if TYPE_CHECKING:
    from sentinel.config.models import AlarmRule, CompositeAlarm
    from sentinel.inventory import Resource
    from sentinel.sync.context import SyncContext

KIND = "composite alarm"


def alarm_rule(
    project: str,
    rule: str,
    known: Mapping[str, AlarmRule | CompositeAlarm],
    resource: Resource | None = None,
) -> str:
    """The rule with every configured alarm name replaced by the managed alarm's AWS name.

    Names the config does not define are left as written: they may be alarms Sentinel does
    not manage. A templated rule's name is the alarm of ``resource`` (a composite's instance);
    a rule with an ``aws_name`` is that name.
    """

    def replace(match: re.Match[str]) -> str:
        state, name = match.group(1), match.group(2).strip()
        item = known.get(name)
        if item is None:
            target = name
        elif item.for_each is not None and resource is not None:
            target = alarm_name_of(project, item, resource)
        else:
            target = alarm_name_of(project, item)
        return f'{state}("{target}")'

    return RULE_REFERENCE.sub(replace, rule.strip())


def dependencies(composite: CompositeAlarm) -> set[str]:
    """The rule names a composite's rule uses, aggregated (``ALARM(any x)``) or not."""
    aggregated = {aggregate.name for aggregate in find_aggregates(composite.rule)}
    plain = {match.group(2).strip() for match in RULE_REFERENCE.finditer(composite.rule)}
    return aggregated | {name for name in plain if " " not in name}


def in_dependency_order(composites: list[CompositeAlarm]) -> list[CompositeAlarm]:
    """Composites ordered so that each comes after the composites its rule uses."""
    by_name = {c.name: c for c in composites}
    order = _topological({c.name: dependencies(c) for c in composites})
    return [by_name[name] for name in order]


def _topological(uses: Mapping[str, set[str]]) -> list[str]:
    """Names with every name they use (among ``uses``' keys) before them; stable otherwise."""
    ordered: list[str] = []
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name in visiting:
            return  # a cycle is left for AWS to refuse, with its own message
        visiting.add(name)
        for used in sorted(uses[name]):
            if used in uses:
                visit(used)
        visiting.discard(name)
        done.add(name)
        ordered.append(name)

    for name in uses:
        visit(name)
    return ordered


class CompositeAlarms(Kind):
    name = KIND
    label = "CloudWatch composite alarms"
    reads = ("cloudwatch:DescribeAlarms", "tag:GetResources")
    writes = ("cloudwatch:PutCompositeAlarm", "cloudwatch:TagResource", "cloudwatch:DeleteAlarms")
    ordered = True

    def desired(self, ctx: SyncContext) -> list[State]:
        """One state per composite (per resource, templated), aggregates over the instances
        their rules have now; a composite whose aggregate has none is left out (a warning)."""
        config = ctx.config
        known = known_items(ctx)
        unplanned = left_out(ctx, known)
        states = []
        for composite in in_dependency_order(list(config.composites)):
            source = config.source("alarm", composite.name)
            expanded = expansion(ctx, composite, known)
            if expanded is None or composite.name in unplanned:
                continue
            if composite.for_each is None:
                rule = expanded.fill(alarm_rule(ctx.project, expanded.marked, known))
                states.append(self._state(ctx, composite, None, rule, source))
                continue
            for resource in expand(composite.for_each, ctx.inventory, ctx.region):
                rule = expanded.fill(alarm_rule(ctx.project, expanded.marked, known, resource))
                states.append(self._state(ctx, composite, resource, rule, source))
        return states

    def _state(
        self,
        ctx: SyncContext,
        composite: CompositeAlarm,
        resource: Resource | None,
        rule: str,
        source: str,
    ) -> State:
        name = alarm_name_of(ctx.project, composite, resource, source)
        actions = actions_of(ctx, composite.severity)
        tags = {**ctx.tags, **composite.tags}
        description = composite.description
        params: dict[str, Any] = {
            "AlarmName": name,
            "AlarmDescription": alarm_description(
                fill(description, resource, source) if description else None, composite.runbook
            ),
            "AlarmRule": rule,
            "ActionsEnabled": True,
            "AlarmActions": actions["alarm_actions"],
            "OKActions": actions["ok_actions"],
            "InsufficientDataActions": actions["insufficient_data_actions"],
            "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        }
        return State(
            KIND, name, normalise_composite(params), source=source, payload={"params": params}
        )

    def actual(self, ctx: SyncContext) -> list[State]:
        """In dependency order too, so that deletions (reversed) remove users first."""
        states = {
            alarm["AlarmName"]: State(
                KIND,
                alarm["AlarmName"],
                normalise_composite(alarm),
                payload=kept_settings(alarm),
                arn=alarm.get("AlarmArn"),
            )
            for alarm in describe_alarms(ctx, "CompositeAlarm")
        }
        uses = {key: referenced_alarms(state.fields["rule"]) for key, state in states.items()}
        return [states[key] for key in _topological(uses)]

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").put_composite_alarm(**state.payload["params"])

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        params = desired.payload["params"]
        cloudwatch = ctx.client("cloudwatch")
        # PutCompositeAlarm overwrites the whole alarm: what Sentinel does not manage is sent back.
        cloudwatch.put_composite_alarm(**{**(actual.payload or {}), **params})
        if actual.arn:
            cloudwatch.tag_resource(ResourceARN=actual.arn, Tags=params["Tags"])

    def delete(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").delete_alarms(AlarmNames=[state.key])

    def adopt(self, ctx: SyncContext, state: State) -> None:
        tag_alarm(ctx, state)


# Set outside Sentinel (the console, another tool): an update sends them back as they are.
KEPT = ("ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod")


def kept_settings(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """The actual alarm's settings Sentinel does not manage, as PutCompositeAlarm takes them."""
    return {name: alarm[name] for name in KEPT if alarm.get(name) is not None}


def normalise_composite(alarm: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "description": alarm.get("AlarmDescription") or "",
        "rule": " ".join(str(alarm.get("AlarmRule") or "").split()),
        "actions_enabled": bool(alarm.get("ActionsEnabled", True)),
        "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        "ok_actions": sorted(alarm.get("OKActions") or []),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions") or []),
    }
