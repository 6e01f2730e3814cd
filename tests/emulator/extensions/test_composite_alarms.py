"""Composite alarms in the emulator: refused as AWS refuses them, evaluated on state changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions.composite_rules import RuleError, parse


@pytest.fixture
def cloudwatch(aws: SessionFactory) -> Any:
    client = aws.client("cloudwatch")
    for name in ("az1", "az2", "az3", "az4", "maintenance"):
        client.put_metric_alarm(
            AlarmName=name,
            Namespace="Test",
            MetricName="Errors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )
    return client


def _state(cloudwatch: Any, name: str) -> str:
    [found] = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])[
        "CompositeAlarms"
    ]
    return str(found["StateValue"])


def _set(cloudwatch: Any, name: str, state: str) -> None:
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def test_at_least_counts_and_shares_of_the_listed_alarms(cloudwatch: Any) -> None:
    cloudwatch.put_composite_alarm(
        AlarmName="two-zones",
        AlarmRule='AT_LEAST(2, ALARM, ("az1", az2, "az3")) AND NOT ALARM(maintenance)',
    )
    cloudwatch.put_composite_alarm(
        AlarmName="half-not-ok", AlarmRule="AT_LEAST(50%, NOT OK, (az1, az2, az3, az4))"
    )
    _set(cloudwatch, "az1", "ALARM")
    assert _state(cloudwatch, "two-zones") == "OK"
    assert _state(cloudwatch, "half-not-ok") == "OK"
    _set(cloudwatch, "az4", "INSUFFICIENT_DATA")
    assert _state(cloudwatch, "half-not-ok") == "ALARM"
    _set(cloudwatch, "az3", "ALARM")
    assert _state(cloudwatch, "two-zones") == "ALARM"
    _set(cloudwatch, "maintenance", "ALARM")
    assert _state(cloudwatch, "two-zones") == "OK"


def test_a_composite_of_composites_follows_its_children(cloudwatch: Any) -> None:
    cloudwatch.put_composite_alarm(AlarmName="zone-1", AlarmRule="ALARM(az1) OR ALARM(az2)")
    arn = cloudwatch.describe_alarms(AlarmNames=["zone-1"], AlarmTypes=["CompositeAlarm"])[
        "CompositeAlarms"
    ][0]["AlarmArn"]
    cloudwatch.put_composite_alarm(AlarmName="region", AlarmRule=f'ALARM("{arn}") AND TRUE')
    _set(cloudwatch, "az2", "ALARM")
    assert _state(cloudwatch, "region") == "ALARM"
    _set(cloudwatch, "az2", "OK")
    assert _state(cloudwatch, "region") == "OK"


def test_a_state_change_publishes_the_actions_of_the_new_state(
    aws: SessionFactory, cloudwatch: Any
) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="pager")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    # Never delivered: the emulator sends nothing to an HTTP endpoint.
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://pager.invalid/hook")
    cloudwatch.put_composite_alarm(
        AlarmName="both-zones",
        AlarmRule="ALARM(az1) AND ALARM(az2)",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    _set(cloudwatch, "az1", "ALARM")
    _set(cloudwatch, "az2", "ALARM")
    [received] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(received["Body"])
    assert envelope["Subject"] == 'ALARM: "both-zones" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert message["NewStateValue"] == "ALARM"
    assert message["AlarmRule"] == "ALARM(az1) AND ALARM(az2)"
    assert message["NewStateReason"].endswith(":alarm:az2 transitioned to ALARM")


def test_rules_aws_refuses_are_refused(cloudwatch: Any) -> None:
    with pytest.raises(ClientError, match="do not exist") as missing:
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(az1) OR ALARM(nope)")
    assert "[nope]" in str(missing.value)
    with pytest.raises(ClientError, match="length less than or equal to 10240"):
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="TRUE OR " * 1300 + "TRUE")
    with pytest.raises(ClientError, match="Error in AlarmRule"):
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(az1) AND")
    with pytest.raises(ClientError, match="Error in AlarmRule"):
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="AT_LEAST(0, ALARM, (az1))")
    assert cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_an_alarm_is_in_the_rules_of_at_most_150_composites(cloudwatch: Any) -> None:
    for i in range(150):
        cloudwatch.put_composite_alarm(AlarmName=f"c{i}", AlarmRule="ALARM(az1) OR ALARM(az2)")
    cloudwatch.put_composite_alarm(AlarmName="c0", AlarmRule="ALARM(az1)")  # an update
    with pytest.raises(ClientError, match=r"Alarms \[az1\] are already in the rules of 150"):
        cloudwatch.put_composite_alarm(AlarmName="c150", AlarmRule="ALARM(az1) OR ALARM(az3)")
    cloudwatch.put_composite_alarm(AlarmName="c150", AlarmRule="ALARM(az3)")
    cloudwatch.delete_alarms(AlarmNames=["c1"])
    cloudwatch.put_composite_alarm(AlarmName="c151", AlarmRule="ALARM(az1)")


@pytest.mark.parametrize(
    "rule",
    ["()", "ALARM(a) OR", "AT_LEAST(2, FIRING, (a, b))", "AT_LEAST(101%, OK, (a))", "ALARM a"],
)
def test_what_does_not_parse(rule: str) -> None:
    with pytest.raises(RuleError):
        parse(rule)


def test_names_by_arn_or_quoted_with_escapes() -> None:
    rule = parse(
        'ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:api") '
        'OR OK("say \\"hi\\"") OR AT_LEAST(1, INSUFFICIENT_DATA, (x, "y z"))'
    )
    assert rule.alarms == ["api", 'say "hi"', "x", "y z"]
    assert rule.evaluate(lambda name: "ALARM" if name == "api" else "OK")
    assert not rule.evaluate(lambda name: "OK" if name == "api" else "ALARM")
    assert rule.evaluate(lambda name: {"api": "OK", "y z": "INSUFFICIENT_DATA"}.get(name, "ALARM"))
