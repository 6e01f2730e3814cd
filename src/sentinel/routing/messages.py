"""Parse what arrives on the router queue into an ``Alert``.

An SQS body is either an SNS envelope (``Type: Notification`` with the message inside) or, with
raw message delivery, the message itself. Inside is a CloudWatch alarm (metric, metric math with
``Trigger.Metrics``, or composite with ``AlarmRule``), an AWS Budgets notification (plain text),
one of Sentinel's own anomaly/SLO messages, or an AWS event that an EventBridge rule published.
Anything else raises ``UnparseableMessage`` with a reason a person can act on; the consumer
moves such a message to the dead-letter queue.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sentinel import clock
from sentinel.routing.alert import Alert, AlertKind, AlertState, Link
from sentinel.routing.event_messages import is_eventbridge_event, parse_event
from sentinel.routing.regions import account_from_arn, region_code, region_from_arn
from sentinel.routing.sentinel_messages import (
    SentinelMessageError,
    is_sentinel_message,
    parse_sentinel_message,
)

BUDGETS_CONSOLE = "https://console.aws.amazon.com/billing/home#/budgets"
_OPERATORS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "below the band",
    "GreaterThanUpperThreshold": "above the band",
}


class UnparseableMessage(ValueError):
    """A message the router cannot read; ``reason`` says why, without echoing the body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """The SNS notification around a message, or a stand-in for a raw delivery."""

    message_id: str
    message: str
    topic_arn: str | None
    subject: str | None
    timestamp: datetime | None
    raw: bool


def open_envelope(body: str) -> Envelope:
    """Unwrap an SNS envelope; a raw delivery gets an id derived from its content."""
    data = _json_object(body)
    if data is not None and data.get("Type") in ("Notification", "SubscriptionConfirmation"):
        if data["Type"] == "SubscriptionConfirmation":
            raise UnparseableMessage(
                "SNS SubscriptionConfirmation: confirm the subscription (SubscribeURL) of "
                f"{data.get('TopicArn', 'the topic')} to this queue"
            )
        message = data.get("Message")
        if not isinstance(message, str) or not data.get("MessageId"):
            raise UnparseableMessage("SNS notification without Message or MessageId")
        return Envelope(
            message_id=str(data["MessageId"]),
            message=message,
            topic_arn=data.get("TopicArn"),
            subject=data.get("Subject"),
            timestamp=aws_time(data.get("Timestamp")),
            raw=False,
        )
    digest = hashlib.sha256(body.encode()).hexdigest()[:32]
    return Envelope(f"raw-{digest}", body, None, None, None, raw=True)


def parse_message(body: str, received_at: datetime | None = None) -> Alert:
    """The ``Alert`` in an SQS message body (enveloped or raw)."""
    envelope = open_envelope(body)
    return parse_envelope(envelope, received_at or clock.now())


def parse_envelope(envelope: Envelope, received_at: datetime) -> Alert:
    text = envelope.message.strip()
    if not text:
        raise UnparseableMessage("empty message")
    data = _json_object(text)
    if data is not None:
        if "AlarmName" in data and "NewStateValue" in data:
            return _cloudwatch(data, envelope)
        if is_sentinel_message(data):
            try:
                return parse_sentinel_message(
                    data,
                    envelope.message_id,
                    envelope.topic_arn,
                    envelope.raw,
                    envelope.timestamp or received_at,
                )
            except SentinelMessageError as exc:
                raise UnparseableMessage(str(exc)) from None
        if is_eventbridge_event(data):
            event_time = aws_time(data.get("time")) or envelope.timestamp or received_at
            return parse_event(
                data, envelope.message_id, envelope.topic_arn, envelope.raw, event_time
            )
        keys = ", ".join(sorted(data)[:8])
        raise UnparseableMessage(f"JSON message of an unknown format (keys: {keys})")
    if text.startswith("{") or text.startswith("["):
        raise UnparseableMessage("message is not valid JSON")
    if _is_budget(text):
        return _budget(text, envelope, received_at)
    raise UnparseableMessage(
        "neither a CloudWatch alarm, an AWS Budgets notification nor a Sentinel message"
    )


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def aws_time(value: Any) -> datetime | None:
    """ISO times as AWS writes them, including ``+0000`` offsets; naive means UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cloudwatch_time(moment: datetime) -> str:
    """A time as CloudWatch writes ``StateChangeTime``: ``2026-03-02T09:59:12.345+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def _state(value: Any, field: str) -> AlertState:
    try:
        return AlertState(str(value))
    except ValueError:
        raise UnparseableMessage(f"CloudWatch alarm with an unknown {field} {value!r}") from None


