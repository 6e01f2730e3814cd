"""Anomaly notices: once, then updates in the thread; to Slack and the severity's SNS topic."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import botocore.exceptions
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.cost.anomalies import CostAnomaly, Driver
from sentinel.cost.groupings import SERVICE, SeriesKey
from sentinel.cost.notices import notify_anomalies
from sentinel.cost.runs import run_scan
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.naming import severity_topic
from sentinel.routing.messages import parse_message
from sentinel.store import Store

from .bills import bill as make_bill
from .slack_standin import SlackStandIn

RDS = "Amazon Relational Database Service"
RDS_TAGS = {
    "Environment": "production",
    "Service": "database",
    "Owner": "team-data",
    "CostCenter": "eng-200",
}


@pytest.fixture
def store(backend_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return backend_store


def anomaly(start: date, days: int, extra: float, ongoing: bool = True) -> CostAnomaly:
    cents = Decimal(str(extra)).quantize(Decimal("0.01"))
    daily = [
        (start + timedelta(days=i), Decimal("30.00") + cents, Decimal("30.00")) for i in range(days)
    ]
    return CostAnomaly(
        SeriesKey(SERVICE, RDS),
        start,
        daily[-1][0],
        ongoing,
        daily,
        12.0,
        drivers=[Driver("usage type", "RDS:StorageIOUsage", cents)],
        related=["total", "Environment=production"],
    )


def drop(start: date, days: int, fall: float, ongoing: bool = True) -> CostAnomaly:
    """Spend of $120 a day falling by ``fall``: a replica stopped."""
    cents = Decimal(str(fall)).quantize(Decimal("0.01"))
    daily = [
        (start + timedelta(days=i), Decimal("120.00") - cents, Decimal("120.00"))
        for i in range(days)
    ]
    return CostAnomaly(
        SeriesKey(SERVICE, RDS),
        start,
        daily[-1][0],
        ongoing,
        daily,
        -40.0,
        drivers=[Driver("usage type", "InstanceUsage:db.r6g.large", -cents)],
        related=["total"],
        direction="drop",
    )


def subscribed_queue(aws: SessionFactory, config: Config) -> str:
    """An SQS queue subscribed to the warning tier's topic, as an alert router would have it."""
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name=severity_topic(config, "warning"))["TopicArn"]
    queue = sqs.create_queue(QueueName="router")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return queue


def received(aws: SessionFactory, queue: str) -> list[dict]:
    messages = (
        aws.client("sqs")
        .receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    return [json.loads(m["Body"]) for m in messages]


def test_an_anomaly_is_announced_once_then_updated_in_its_thread(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn, today: date
) -> None:
    queue = subscribed_queue(aws, config)
    start = today - timedelta(days=3)

    first = notify_anomalies(config, store, aws, [anomaly(start, 1, 80)])
    assert [a.start for a in first.new] == [start]
    assert first.destinations == ["Slack #shop-alerts", "SNS shop-warning"]
    [notice] = slack.posted()
    assert notice["channel"] == "#shop-alerts"
    assert notice["blocks"][0]["text"]["text"] == f"shop: Cost anomaly: {RDS}"
    assert "thread_ts" not in notice
    [event] = received(aws, queue)
    assert event["source"] == "sentinel.cost-anomaly"
    assert (event["series"], event["impact"], event["severity"]) == (RDS, "80.00", "warning")
    assert event["drivers"] == [
        {"kind": "usage type", "name": "RDS:StorageIOUsage", "impact": "80.00"}
    ]

    # The next day, the same anomaly with a third more impact: no notice.
    same = notify_anomalies(config, store, aws, [anomaly(start, 1, 80)])
    assert same.unchanged and not same.new and not same.updated
    # Two days on it has doubled: one update, in the thread of the first notice.
    grown = notify_anomalies(config, store, aws, [anomaly(start, 2, 80)])
    assert len(grown.updated) == 1
    update = slack.posted()[1]
    assert update["blocks"][0]["text"]["text"] == f"shop: Cost anomaly update: {RDS}"
    assert update["thread_ts"] == "1700000000.000001"
    # It ends: one last update; then nothing more, however often it is scanned.
    ended = notify_anomalies(config, store, aws, [anomaly(start, 2, 80, ongoing=False)])
    assert len(ended.updated) == 1
    for _ in range(2):
        assert notify_anomalies(
            config, store, aws, [anomaly(start, 2, 80, ongoing=False)]
        ).unchanged
    assert len(slack.posted()) == 3
    assert [e["update"] for e in received(aws, queue)] == [True, True]


def test_without_a_destination_nothing_is_remembered(
    aws: SessionFactory, config: Config, store: Store, today: date, monkeypatch
) -> None:
    monkeypatch.delenv("TEST_SLACK_TOKEN", raising=False)
    result = notify_anomalies(config, store, aws, [anomaly(today - timedelta(days=2), 1, 80)])
    assert result.unannounced and not result.new
    assert any("TEST_SLACK_TOKEN" in reason for reason in result.skipped)
    assert any("shop-warning does not exist" in reason for reason in result.skipped)


def test_scan_with_notify_announces_a_real_anomaly(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn, today: date
) -> None:
    extra = [(ago, RDS, "RDS:StorageIOUsage", 95.0, RDS_TAGS) for ago in (2, 1)]
    load_cost_table(make_bill(today, extra=extra))
    run = run_scan(config, aws, store, 7, today - timedelta(days=1), notify=True)
    [found] = run.scan.anomalies
    assert found.series == SeriesKey(SERVICE, RDS)
    assert (found.start, found.end, found.ongoing) == (
        today - timedelta(days=2),
        today - timedelta(days=1),
        True,
    )
    assert [str(d.name) for d in found.drivers] == ["RDS:StorageIOUsage"]
    assert run.notices is not None and len(run.notices.new) == 1
    assert len(slack.posted()) == 1
    again = run_scan(config, aws, store, 7, today - timedelta(days=1), notify=True)
    assert again.notices is not None and again.notices.unchanged
    assert len(slack.posted()) == 1


def test_with_the_alert_router_the_topic_carries_the_notice_and_the_router_reads_it(
    aws: SessionFactory, config_dir: Path, store: Store, slack: SlackStandIn, today: date
) -> None:
    routing = config_dir / "alarms" / "routing.yaml"
    routing.write_text(routing.read_text() + "router: {max_receives: 5}\n")
    config = load_config(config_dir)
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name=severity_topic(config, "warning"))["TopicArn"]
    queue = sqs.create_queue(QueueName="shop-router")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)  # enveloped, as the router's is

    result = notify_anomalies(config, store, aws, [anomaly(today - timedelta(days=1), 1, 80)])
    assert result.destinations == ["SNS shop-warning"]
    assert "Slack #shop-alerts: delivered by the alert router from the topic" in result.skipped
    assert slack.posted() == []  # the router posts it: once, not twice
    [message] = sqs.receive_message(QueueUrl=queue).get("Messages", [])
    alert = parse_message(message["Body"])
    assert alert.name == f"cost anomaly: {RDS}"
    assert alert.severity == "warning"
    assert alert.key == f"anomaly:shop:{RDS}@{today - timedelta(days=1)}"
    assert alert.details["driven by"] == "RDS:StorageIOUsage ($80.00)"


