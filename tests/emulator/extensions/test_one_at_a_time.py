"""The emulator answers one request at a time (SQS's long polls aside), so a listing never sees
a write half done, as AWS never shows one."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from moto.sns.models import SNSBackend

from sentinel.aws.session import SessionFactory

pytestmark = pytest.mark.real_clock


def test_a_write_waits_for_the_listing_in_progress(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="shop-alerts")["TopicArn"]
    listing, order = threading.Event(), []
    list_subscriptions = SNSBackend.list_subscriptions

    def slow_listing(self: SNSBackend, *args: Any, **kwargs: Any) -> Any:
        order.append("listing starts")
        listing.set()
        time.sleep(0.3)  # a write that got in now would change the dict being listed
        order.append("listing ends")
        return list_subscriptions(self, *args, **kwargs)

    monkeypatch.setattr(SNSBackend, "list_subscriptions", slow_listing)
    reader = threading.Thread(target=lambda: aws.client("sns").list_subscriptions())
    reader.start()
    assert listing.wait(5)
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@shop.example.com")
    order.append("subscribed")
    reader.join(5)

    assert order == ["listing starts", "listing ends", "subscribed"]


def test_an_sqs_long_poll_holds_nobody_up(aws: SessionFactory) -> None:
    url = aws.client("sqs").create_queue(QueueName="shop-router")["QueueUrl"]
    done: list[str] = []

    def poll() -> None:
        aws.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=2)
        done.append("poll")

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.2)
    aws.client("sns").create_topic(Name="shop-critical")
    done.append("topic")
    poller.join(10)

    assert done == ["topic", "poll"]
