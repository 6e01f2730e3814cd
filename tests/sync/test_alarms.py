"""Metric alarms: what lands in CloudWatch, templates over resources, paging, idempotence."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.naming import ALARM_NAME_LIMIT, alarm_name
from sentinel.sync.alarms import Alarms, alarm_description
from sentinel.sync.composites import CompositeAlarms
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action
from sentinel.sync.subscriptions import Subscriptions
from sentinel.sync.topics import Topics

from .shop import context, shop_files, write_config

TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-{}"


def _alarm(aws: SessionFactory, name: str) -> dict:
    found = aws.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert len(found) == 1, name
    return found[0]


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [r.error for r in report.failed]


def test_single_metric_alarm_as_configured(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)

    alarm = _alarm(aws, "shop-api-errors")
    assert alarm["Namespace"] == "AWS/ApplicationELB"
    assert alarm["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert alarm["Dimensions"] == [
        {"Name": "LoadBalancer", "Value": "app/shop-alb/0123456789abcdef"}
    ]
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == 60  # project default
    assert alarm["EvaluationPeriods"] == 3  # for 3m / 1m
    assert alarm["DatapointsToAlarm"] == 2
    assert alarm["Threshold"] == 50.0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"  # project default
    assert alarm["AlarmDescription"] == (
        "API 5xx above 50 a minute. Runbook: https://wiki.shop.example.com/runbooks/api-errors"
    )
    assert alarm["AlarmActions"] == [TOPIC.format("critical")]
    assert alarm["OKActions"] == [TOPIC.format("critical")]
    assert alarm["InsufficientDataActions"] == []

    tags = aws.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
    assert {t["Key"]: t["Value"] for t in tags["Tags"]} == {
        "Team": "payments",
        "CostCenter": "cc-42",
        "Service": "api",
        "sentinel:project": "shop",
        "sentinel:managed-by": "sentinel",
    }


def test_percentile_is_an_extended_statistic_and_severity_sets_actions(
    aws: SessionFactory, shop: Path
) -> None:
    _converge(aws, shop)

    alarm = _alarm(aws, "shop-api-latency-p95")
    assert alarm["ExtendedStatistic"] == "p95"
    assert "Statistic" not in alarm
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (300, 3, 3)
    assert alarm["TreatMissingData"] == "missing"  # the rule's own setting wins
    # warning: no OK notifications, insufficient data notified
    assert alarm["AlarmActions"] == [TOPIC.format("warning")]
    assert alarm["OKActions"] == []
    assert alarm["InsufficientDataActions"] == [TOPIC.format("warning")]


def test_metric_math_alarm_returns_only_the_expression(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)

    alarm = _alarm(aws, "shop-api-error-rate")
    assert "MetricName" not in alarm
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    assert queries["e1"]["Expression"] == "100 * errors / MAX([requests, 1])"
    assert queries["e1"]["ReturnData"] is True
    for metric_id, metric in [
        ("errors", "HTTPCode_Target_5XX_Count"),
        ("requests", "RequestCount"),
    ]:
        stat = queries[metric_id]["MetricStat"]
        assert queries[metric_id]["ReturnData"] is False
        assert stat["Metric"]["MetricName"] == metric
        assert (stat["Stat"], stat["Period"]) == ("Sum", 60)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["EvaluationPeriods"] == 5


def test_second_plan_is_empty_and_reads_in_pages(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)
    assert plan(context(aws, shop)).is_empty  # every kind
    aws.counter.reset()

    kinds = [Topics(), Subscriptions(), Alarms(), CompositeAlarms()]
    again = plan(context(aws, shop), kinds)

    assert again.is_empty, [(c.key, c.fields) for c in again.changes]
    assert aws.counter.total("cloudwatch", "DescribeAlarms") == 2  # metric + composite types
    assert aws.counter.total("cloudwatch", "ListTagsForResource") == 0
    # Owners come from the Tagging API, up to 100 ARNs a request: one for the topics', the
    # alarms' and the composites' ARNs each, never one per resource.
    assert aws.counter.total("resource-groups-tagging-api", "GetResources") == 3
    assert aws.counter.total("cloudwatch", "PutMetricAlarm") == 0


def test_changed_threshold_is_a_field_level_update(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)
    text = (shop / "alarms/shop.yaml").read_text().replace('condition: "> 50"', 'condition: "> 75"')
    (shop / "alarms/shop.yaml").write_text(text)

    ctx = context(aws, shop)
    changed = plan(ctx)

    [change] = changed.changes
    assert (change.kind, change.key, change.action) == ("alarm", "shop-api-errors", Action.UPDATE)
    assert [(f.field, f.old, f.new) for f in change.fields] == [("threshold", 50.0, 75.0)]
    assert change.source and change.source.endswith("alarms/shop.yaml:2")
    assert apply(ctx, changed).ok
    assert _alarm(aws, "shop-api-errors")["Threshold"] == 75.0
    assert plan(context(aws, shop)).is_empty


def test_describe_alarms_follows_next_token(aws: SessionFactory, tmp_path: Path) -> None:
    rules = "\n".join(
        f"  - {{name: queue-{n:03d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> 100"}}'
        for n in range(230)
    )
    root = write_config(tmp_path / "many", shop_files({"alarms/shop.yaml": f"alarms:\n{rules}\n"}))
    _converge(aws, root)
    aws.counter.reset()

    states = Alarms().actual(context(aws, root))

    assert len(states) == 230
    assert aws.counter.total("cloudwatch", "DescribeAlarms") == 3  # 100 + 100 + 30


def _rds(aws: SessionFactory, name: str, environment: str, engine: str = "postgres") -> None:
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine=engine,
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": "Environment", "Value": environment}],
    )


TEMPLATE = """\
alarms:
  - name: db-cpu
    severity: critical
    description: "{id} CPU above 90%"
    for_each: {resource: "rds:db", tags: {Environment: production}, where: {engine: postgres}}
    namespace: AWS/RDS
    metric: CPUUtilization
    dimensions: {DBInstanceIdentifier: "{id}"}
    statistic: Average
    condition: "> 90"
