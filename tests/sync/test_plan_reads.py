"""What several kinds of one plan read (the metric alarms, the topics, owners' tags) is read
once a plan, and read again by the next plan."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.sync.alarms import Alarms
from sentinel.sync.anomaly_detectors import AnomalyDetectors
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action
from sentinel.sync.subscriptions import Subscriptions
from sentinel.sync.topics import Topics

from .shop import context, shop_files, write_config

KINDS = [Topics(), Subscriptions(), Alarms(), AnomalyDetectors()]
TAGGING = "resource-groups-tagging-api"  # as botocore's events name the service


def _many(tmp_path: Path, alarms: int) -> Path:
    rules = "\n".join(
        f"  - {{name: queue-{n:03d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> 100"}}'
        for n in range(alarms)
    )
    return write_config(tmp_path / "many", shop_files({"alarms/shop.yaml": f"alarms:\n{rules}\n"}))


def test_a_plan_reads_the_alarms_and_topics_once(aws: SessionFactory, tmp_path: Path) -> None:
    root = _many(tmp_path, 230)
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx, KINDS), KINDS).ok
    aws.counter.reset()

    again = plan(context(aws, root), KINDS)

    assert again.is_empty, [(c.key, c.fields) for c in again.changes]
    # 100 + 100 + 30 for the alarms kind; the anomaly detectors' users are the same alarms.
    assert aws.counter.total("cloudwatch", "DescribeAlarms") == 3
    assert aws.counter.total("sns", "ListTopics") == 1  # topics and subscriptions
    # The alarms' owners, 100 ARNs a request, and the topics' (the subscriptions' owners).
    assert aws.counter.total(TAGGING, "GetResources") == 3 + 1


def test_the_next_plan_on_the_same_context_reads_aws_again(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _many(tmp_path, 3)
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx, KINDS), KINDS).ok
    assert plan(ctx, KINDS).is_empty
    name = sorted(
        a["AlarmName"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    )[0]
    aws.client("cloudwatch").delete_alarms(AlarmNames=[name])
    aws.counter.reset()

    after = plan(ctx, KINDS)

    assert [(c.key, c.action) for c in after.changes] == [(name, Action.CREATE)]
    assert aws.counter.total("cloudwatch", "DescribeAlarms") == 1
    assert aws.counter.total("sns", "ListTopics") == 1


def test_reads_outside_a_plan_are_not_kept(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    made: list[int] = []

    def read() -> int:
        made.append(1)
        return len(made)

    assert [ctx.read_once("k", read), ctx.read_once("k", read)] == [1, 2]
    assert ctx.plan_memo("tags") is None
    with ctx.planning():
        assert [ctx.read_once("k", read), ctx.read_once("k", read)] == [3, 3]
        with ctx.planning():  # a plan within a plan shares the outer one's reads
            assert ctx.read_once("k", read) == 3
        assert ctx.read_once("k", read) == 3
    assert ctx.read_once("k", read) == 4
