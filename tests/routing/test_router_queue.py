"""The router queue kind: queue, dead-letter queue, redrive, policy and topic subscriptions."""

from __future__ import annotations

import json
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action
from sentinel.sync.router_queue import RouterQueueKind
from sentinel.sync.topics import Topics

from .scenario import ACCOUNT, REGION, ROUTING_YAML, write_project

KINDS = [Topics(), RouterQueueKind()]
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:shop-router"


def context(root: Path, factory: SessionFactory) -> SyncContext:
    return SyncContext(config=load_config(root), factory=factory, region=REGION)


def converge(root: Path, factory: SessionFactory) -> SyncContext:
    ctx = context(root, factory)
    report = apply(ctx, plan(ctx, KINDS), KINDS)
    assert report.ok, [r.error for r in report.failed]
    assert plan(context(root, factory), KINDS).is_empty  # a second plan after apply is empty
    return ctx


def queue_attributes(factory: SessionFactory, name: str = "shop-router") -> dict[str, str]:
    sqs = factory.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def subscribed_topics(factory: SessionFactory) -> list[str]:
    subscriptions = factory.client("sns").list_subscriptions()["Subscriptions"]
    return sorted(
        s["TopicArn"].rsplit(":", 1)[-1] for s in subscriptions if s["Endpoint"] == QUEUE_ARN
    )


def test_apply_creates_the_queue_its_dead_letter_queue_and_subscriptions(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_project(tmp_path / "shop")
    ctx = context(root, aws)
    first = plan(ctx, KINDS)
    [change] = [c for c in first.changes if c.kind == "router-queue"]
    assert change.action is Action.CREATE and change.key == "shop-router"
    converge(root, aws)

    attributes = queue_attributes(aws)
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:shop-router-dlq",
        "maxReceiveCount": 5,
    }
    assert attributes["VisibilityTimeout"] == "120"
    assert attributes["ReceiveMessageWaitTimeSeconds"] == "20"
    [statement] = json.loads(attributes["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage" and statement["Resource"] == QUEUE_ARN
    assert sorted(statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == [
        f"arn:aws:sns:{REGION}:{ACCOUNT}:shop-{s}" for s in ("critical", "high", "low", "medium")
    ]
    assert queue_attributes(aws, "shop-router-dlq")["MessageRetentionPeriod"] == "1209600"
    assert subscribed_topics(aws) == ["shop-critical", "shop-high", "shop-low", "shop-medium"]
    sqs = aws.client("sqs")
    tags = sqs.list_queue_tags(QueueUrl=sqs.get_queue_url(QueueName="shop-router")["QueueUrl"])[
        "Tags"
    ]
    assert tags["sentinel:project"] == "shop"

    # What a severity topic publishes arrives in the queue, in an SNS envelope.
    aws.client("sns").publish(TopicArn=ctx.topic_arn("high"), Message='{"hello": 1}')
    [message] = sqs.receive_message(
        QueueUrl=sqs.get_queue_url(QueueName="shop-router")["QueueUrl"]
    )["Messages"]
    assert json.loads(message["Body"])["TopicArn"].endswith(":shop-high")


def test_changes_update_the_redrive_and_the_subscriptions(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_project(tmp_path / "shop")
    converge(root, aws)
    routing = root / "alarms" / "routing.yaml"
    text = routing.read_text().replace("max_receives: 5", "max_receives: 8")
    low = text.index("  low:")
    text = text[:low] + text[text.index("oncall:") :]  # drop the low severity
    routing.write_text(text)
    (root / "alarms" / "rules.yaml").write_text(
        (root / "alarms" / "rules.yaml").read_text().replace("severity: low", "severity: medium")
    )
    ctx = context(root, aws)
    [change] = [c for c in plan(ctx, KINDS).changes if c.kind == "router-queue"]
    assert change.action is Action.UPDATE
    assert {f.field for f in change.fields} == {"max_receives", "topics", "policy_topics"}
    converge(root, aws)
    assert json.loads(queue_attributes(aws)["RedrivePolicy"])["maxReceiveCount"] == 8
    assert subscribed_topics(aws) == ["shop-critical", "shop-high", "shop-medium"]


def test_disabling_the_router_deletes_the_queues(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop")
    converge(root, aws)
    write_project(root, ROUTING_YAML.replace("router:\n", "router:\n  enabled: false\n"))
    ctx = context(root, aws)
    deletions = [c for c in plan(ctx, KINDS).changes if c.action is Action.DELETE]
    assert [(c.kind, c.key) for c in deletions] == [("router-queue", "shop-router")]
    converge(root, aws)
    urls = aws.client("sqs").list_queues(QueueNamePrefix="shop-").get("QueueUrls", [])
    assert urls == [] and subscribed_topics(aws) == []


def test_a_queue_of_the_same_name_not_ours_is_a_conflict(
    aws: SessionFactory, tmp_path: Path
) -> None:
    aws.client("sqs").create_queue(QueueName="shop-router", Attributes={"VisibilityTimeout": "30"})
    root = write_project(tmp_path / "shop")
    result = plan(context(root, aws), [RouterQueueKind()])
    assert [c.key for c in result.conflicts] == ["shop-router"]
    assert result.changes == []
