"""Settings that are valid but do nothing: named as warnings, so nobody relies on them."""

from __future__ import annotations

from typing import Any

from sentinel.config.models import AnomalyDetection, BudgetsFile, Routing
from sentinel.config.yaml_source import YamlMap, locate
from sentinel.errors import ConfigWarning


def unused_routing(
    routing: Routing, file: str, data: YamlMap, anomaly_detection: AnomalyDetection | None = None
) -> list[ConfigWarning]:
    """What only the alert router acts on, when no router is configured.

    Without ``router:`` (or with ``enabled: false``) SNS delivers a severity's notifications
    itself: it cannot post to Slack, hold a message for quiet hours or a maintenance window,
    or escalate an unacknowledged page; only ``sentinel route`` does those.
    """
    if routing.router is not None and routing.router.enabled:
        return []
    why, fix = (
        ("the router is disabled", "set router.enabled: true")
        if routing.router is not None
        else ("no router is configured", "add `router:` to this file")
    )
    found: list[ConfigWarning] = []

    def warn(loc: tuple[str | int, ...], setting: str, because: str, at_key: bool = False) -> None:
        position = locate(data, loc, at_key=at_key)
        message = f"{setting} does nothing: {why}, and {because} ({fix})"
        found.append(ConfigWarning(file, position.line, position.column, message))

    # Anomaly notices post to their severity's Slack channel themselves (cost/notices.py).
    anomaly_severity = (
        anomaly_detection.severity
        if anomaly_detection is not None and anomaly_detection.slack is None
        else None
    )
    for name, severity in routing.severities.items():
        for index, destination in enumerate(severity.notify):
            if destination.slack is not None and name != anomaly_severity:
                warn(
                    ("severities", name, "notify", index),
                    f"Slack destination {destination.slack.channel} of severity {name!r}",
                    "SNS cannot post to Slack",
                )
        if severity.quiet_hours is not None:
            warn(
                ("severities", name, "quiet_hours"),
                f"quiet_hours of severity {name!r}",
                "SNS delivers at once",
                at_key=True,
            )
        if severity.escalate_after is not None:
            warn(
                ("severities", name, "escalate_after"),
                f"escalate_after of severity {name!r}",
                "SNS does not escalate",
                at_key=True,
            )
    if routing.oncall is not None and routing.oncall.escalation is not None:
        warn(
            ("oncall", "escalation"),
            f"oncall.escalation to {routing.oncall.escalation.contact}",
            "SNS does not escalate",
            at_key=True,
        )
    for index, window in enumerate(routing.maintenance):
        warn(
            ("maintenance", index),
            f"maintenance window {window.name!r}",
            "SNS notifies during it",
        )
    return found


BUDGETS_PRINCIPAL = "budgets.amazonaws.com"


def unheard_budget_alerts(
    budgets: BudgetsFile, file: str, data: YamlMap, routing: Routing
) -> list[ConfigWarning]:
    """Budget alerts routed to a severity whose ``topic_policy`` does not let Budgets publish.

    AWS Budgets posts to an SNS topic only when the topic's access policy allows the
    ``budgets.amazonaws.com`` service principal to publish; Sentinel's own policy does, a policy
    kept from a hand-made topic may not, and the alert would then never arrive.
    """
    found: list[ConfigWarning] = []
    for b, budget in enumerate(budgets.budgets):
        for a, alert in enumerate(budget.alerts):
            for n, target in enumerate(alert.notify or budget.notify):
                severity = routing.severities.get(target)
                if severity is None or severity.topic_policy is None:
                    continue
                policy = severity.topic_policy
                if isinstance(policy, dict) and _lets_budgets_publish(policy):
                    continue
                loc: tuple[str | int, ...] = (
                    ("budgets", b, "alerts", a, "notify", n)
                    if alert.notify
                    else ("budgets", b, "notify", n)
                )
                position = locate(data, loc)
                found.append(
                    ConfigWarning(
                        file,
                        position.line,
                        position.column,
                        f"budget {budget.name!r} alerts severity {target!r}, whose topic_policy "
                        f"does not let {BUDGETS_PRINCIPAL} publish: its alerts would never arrive "
                        "(add a statement allowing SNS:Publish to that principal)",
                    )
                )
    return found


def _lets_budgets_publish(policy: dict[str, Any]) -> bool:
    for statement in policy.get("Statement", []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        everyone = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")
        publishes = any(str(a).lower() in ("sns:publish", "sns:*", "*") for a in actions)
        if publishes and (
            BUDGETS_PRINCIPAL in services or (everyone and not statement.get("Condition"))
        ):
            return True
    return False
