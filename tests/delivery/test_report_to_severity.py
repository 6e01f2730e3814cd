"""A report to a severity's SNS topic: the outbox first, a topic that is missing, topics SNS
will not list, and a report too large for one Publish."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import botocore.exceptions
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.delivery.report_targets import ReportParts, deliver_to_targets
from sentinel.delivery.sns import SnsSender
from sentinel.delivery.topic import MESSAGE_LIMIT, TopicPost, publish_once
from sentinel.emulator.extensions.sns import MESSAGE_BYTES
from sentinel.store import Store
from sentinel.store.outbox import Outbox

ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-low"
KEY = "cost-report:shop:2026-12-01"
CONFIG = SimpleNamespace(name="shop", routing=None)
TARGETS = SimpleNamespace(slack=None, email=[], severity="low")
POST = TopicPost("cost", "shop", "Daily cost, 01 Dec 2026", "Yesterday: $41.20")


def _unused() -> Any:
    raise AssertionError("only the topic is a target")


PARTS = ReportParts(slack=_unused, email=_unused, topic=lambda: POST)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.dispose()


def _refuse(aws: SessionFactory, operation: str, code: str) -> None:
    def refuse(**kwargs: object) -> None:
        error = {"Error": {"Code": code, "Message": "refused"}}
        raise botocore.exceptions.ClientError(error, operation)  # type: ignore[arg-type]

    aws.client("sns").meta.events.register(
        f"before-call.sns.{operation}", refuse, unique_id=f"refuse-{operation}"
    )


def _deliver(aws: SessionFactory, store: Store) -> Any:
    (result,) = deliver_to_targets(TARGETS, KEY, PARTS, CONFIG, store, aws)
    return result


def test_a_missing_topic_is_not_configured_and_nothing_is_queued(
    aws: SessionFactory, store: Store
) -> None:
    result = _deliver(aws, store)
    assert (result.status, result.target) == ("not configured", "shop-low")
    assert "SNS topic shop-low does not exist" in result.detail
    assert Outbox(store).pending() == []


def test_topics_sns_will_not_list_leave_the_report_queued_to_the_topic_arn(
    aws: SessionFactory, store: Store
) -> None:
    aws.client("sns").create_topic(Name="shop-low")
    _refuse(aws, "ListTopics", "ThrottlingException")
    _refuse(aws, "Publish", "ThrottlingException")
    result = _deliver(aws, store)
    assert (result.status, result.target) == ("queued", ARN)
    assert result.detail.startswith("SNS topics not listed (ThrottlingException); SNS:")
    (queued,) = Outbox(store).pending()
    assert (queued.key, queued.target) == (f"{KEY}:severity:low", ARN)

    aws.client("sns").meta.events.unregister("before-call.sns.Publish", unique_id="refuse-Publish")
    outcome = Outbox(store).deliver(queued, SnsSender(aws))  # as the deliveries job does
    assert outcome == (True, None)


def test_topics_sns_will_not_list_still_reach_the_topic_by_its_arn(
    aws: SessionFactory, store: Store
) -> None:
    aws.client("sns").create_topic(Name="shop-low")
    _refuse(aws, "ListTopics", "AccessDenied")
    result = _deliver(aws, store)
    assert (result.status, result.target) == ("posted", ARN)


def test_a_delivered_report_is_already_posted_without_an_sns_call(
    aws: SessionFactory, store: Store
) -> None:
    aws.client("sns").create_topic(Name="shop-low")
    assert _deliver(aws, store).status == "posted"
    aws.counter.reset()
    again = _deliver(aws, store)
    assert (again.status, again.target) == ("already posted", ARN)
    assert aws.counter.total("sns") == 0


def test_a_900_row_report_is_cut_by_lines_to_one_publish(aws: SessionFactory, store: Store) -> None:
    arn = aws.client("sns").create_topic(Name="shop-low")["TopicArn"]
    rows = [f"│ service {i:03d} │ {'─' * 300} │" for i in range(900)]
    big = TopicPost("cost", "shop", "Daily cost", "\n".join(rows))
    result = publish_once(arn, "big", lambda: big, store, SnsSender(aws))
    assert result.status == "posted"
    sent = Outbox(store).get("big")
    assert sent is not None
    message = sent.payload["message"]
    size = len(json.dumps(message, ensure_ascii=False).encode("utf-8"))
    assert MESSAGE_LIMIT - 2000 < size <= MESSAGE_LIMIT
    email = message["email"]
    assert email.startswith("Daily cost\n\n│ service 000 │")
    kept = email.count("│ service ")
    assert email.endswith(f"\n... (cut: {900 - kept} more lines)\n")
    router = json.loads(message["sqs"])
    assert len(router["text"]) <= 30_000
    assert router["text"].endswith("more lines)")
    assert "─" in message["sqs"]  # as it is, not a 6-byte escape


def test_the_emulator_refuses_a_message_over_262144_bytes(aws: SessionFactory) -> None:
    arn = aws.client("sns").create_topic(Name="shop-low")["TopicArn"]
    assert MESSAGE_BYTES == 262_144
    aws.client("sns").publish(TopicArn=arn, Message="─" * (MESSAGE_BYTES // 3))
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        aws.client("sns").publish(TopicArn=arn, Message="─" * 100_000)  # 300,000 bytes
    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