def _cloudwatch(data: Mapping[str, Any], envelope: Envelope) -> Alert:
    name = data.get("AlarmName")
    if not isinstance(name, str) or not name:
        raise UnparseableMessage("CloudWatch alarm without an AlarmName")
    state = _state(data["NewStateValue"], "NewStateValue")
    previous = _state(data["OldStateValue"], "OldStateValue") if data.get("OldStateValue") else None
    event_time = aws_time(data.get("StateChangeTime")) or envelope.timestamp
    if event_time is None:
        raise UnparseableMessage(f"CloudWatch alarm {name!r} without a readable StateChangeTime")
    arn = data.get("AlarmArn") if isinstance(data.get("AlarmArn"), str) else None
    region_name = data.get("Region") if isinstance(data.get("Region"), str) else None
    region = region_from_arn(arn) or region_code(region_name) or region_from_arn(envelope.topic_arn)
    account = str(data.get("AWSAccountId") or account_from_arn(arn) or "") or None
    if arn is None and region and account:
        arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    details: dict[str, str] = {}
    trigger = data.get("Trigger") if isinstance(data.get("Trigger"), Mapping) else None
    if "AlarmRule" in data:
        kind = AlertKind.COMPOSITE
        metric, threshold = None, None
        details["alarm rule"] = str(data["AlarmRule"])
        children = [_child(c) for c in data.get("TriggeringChildren") or []]
        if any(children):
            details["triggered by"] = ", ".join(c for c in children if c)
    elif trigger is not None and trigger.get("Metrics"):
        kind = AlertKind.METRIC_MATH
        metric = _math(trigger["Metrics"])
        threshold = _threshold(trigger)
    else:
        kind = AlertKind.METRIC
        metric = _metric(trigger) if trigger else None
        threshold = _threshold(trigger) if trigger else None
    if trigger is not None and None not in (
        trigger.get("Period"),
        trigger.get("EvaluationPeriods"),
    ):
        details["evaluation"] = (
            f"{trigger.get('DatapointsToAlarm') or trigger['EvaluationPeriods']} of "
            f"{trigger['EvaluationPeriods']} x {trigger['Period']}s"
        )
    actions = {
        AlertState.ALARM: data.get("AlarmActions"),
        AlertState.OK: data.get("OKActions"),
        AlertState.INSUFFICIENT_DATA: data.get("InsufficientDataActions"),
    }[state] or []
    return Alert(
        message_id=envelope.message_id,
        kind=kind,
        key=arn or f"alarm:{name}",
        name=name,
        state=state,
        previous_state=previous,
        reason=str(data.get("NewStateReason") or f"{name} is {state.value}"),
        event_time=event_time,
        description=data.get("AlarmDescription") or None,
        account=account,
        region=region,
        region_name=region_name,
        topic_arn=envelope.topic_arn,
        actions=tuple(a for a in actions if isinstance(a, str)),
        metric=metric,
        threshold=threshold,
        details=details,
        subject=envelope.subject,
        raw_delivery=envelope.raw,
    )


def _child(child: Any) -> str | None:
    arn = child.get("Arn") if isinstance(child, Mapping) else child
    if not isinstance(arn, str):
        return None
    state = child.get("State", {}).get("Value") if isinstance(child, Mapping) else None
    name = arn.split(":alarm:", 1)[-1]
    return f"{name} ({state})" if state else name


def _dimensions(dimensions: Any) -> str:
    pairs = [
        f"{d.get('name') or d.get('Name')}={d.get('value') or d.get('Value')}"
        for d in dimensions or []
        if isinstance(d, Mapping)
    ]
    return f" ({', '.join(pairs)})" if pairs else ""


def _metric(trigger: Mapping[str, Any]) -> str | None:
    if not trigger.get("MetricName"):
        return None
    statistic = trigger.get("ExtendedStatistic") or trigger.get("Statistic") or ""
    text = f"{trigger.get('Namespace', '')} {trigger['MetricName']}".strip()
    text += _dimensions(trigger.get("Dimensions"))
    if statistic:
        text += f" {str(statistic).capitalize() if statistic.isupper() else statistic}"
    return text


