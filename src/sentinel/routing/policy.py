"""What the configuration says about an alert: its severity, its rule, its links, its hold.

Severity comes from the topic the message arrived on (SNS envelope), else from the alarm's
actions (raw delivery), else from the rule the alarm name was made from, else from the budget's
``notify`` list, else from the severity a Sentinel message carries. An alert none of these name
cannot be routed: the consumer sends it to the dead-letter queue with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sentinel.config.loader import Config
from sentinel.config.models.alarms import AlarmRule, CompositeAlarm
from sentinel.config.models.dashboards import AlarmStatusWidget
from sentinel.config.models.routing import Router, Severity
from sentinel.naming import budget_name_of, dashboard_name_of, prefix, severity_topic
from sentinel.routing.alert import Alert, AlertKind, AlertState, Link
from sentinel.routing.noise import Hold, group_wait_hold, maintenance_hold, quiet_hold

DEFAULT_ROUTER = Router()


class UnroutableAlert(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    runbook: str | None
    description: str | None


class RoutingPolicy:
    """The routing part of a ``Config``, indexed for the questions the router asks."""

    def __init__(self, config: Config) -> None:
        if config.routing is None:
            raise UnroutableAlert("the configuration has no alarms/routing.yaml")
        self.config = config
        self.routing = config.routing
        self.router = config.routing.router or DEFAULT_ROUTER
        self.project = config.name
        self.timezone = ZoneInfo(config.project.timezone)
        self.severity_by_topic: dict[str, str] = {}
        for severity in self.routing.severities:
            self.severity_by_topic.setdefault(severity_topic(config, severity), severity)
        self.rules: dict[str, Rule] = {}
        for rule in config.alarms:
            if rule.severity is None:
                continue  # a dashboard-only alarm notifies nobody: it never reaches the router
            self.rules[rule.name] = Rule(rule.name, rule.severity, rule.runbook, rule.description)
        for composite in config.composites:
            self.rules[composite.name] = Rule(
                composite.name, composite.severity, composite.runbook, composite.description
            )
        # Longest first, so rule "api-error-rate" wins over "api-error" for "p2p-api-error-rate-x".
        self._rule_names = sorted(self.rules, key=len, reverse=True)
        # Rules with an aws_name are known by it (a template's by its pattern), not the prefix.
        self._named_rules: dict[str, str] = {}
        self._rule_patterns: list[tuple[re.Pattern[str], str]] = []
        items: list[AlarmRule | CompositeAlarm] = [*config.alarms, *config.composites]
        for item in items:
            if not item.aws_name:
                continue
            if item.for_each is None:
                self._named_rules.setdefault(item.aws_name, item.name)
            else:
                self._rule_patterns.append((_name_pattern(item.aws_name), item.name))
        self._rule_names = [r for r in self._rule_names if r not in self._explicit()]
        self._budget_names = {budget_name_of(self.project, b): b.name for b in config.budgets}
        self.budget_severity = {
            b.name: next((n for n in b.notify if n in self.routing.severities), None)
            for b in config.budgets
        }
        for budget in config.budgets:
            for alert in budget.alerts:
                for name in alert.notify:
                    if (
                        name in self.routing.severities
                        and self.budget_severity.get(budget.name) is None
                    ):
                        self.budget_severity[budget.name] = name

    def tier(self, severity: str) -> Severity:
        return self.routing.severities[severity]

    # --- which severity -------------------------------------------------------------------

    def severity_of(self, alert: Alert) -> str:
        for arn in (alert.topic_arn, *alert.actions):
            severity = self.severity_by_topic.get((arn or "").rsplit(":", 1)[-1])
            if severity:
                return severity
        if alert.topic_arn:
            raise UnroutableAlert(
                f"topic {alert.topic_arn.rsplit(':', 1)[-1]} is not a severity topic of "
                f"project {self.project}"
            )
        rule = self.rule_of(alert)
        if rule is not None:
            return self.rules[rule].severity
        if alert.kind is AlertKind.BUDGET:
            severity = self.budget_severity.get(self._budget_name(alert))
            if severity:
                return severity
        if alert.severity in self.routing.severities:
            return alert.severity
        raise UnroutableAlert(
            f"no severity for {alert.kind.value} {alert.name!r}: not from a severity topic, "
            f"and no rule, budget or severity of project {self.project} names it"
        )

    def _explicit(self) -> set[str]:
        return {*self._named_rules.values(), *(rule for _, rule in self._rule_patterns)}

    def _budget_name(self, alert: Alert) -> str:
        name = alert.name
        if name in self._budget_names:
            return self._budget_names[name]
        project_prefix = prefix(self.project)
        return name[len(project_prefix) :] if name.startswith(project_prefix) else name

    def rule_of(self, alert: Alert) -> str | None:
        """The rule an alarm was made from: its ``aws_name`` (a template's with any value in
        place of each placeholder), else ``<project>-<rule>[-<resource id>]``."""
        if alert.kind not in (AlertKind.METRIC, AlertKind.METRIC_MATH, AlertKind.COMPOSITE):
            return None
        if alert.name in self._named_rules:
            return self._named_rules[alert.name]
        for pattern, rule in self._rule_patterns:
            if pattern.fullmatch(alert.name):
                return rule
        project_prefix = prefix(self.project)
        if not alert.name.startswith(project_prefix):
            return None
        rest = alert.name[len(project_prefix) :]
        for rule in self._rule_names:
            if rest == rule or rest.startswith(rule + "-"):
                return rule
        return None

    # --- links -------------------------------------------------------------------------------

    def links(self, alert: Alert) -> tuple[Link, ...]:
        links = list(alert.links)
        region = alert.region or self.config.project.regions[0]
        console = _console(region)
        if alert.kind in (AlertKind.METRIC, AlertKind.METRIC_MATH, AlertKind.COMPOSITE):
            links.append(
                Link(
                    "Alarm",
                    f"{console}/cloudwatch/home?region={region}#alarmsV2:alarm/"
                    f"{quote(alert.name, safe='')}",
                )
            )
        rule_name = self.rule_of(alert)
        dashboard = self._dashboard(rule_name, self._severity_or_none(alert))
        if dashboard:
            links.append(
                Link(
                    "Dashboard",
                    f"{console}/cloudwatch/home?region={region}#dashboards/"
                    f"dashboard/{quote(self._dashboard_aws_name(dashboard), safe='')}",
                )
            )
        rule = self.rules.get(rule_name) if rule_name else None
        if rule and rule.runbook:
            links.append(Link("Runbook", rule.runbook))
        return tuple(dict.fromkeys(links))

    def _severity_or_none(self, alert: Alert) -> str | None:
        try:
            return self.severity_of(alert)
        except UnroutableAlert:
            return None

    def _dashboard_aws_name(self, name: str) -> str:
        found = next(d for d in self.config.dashboards if d.name == name)
        return dashboard_name_of(self.project, found)

    def _dashboard(self, rule: str | None, severity: str | None) -> str | None:
        dashboards = self.config.dashboards
        for dashboard in dashboards:
            for row in dashboard.rows:
                for widget in row.widgets:
                    if isinstance(widget, AlarmStatusWidget) and (
                        (rule and rule in widget.alarms)
                        or (severity and widget.severity == severity)
                    ):
                        return dashboard.name
        return dashboards[0].name if dashboards else None

    # --- noise control ---------------------------------------------------------------------

    def quiet_timezone(self, severity: str) -> ZoneInfo:
        quiet = self.tier(severity).quiet_hours
        if quiet and quiet.timezone:
            return ZoneInfo(quiet.timezone)
        oncall = self.routing.oncall
        return ZoneInfo(oncall.timezone) if oncall and oncall.timezone else self.timezone

    def hold(
        self, alert: Alert, severity: str, notified: AlertState | None, received_at: datetime
    ) -> Hold | None:
        """Why and until when ``alert`` waits before it is sent; None to send it now."""
        names = [alert.name, self.rule_of(alert) or ""]
        holds = [
            group_wait_hold(alert, notified, self.router.group_wait, received_at),
            quiet_hold(
                self.tier(severity).quiet_hours,
                received_at,
                self.quiet_timezone(severity),
                self.router.digest_at,
            ),
            maintenance_hold(self.routing.maintenance, names, received_at, self.timezone),
        ]
        chosen: Hold | None = None
        for hold in holds:
            if hold is not None:
                chosen = hold.merge(chosen)
        return chosen

    def response_time(self, severity: str) -> int | None:
        """Seconds a page may stay unacknowledged before it is re-paged (paging tiers only)."""
        tier = self.tier(severity)
        return tier.response_time if tier.page else None

    def escalate_after(self, severity: str) -> int | None:
        """Seconds a paging alarm may stay unacknowledged before the escalation contact hears."""
        tier = self.tier(severity)
        oncall = self.routing.oncall
        if not tier.page or oncall is None or oncall.escalation is None:
            return None
        return tier.escalate_after or oncall.escalation.after


def _console(region: str) -> str:
    if region.startswith("cn-"):
        return f"https://{region}.console.amazonaws.cn"
    if "-gov-" in region:
        return f"https://{region}.console.amazonaws-us-gov.com"
    return f"https://{region}.console.aws.amazon.com"


def _name_pattern(template: str) -> re.Pattern[str]:
    """``{id}-cpu-high`` -> a pattern of the names it makes: any text for each placeholder."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".+?".join(re.escape(part) for part in parts))
