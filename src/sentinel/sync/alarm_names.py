"""The concrete CloudWatch alarm names a config creates, by rule and by severity.

Alarm status widgets name rules (``api-high-latency``) or a severity (``critical``); CloudWatch
wants the alarms themselves. A templated rule (``for_each``) becomes one alarm per discovered
resource, named as the alarm kind names it: ``<project>-<rule>-<resource id>``, or the rule's
``aws_name`` with its placeholders filled for each resource. A severity also
has the SLO burn-rate alerts routed to it (the composites that notify, not their windows), of
every SLO a template expands to as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sentinel.naming import alarm_name
from sentinel.sync.templates import expand, fill

if TYPE_CHECKING:
    from sentinel.config.models import AlarmRule, CompositeAlarm
    from sentinel.inventory import Resource
    from sentinel.sync.context import SyncContext


def alarm_name_of(
    project: str,
    item: AlarmRule | CompositeAlarm,
    resource: Resource | None = None,
    source: str = "",
) -> str:
    """The AWS name of a rule's alarm (of ``resource``'s, for a template): the ``aws_name``
    as written, placeholders filled, else ``<project>-<rule>[-<resource id>]``."""
    if item.aws_name:
        return fill(item.aws_name, resource, source)
    return alarm_name(project, item.name, resource.id if resource else None)


@dataclass
class AlarmNames:
    """Rule name -> its alarm names, and severity -> the rules of that severity, in config order."""

    by_rule: dict[str, list[str]] = field(default_factory=dict)
    rules_by_severity: dict[str, list[str]] = field(default_factory=dict)
    slo_alerts_by_severity: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: SyncContext) -> AlarmNames:
        # The SLO modules bring numpy in: imported when names are needed, not at start-up.
        from sentinel.config.models import CompositeAlarm
        from sentinel.slo.alerts import burn_rate_alarms
        from sentinel.slo.templates import slo_instances
        from sentinel.sync.composite_expansion import known_items, left_out

        names = cls()
        project = ctx.project
        unplanned = left_out(ctx, known_items(ctx))
        items: list[AlarmRule | CompositeAlarm] = [*ctx.config.alarms, *ctx.config.composites]
        for item in items:
            if isinstance(item, CompositeAlarm) and item.name in unplanned:
                names.by_rule[item.name] = []
            elif item.for_each is None:
                names.by_rule[item.name] = [alarm_name_of(project, item)]
            else:
                resources = expand(item.for_each, ctx.inventory, ctx.region)
                names.by_rule[item.name] = [alarm_name_of(project, item, r) for r in resources]
            if item.severity is not None:
                names.rules_by_severity.setdefault(item.severity, []).append(item.name)
        for instance in slo_instances(ctx.config, ctx.inventory, ctx.region):
            slo = instance.slo
            if slo.alerting is None:
                continue
            # Each severity's actions are its own name, so a composite tells where it routes.
            tiers = (slo.alerting.page, slo.alerting.ticket)
            marked = {tier: {"alarm_actions": [tier]} for tier in tiers if tier}
            for alarm in burn_rate_alarms(project, slo, marked, {}):
                if alarm.composite:
                    severity = alarm.params["AlarmActions"][0]
                    names.slo_alerts_by_severity.setdefault(severity, []).append(alarm.name)
        return names

    def of_rules(self, rules: list[str]) -> list[str]:
        return [name for rule in rules for name in self.by_rule.get(rule, [])]

    def of_severity(self, severity: str) -> list[str]:
        rules = self.of_rules(self.rules_by_severity.get(severity, []))
        return rules + self.slo_alerts_by_severity.get(severity, [])


def alarm_arn(ctx: SyncContext, name: str) -> str:
    return ctx.arn("cloudwatch", f"alarm:{name}")


def explicit_alarm_names(ctx: SyncContext, composites: bool) -> list[str]:
    """The names the config gives alarms outside the project prefix (``aws_name``), in order.

    Only these are read outside the prefix: an alarm the config does not name is never read.
    """
    items: list[AlarmRule | CompositeAlarm] = list(
        ctx.config.composites if composites else ctx.config.alarms
    )
    found: list[str] = []
    for item in items:
        if not item.aws_name:
            continue
        source = ctx.config.source("alarm", item.name)
        if item.for_each is None:
            found.append(alarm_name_of(ctx.project, item, None, source))
            continue
        for resource in expand(item.for_each, ctx.inventory, ctx.region):
            found.append(alarm_name_of(ctx.project, item, resource, source))
    return [name for name in dict.fromkeys(found) if not name.startswith(ctx.prefix)]