def _math(metrics: Any) -> str:
    returned: list[str] = []
    inputs: list[str] = []
    for item in metrics if isinstance(metrics, list) else []:
        if not isinstance(item, Mapping):
            continue
        ident = item.get("Id", "?")
        if item.get("Expression"):
            label = f" [{item['Label']}]" if item.get("Label") else ""
            entry = f"{ident} = {item['Expression']}{label}"
        elif isinstance(item.get("MetricStat"), Mapping):
            stat = item["MetricStat"]
            metric = stat.get("Metric", {})
            entry = (
                f"{ident} = {metric.get('Namespace', '')} {metric.get('MetricName', '')}"
                f"{_dimensions(metric.get('Dimensions'))} {stat.get('Stat', '')}".strip()
            )
        else:
            continue
        (returned if item.get("ReturnData") else inputs).append(entry)
    return "; ".join(returned + inputs)


def _threshold(trigger: Mapping[str, Any]) -> str | None:
    operator = trigger.get("ComparisonOperator")
    symbol = _OPERATORS.get(str(operator), str(operator or ""))
    if trigger.get("ThresholdMetricId"):
        return f"{symbol} {trigger['ThresholdMetricId']}".strip()
    value = trigger.get("Threshold")
    if value is None:
        return symbol or None
    number = float(value)
    shown = str(int(number)) if number.is_integer() else str(number)
    return f"{symbol} {shown}".strip()


# --- AWS Budgets: plain text, one "Key: value" line per field --------------------------------

_BUDGET_FIELD = re.compile(
    r"^(Budget Name|Budget Type|Budgeted Amount|Alert Type|Alert Threshold|"
    r"ACTUAL Amount|FORECASTED Amount):\s*(.+)$",
    re.MULTILINE,
)
_BUDGET_ACCOUNT = re.compile(r"^AWS Account (\d{12})", re.MULTILINE)
_BUDGET_SENTENCE = re.compile(r"(You requested that we alert you[^\n]*)")
_BUDGET_NAME_IN_TEXT = re.compile(r"associated with your (.+?) budget ")


def _is_budget(text: str) -> bool:
    return text.startswith("AWS Budget Notification") or "Budget Name:" in text


def _budget(text: str, envelope: Envelope, received_at: datetime) -> Alert:
    # Fields may be separated by newlines or (through some relays) by '#'.
    text = text.replace("#", "\n") if "\n" not in text else text
    fields = {m.group(1): m.group(2).strip() for m in _BUDGET_FIELD.finditer(text)}
    name = fields.get("Budget Name")
    if not name:
        found = _BUDGET_NAME_IN_TEXT.search(text)
        name = found.group(1) if found else None
    if not name:
        raise UnparseableMessage("AWS Budgets notification without a budget name")
    account_match = _BUDGET_ACCOUNT.search(text)
    account = account_match.group(1) if account_match else account_from_arn(envelope.topic_arn)
    alert_type = fields.get("Alert Type", "ACTUAL")
    threshold = fields.get("Alert Threshold")
    amount = fields.get(f"{alert_type} Amount")
    sentence = _BUDGET_SENTENCE.search(text)
    reason = sentence.group(1).strip() if sentence else f"budget {name} crossed {threshold}"
    details = {
        k: v
        for k, v in {
            "budget type": fields.get("Budget Type"),
            "budgeted amount": fields.get("Budgeted Amount"),
            "alert type": alert_type,
            f"{alert_type.lower()} amount": amount,
        }.items()
        if v
    }
    return Alert(
        message_id=envelope.message_id,
        kind=AlertKind.BUDGET,
        key=f"budget:{account or 'account'}:{name}:{alert_type}:{threshold or ''}",
        name=name,
        state=AlertState.ALARM,
        reason=reason,
        event_time=envelope.timestamp or received_at,
        description=f"{alert_type.capitalize()} cost of budget {name}",
        account=account,
        region=region_from_arn(envelope.topic_arn),
        topic_arn=envelope.topic_arn,
        metric=f"{alert_type.capitalize()} cost: {amount}" if amount else None,
        threshold=threshold,
        details=details,
        links=(Link("Budgets", BUDGETS_CONSOLE),),
        subject=envelope.subject,
        raw_delivery=envelope.raw,
    )
