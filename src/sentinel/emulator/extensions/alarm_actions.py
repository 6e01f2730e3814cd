"""What CloudWatch does when an alarm changes state: composites over it are evaluated again,
and every alarm that changed publishes the actions of its new state to their SNS topics.

moto changes the state (SetAlarmState) and does nothing else. The message is CloudWatch's
alarm notification (``AlarmName``, ``NewStateValue``, ``OldStateValue``, ``AlarmRule`` for a
composite, ``Trigger`` for a metric alarm), with the subject ``ALARM: "name" in <region>``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.cloudwatch.models import Alarm, CloudWatchBackend
from moto.core.exceptions import ServiceException
from moto.sns.models import sns_backends
from werkzeug.exceptions import HTTPException

from sentinel import clock
from sentinel.emulator.extensions.composite_rules import RuleError, parse
from sentinel.routing.messages import cloudwatch_time
from sentinel.routing.regions import region_name


def propagate(backend: CloudWatchBackend, alarm: Alarm, before: str | None) -> None:
    """After ``alarm`` was written or changed state (from ``before``; None: a composite just
    written, to be evaluated): its actions if it changed, then each composite over it."""
    changed: list[Alarm] = []
    if alarm.rule is not None and before is None:
        if _evaluate(backend, alarm):
            changed.append(alarm)
    elif before != alarm.state_value:
        _notify(backend, alarm, before or "INSUFFICIENT_DATA", alarm.state_reason)
        changed.append(alarm)
    # Composites of composites: at most one round per alarm, as a cycle could go on forever.
    for _ in range(len(backend.alarms)):
        if not changed:
            return
        names = {c.name for c in changed}
        changed = [
            composite
            for composite in list(backend.alarms.values())
            if composite.rule is not None
            and names & set(_children(composite))
            and _evaluate(backend, composite, names)
        ]


def _children(composite: Alarm) -> list[str]:
    try:
        return parse(str(composite.rule)).alarms
    except RuleError:
        return []


def _evaluate(
    backend: CloudWatchBackend, composite: Alarm, because: set[str] | None = None
) -> bool:
    """Set the composite's state from its rule; True when it changed (its actions are sent)."""
    try:
        rule = parse(str(composite.rule))
    except RuleError:
        return False

    def state(name: str) -> str:
        child = backend.alarms.get(name)
        return child.state_value if child is not None else "INSUFFICIENT_DATA"

    new = "ALARM" if rule.evaluate(state) else "OK"
    old = composite.state_value
    if new == old:
        return False
    triggering = sorted((because or set()) & set(rule.alarms))
    reason = (
        f"{', '.join(_arn(backend, n) for n in triggering)} transitioned to {state(triggering[0])}"
        if triggering
        else f"the rule evaluates to {new == 'ALARM'}"
    )
    composite.update_state(reason, "{}", new)
    _notify(backend, composite, old, reason)
    return True


def _notify(backend: CloudWatchBackend, alarm: Alarm, old: str, reason: str) -> None:
    if not alarm.actions_enabled:
        return
    actions = {
        "ALARM": alarm.alarm_actions or [],
        "OK": alarm.ok_actions or [],
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions or [],
    }[alarm.state_value]
    region = backend.region_name
    message: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": backend.account_id,
        "NewStateValue": alarm.state_value,
        "NewStateReason": reason,
        "StateChangeTime": cloudwatch_time(clock.now()),
        "Region": region_name(region),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old,
        "OKActions": alarm.ok_actions or [],
        "AlarmActions": alarm.alarm_actions or [],
        "InsufficientDataActions": alarm.insufficient_data_actions or [],
    }
    if alarm.rule is not None:
        message["AlarmRule"] = alarm.rule
    else:
        message["Trigger"] = {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": str(alarm.statistic or "").upper(),
            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
        }
    subject = f'{alarm.state_value}: "{alarm.name}" in {region_name(region)}'[:100]
    for action in actions:
        parts = action.split(":")
        if len(parts) >= 6 and parts[2] == "sns":
            _publish(parts[4], parts[3], action, json.dumps(message), subject)


def _publish(account: str, region: str, topic_arn: str, message: str, subject: str) -> None:
    """The notification to the topic's SQS subscribers only: the emulator never sends one to
    an HTTP endpoint, an email address or a phone (moto's own publish would post to them)."""
    backend = sns_backends[account][region]
    topic = backend.topics.get(topic_arn)
    if topic is None:
        return  # AWS records the failed action in the alarm's history; nothing is sent
    message_id = str(uuid.uuid4())
    subscriptions, _ = backend.list_subscriptions_by_topic(topic_arn=topic_arn)
    for subscription in subscriptions:
        if subscription.protocol != "sqs":
            continue
        try:
            subscription.publish(message, message_id, subject=subject)
        except (HTTPException, ServiceException):
            continue  # delivery is asynchronous in AWS: a missing queue fails no state change
    topic.sent_notifications.append((message_id, message, subject, None, None))


def _arn(backend: CloudWatchBackend, name: str) -> str:
    child = backend.alarms.get(name)
    return child.alarm_arn if child is not None else name