"""


def test_template_makes_one_alarm_per_resource_and_drops_vanished_ones(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _rds(aws, "orders-db", "production")
    _rds(aws, "users-db", "production")
    _rds(aws, "scratch-db", "staging")
    _rds(aws, "reports-db", "production", engine="mysql")
    root = write_config(tmp_path / "templated", shop_files({"alarms/shop.yaml": TEMPLATE}))

    _converge(aws, root)

    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="shop-db-cpu")["MetricAlarms"]
    assert {a["AlarmName"]: a["Dimensions"][0]["Value"] for a in alarms} == {
        "shop-db-cpu-orders-db": "orders-db",
        "shop-db-cpu-users-db": "users-db",
    }
    assert _alarm(aws, "shop-db-cpu-users-db")["AlarmDescription"] == "users-db CPU above 90%"

    aws.client("rds").delete_db_instance(DBInstanceIdentifier="users-db", SkipFinalSnapshot=True)
    after = plan(context(aws, root))
    assert [(c.key, c.action) for c in after.changes] == [("shop-db-cpu-users-db", Action.DELETE)]


def test_long_resource_ids_are_cut_to_255_without_collisions() -> None:
    common = "x" * 300
    first = alarm_name("shop", "db-cpu", common + "-one")
    second = alarm_name("shop", "db-cpu", common + "-two")
    assert len(first) == len(second) == ALARM_NAME_LIMIT
    assert first != second
    assert first.startswith("shop-db-cpu-xxx")


def test_description_keeps_the_runbook_link_within_the_limit() -> None:
    text = alarm_description("d" * 2000, "https://wiki.example.com/runbook")
    assert len(text) == 1024
    assert text.endswith("... Runbook: https://wiki.example.com/runbook")
    assert alarm_description("Disk full.", "https://r") == "Disk full. Runbook: https://r"
    assert alarm_description(None, None) == ""


def test_an_alarm_without_a_severity_notifies_nobody(aws: SessionFactory, tmp_path: Path) -> None:
    rules = """\
alarms:
  - name: queue-depth
    description: For the operations dashboard only
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {QueueName: orders}
    statistic: Maximum
    condition: "> 100"
"""
    root = write_config(tmp_path / "quiet", shop_files({"alarms/dashboard.yaml": rules}))
    _converge(aws, root)

    alarm = _alarm(aws, "shop-queue-depth")
    assert (alarm["AlarmActions"], alarm["OKActions"], alarm["InsufficientDataActions"]) == (
        [],
        [],
        [],
    )
    assert alarm["AlarmDescription"] == "For the operations dashboard only"
    assert plan(context(aws, root)).is_empty
