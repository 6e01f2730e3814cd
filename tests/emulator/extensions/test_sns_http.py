"""An http(s) subscription's deliveries stay on the machine: kept by the emulator, never POSTed
(moto would POST them from the emulator's process, a PagerDuty key's to events.pagerduty.com)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions import sns as sns_extension

PAGERDUTY = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"


def test_a_publish_to_an_https_subscription_is_kept_not_sent(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr("moto.sns.models.requests.post", lambda *a, **k: sent.append(a))
    sns_extension.HTTP_DELIVERIES.clear()
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="shop-critical")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=PAGERDUTY)
    queue = sqs.create_queue(QueueName="shop-router")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    message = {"default": "plain", "https": json.dumps({"AlarmName": "shop-api-errors"})}
    sns.publish(
        TopicArn=topic, Subject="ALARM", Message=json.dumps(message), MessageStructure="json"
    )

    assert sent == []  # nothing left the machine
    [kept] = sns_extension.HTTP_DELIVERIES
    assert (kept.topic_arn, kept.endpoint) == (topic, PAGERDUTY)
    assert kept.body["Type"] == "Notification" and kept.body["Subject"] == "ALARM"
    assert json.loads(kept.body["Message"]) == {"AlarmName": "shop-api-errors"}
    # Other protocols are delivered as before.
    [received] = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(received["Body"])["Message"] == "plain"