def test_a_drop_is_announced_as_one_and_kept_apart_from_a_spike_before_it(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn, today: date
) -> None:
    queue = subscribed_queue(aws, config)
    spike_day = today - timedelta(days=4)
    notify_anomalies(config, store, aws, [anomaly(spike_day, 1, 80, ongoing=False)])
    # The day after the spike the replica stops: a new anomaly, not the spike's continuation.
    stopped = today - timedelta(days=3)
    first = notify_anomalies(config, store, aws, [drop(stopped, 1, 90)])
    assert len(first.new) == 1 and not first.updated
    notice = slack.posted()[-1]
    assert notice["blocks"][0]["text"]["text"] == f"shop: Spend drop: {RDS}"
    assert notice["text"] == f"shop: Spend drop: {RDS}: spend dropped (-$90.00)"
    assert "Spend dropped by $90.00 (-75.0%)" in notice["blocks"][1]["text"]["text"]
    assert "InstanceUsage:db.r6g.large: -$90.00/day" in json.dumps(notice["blocks"])
    events = received(aws, queue)
    assert [e["direction"] for e in events] == ["spike", "drop"]
    assert events[1]["impact"] == "-90.00"

    # Falling further by half: one update in the drop's thread; the spike's stays ended.
    same = notify_anomalies(config, store, aws, [drop(stopped, 1, 90)])
    assert same.unchanged and not same.new
    grown = notify_anomalies(config, store, aws, [drop(stopped, 2, 90)])
    assert len(grown.updated) == 1
    update = slack.posted()[-1]
    assert update["blocks"][0]["text"]["text"] == f"shop: Spend drop update: {RDS}"
    assert update["thread_ts"] == "1700000000.000002"  # the drop's first notice
    spike_again = notify_anomalies(config, store, aws, [anomaly(spike_day, 1, 80, ongoing=False)])
    assert spike_again.unchanged and not spike_again.new


def test_topics_sns_will_not_list_still_get_the_notice_by_the_topic_arn(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn, today: date
) -> None:
    """A throttled ListTopics is not a missing topic: the notice goes to the topic's ARN."""
    queue = subscribed_queue(aws, config)

    def throttle(**kwargs: object) -> None:
        error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
        raise botocore.exceptions.ClientError(error, "ListTopics")  # type: ignore[arg-type]

    aws.client("sns").meta.events.register("before-call.sns.ListTopics", throttle)
    result = notify_anomalies(config, store, aws, [anomaly(today - timedelta(days=2), 1, 80)])

    assert result.destinations == ["Slack #shop-alerts", "SNS shop-warning"]
    assert not result.skipped and not result.queued
    [event] = received(aws, queue)
    assert (event["series"], event["severity"]) == (RDS, "warning")
