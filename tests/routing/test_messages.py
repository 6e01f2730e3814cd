"""Parsing what arrives on the router queue: recorded CloudWatch, SNS and Budgets formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sentinel.routing.alert import Alert, AlertKind, AlertState, Link
from sentinel.routing.messages import (
    UnparseableMessage,
    aws_time,
    cloudwatch_time,
    open_envelope,
    parse_message,
)
from sentinel.routing.sentinel_messages import sentinel_message

from .scenario import FIXTURES


def parse(name: str) -> Alert:
    return parse_message((FIXTURES / name).read_text())


def test_metric_alarm_in_an_sns_envelope() -> None:
    alert = parse("cloudwatch_metric_alarm.json")
    assert alert.kind is AlertKind.METRIC
    assert alert.message_id == "5b8f8f2e-6f0b-5b0e-9d8c-2a1d8c3f0a11"  # the SNS MessageId
    assert alert.key == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:p2p-rds-cpu-high-p2p-db"
    assert alert.state is AlertState.ALARM and alert.previous_state is AlertState.OK
    # "+0000" offsets with milliseconds, as CloudWatch writes StateChangeTime
    assert alert.event_time == datetime(2026, 3, 2, 9, 59, 12, 345000, tzinfo=UTC)
    assert alert.region == "us-east-1" and alert.region_name == "US East (N. Virginia)"
    assert alert.account == "123456789012"
    assert alert.metric == "AWS/RDS CPUUtilization (DBInstanceIdentifier=p2p-db) Average"
    assert alert.threshold == "> 90"
    assert alert.details["evaluation"] == "5 of 5 x 60s"
    assert alert.topic_arn == "arn:aws:sns:us-east-1:123456789012:p2p-critical"
    assert not alert.raw_delivery


def test_ok_message_of_the_same_alarm_has_the_same_key() -> None:
    alarm, ok = parse("cloudwatch_metric_alarm.json"), parse("cloudwatch_metric_ok.json")
    assert ok.state is AlertState.OK and ok.previous_state is AlertState.ALARM
    assert ok.key == alarm.key
    assert ok.event_time > alarm.event_time


def test_metric_math_alarm_lists_the_expression_and_its_inputs() -> None:
    alert = parse("cloudwatch_metric_math_alarm.json")
    assert alert.kind is AlertKind.METRIC_MATH
    assert alert.metric is not None
    assert alert.metric.startswith("expr = 100 * errors / MAX([requests, 1]) [api-error-rate]")
    errors = (
        "AWS/ApplicationELB HTTPCode_Target_5XX_Count (LoadBalancer=app/p2p-alb/50dc6c495c0c9188)"
    )
    assert f"errors = {errors} Sum" in alert.metric
    assert alert.threshold == "> 5"


def test_composite_alarm_carries_its_rule_and_triggering_children() -> None:
    alert = parse("cloudwatch_composite_alarm.json")
    assert alert.kind is AlertKind.COMPOSITE
    assert alert.metric is None and alert.threshold is None
    assert (
        alert.details["alarm rule"]
        == 'ALARM("p2p-api-error-rate") AND ALARM("p2p-api-latency-high")'
    )
    assert alert.details["triggered by"] == "p2p-api-latency-high (ALARM)"
    assert alert.actions == ("arn:aws:sns:us-east-1:123456789012:p2p-high",)


def test_old_message_without_arn_gets_region_from_the_display_name() -> None:
    alert = parse("cloudwatch_legacy_region.json")
    assert alert.region == "eu-west-1"  # "EU - Ireland"
    assert alert.key == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:p2p-sqs-backlog"
    assert alert.description is None
    assert alert.threshold == ">= 1000"


def test_raw_delivery_is_the_alarm_itself_with_a_content_id() -> None:
    alert = parse("raw_metric_alarm.json")
    again = parse("raw_metric_alarm.json")
    assert alert.raw_delivery and alert.topic_arn is None
    assert alert.message_id.startswith("raw-") and alert.message_id == again.message_id
    assert alert.actions == ("arn:aws:sns:us-east-1:123456789012:p2p-critical",)


def test_budgets_notification_is_plain_text() -> None:
    alert = parse("budgets_notification.json")
    assert alert.kind is AlertKind.BUDGET
    assert alert.name == "p2p-monthly-total"
    assert alert.state is AlertState.ALARM and not alert.resolvable
    assert alert.threshold == "> $2,000.00"
    assert alert.metric == "Actual cost: $2,047.18"
    assert alert.details["budgeted amount"] == "$2,500.00"
    assert alert.account == "123456789012"
    assert alert.key == "budget:123456789012:p2p-monthly-total:ACTUAL:> $2,000.00"
    assert alert.reason.startswith("You requested that we alert you when the ACTUAL Cost")
    assert Link("Budgets", "https://console.aws.amazon.com/billing/home#/budgets") in alert.links


def test_budgets_notification_relayed_with_hash_separators() -> None:
    text = (
        "AWS Budget Notification June 27, 2026#AWS Account 123456789012##Dear AWS Customer,##"
        "You requested that we alert you when the FORECASTED Cost associated with your "
        "p2p-dev budget is greater than $80.00 for the current month.##"
        "Budget Name: p2p-dev#Budget Type: Cost#"
        "Budgeted Amount: $100.00#Alert Type: FORECASTED#Alert Threshold: > $80.00#"
        "FORECASTED Amount: $91.20#"
    )
    alert = parse_message(text)
    assert alert.name == "p2p-dev" and alert.threshold == "> $80.00"
    assert alert.metric == "Forecasted cost: $91.20"


@pytest.mark.parametrize("kind", ["slo", "anomaly"])
def test_sentinel_messages_round_trip(kind: str) -> None:
    body = sentinel_message(
        kind,
        key=f"{kind}:api",
        name="api-availability",
        state="ALARM",
        reason="burning error budget 14.4x over 1h",
        time=datetime(2026, 3, 2, 10, tzinfo=UTC),
        severity="critical",
        details={"budget left": "62%"},
        links=(Link("SLO report", "https://example.com/slo"),),
    )
    alert = parse_message(
        json.dumps(
            {
                "Type": "Notification",
                "MessageId": "m-1",
                "Message": body,
                "TopicArn": "arn:aws:sns:us-east-1:1:p2p-critical",
            }
        )
    )
    assert alert.kind is AlertKind(kind)
    assert alert.severity == "critical" and alert.details == {"budget left": "62%"}
    assert alert.links == (Link("SLO report", "https://example.com/slo"),)
    assert alert.resolvable is (kind == "slo")


def test_cost_anomaly_event_of_the_daemon() -> None:
    alert = parse("sentinel_cost_anomaly.json")
    assert alert.kind is AlertKind.ANOMALY and alert.state is AlertState.ALARM
    assert alert.key == "anomaly:p2p:Amazon Relational Database Service@2026-03-01"
    assert alert.name == "cost anomaly: Amazon Relational Database Service"
    assert alert.reason == (
        "Amazon Relational Database Service since 2026-03-01 (ongoing): $331.20 vs $118.80 "
        "expected a day, impact $212.40"
    )
    assert alert.details["driven by"] == "USE1-InstanceUsage:db.r6g.2xlarge ($198.10)"
    assert alert.severity == "warning"
    assert alert.event_time == datetime(2026, 3, 3, 8, 0, 4, 512000, tzinfo=UTC)


def test_a_drop_event_of_the_daemon_reads_as_spend_that_dropped() -> None:
    envelope = json.loads((FIXTURES / "sentinel_cost_anomaly.json").read_text())
    event = json.loads(envelope["Message"])
    event.update(
        direction="drop",
        actual="0.00",
        expected="118.80",
        impact="-237.60",
        drivers=[{"impact": "-118.80", "kind": "usage type", "name": "Multi-AZUsage:db.r6g"}],
    )
    envelope["Message"] = json.dumps(event)
    alert = parse_message(json.dumps(envelope))
    assert alert.key == "anomaly:p2p:Amazon Relational Database Service@2026-03-01/drop"
    assert alert.name == "spend drop: Amazon Relational Database Service"
    assert alert.reason == (
        "Amazon Relational Database Service since 2026-03-01 (ongoing): spend dropped to $0.00 "
        "from $118.80 expected a day, impact -$237.60"
    )
    assert alert.details["driven by"] == "Multi-AZUsage:db.r6g (-$118.80)"


def test_alert_survives_its_json_form() -> None:
    alert = parse("cloudwatch_composite_alarm.json")
    assert Alert.from_json(json.loads(json.dumps(alert.to_json()))) == alert


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("hello, is it me you're looking for", "neither a CloudWatch alarm"),
        (
            '{"AlarmName": "x", "NewStateValue": "PANIC", '
            '"StateChangeTime": "2026-03-02T10:00:00.000+0000"}',
            "unknown NewStateValue 'PANIC'",
        ),
        (
            '{"detail-type": "EC2 Instance State-change Notification"}',
            "JSON message of an unknown format",
        ),
        ('{"Type": "Notification", "MessageId": "m", "Message": "   "}', "empty message"),
        (
            '{"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:us-east-1:1:t"}',
            "confirm the subscription",
        ),
        ('{"AlarmName": "x", "NewStateValue": "ALARM"', "not valid JSON"),
        ('{"sentinel": {"version": 9, "kind": "slo"}}', "version 9"),
        ('{"AlarmName": "x", "NewStateValue": "OK"}', "without a readable StateChangeTime"),
    ],
)
def test_unreadable_messages_say_why(body: str, reason: str) -> None:
    with pytest.raises(UnparseableMessage) as caught:
        parse_message(body)
    assert reason in caught.value.reason


def test_cloudwatch_time_round_trips() -> None:
    moment = datetime(2026, 3, 2, 9, 59, 12, 345678, tzinfo=UTC)
    assert cloudwatch_time(moment) == "2026-03-02T09:59:12.345+0000"
    assert aws_time(cloudwatch_time(moment)) == moment.replace(microsecond=345000)


def test_envelope_of_a_raw_body_is_marked_raw() -> None:
    envelope = open_envelope('{"AlarmName": "a"}')
    assert envelope.raw and envelope.topic_arn is None
