"""The concrete CloudWatch alarm names a config creates, by rule and by severity.

Alarm status widgets name rules (``api-high-latency``) or a severity (``critical``); CloudWatch
wants the alarms themselves. A templated rule (``for_each``) becomes one alarm per discovered
resource, named as the alarm kind names it: ``<project>-<rule>-<resource id>``. A severity also
has the SLO burn-rate alerts routed to it (the composites that notify, not their windows), of
every SLO a template expands to as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sentinel.naming import alarm_name
from sentinel.slo.alerts import burn_rate_alarms
from sentinel.slo.templates import slo_instances
from sentinel.sync.templates import expand

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext


@dataclass
class AlarmNames:
    """Rule name -> its alarm names, and severity -> the rules of that severity, in config order."""

    by_rule: dict[str, list[str]] = field(default_factory=dict)
    rules_by_severity: dict[str, list[str]] = field(default_factory=dict)
    slo_alerts_by_severity: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: SyncContext) -> AlarmNames:
        names = cls()
        project = ctx.project
        for rule in ctx.config.alarms:
            if rule.for_each is None:
                names.by_rule[rule.name] = [alarm_name(project, rule.name)]
            else:
                resources = expand(rule.for_each, ctx.inventory, ctx.region)
                names.by_rule[rule.name] = [alarm_name(project, rule.name, r.id) for r in resources]
            names.rules_by_severity.setdefault(rule.severity, []).append(rule.name)
        for composite in ctx.config.composites:
            if composite.for_each is None:
                names.by_rule[composite.name] = [alarm_name(project, composite.name)]
            else:
                resources = expand(composite.for_each, ctx.inventory, ctx.region)
                names.by_rule[composite.name] = [
                    alarm_name(project, composite.name, r.id) for r in resources
                ]
            names.rules_by_severity.setdefault(composite.severity, []).append(composite.name)
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
