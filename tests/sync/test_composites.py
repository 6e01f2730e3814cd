"""Composite alarms: rules over managed alarm names, order of writes, and the emulator's support."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.sync.composites import alarm_rule
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

from .shop import ALARMS, context, shop_files, write_config

CRITICAL = "arn:aws:sns:us-east-1:123456789012:shop-critical"


def test_rule_names_become_managed_alarm_names() -> None:
    known = {"db-cpu", "api-errors"}
    rule = 'ALARM(db-cpu) AND (ALARM("api-errors") OR NOT OK(other-team-alarm))'
    assert alarm_rule("shop", rule, known) == (
        'ALARM("shop-db-cpu") AND (ALARM("shop-api-errors") OR NOT OK("other-team-alarm"))'
    )


def test_composite_alarm_in_cloudwatch(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok

    cloudwatch = aws.client("cloudwatch")
    [composite] = cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert composite["AlarmName"] == "shop-api-down"
    assert composite["AlarmRule"] == 'ALARM("shop-api-errors") AND ALARM("shop-api-error-rate")'
    assert composite["AlarmActions"] == [CRITICAL]
    assert composite["OKActions"] == [CRITICAL]
    assert composite["AlarmDescription"] == "Users cannot reach the API"
    tags = cloudwatch.list_tags_for_resource(ResourceARN=composite["AlarmArn"])["Tags"]
    assert {"Key": "sentinel:project", "Value": "shop"} in tags
    # Metric alarms only, unless composites are asked for: as AWS answers.
    metric_only = cloudwatch.describe_alarms(AlarmNamePrefix="shop-")
    assert metric_only["CompositeAlarms"] == []
    assert len(metric_only["MetricAlarms"]) == 3
    assert plan(context(aws, shop)).is_empty


NESTED = (
    ALARMS
    + """\
  - name: checkout-down
    severity: critical
    rule: ALARM(api-down) OR ALARM(payments-down)
  - name: payments-down
    severity: critical
    rule: ALARM(api-errors)
"""
)


def test_composites_are_written_after_those_they_use_and_deleted_before(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "nested", shop_files({"alarms/shop.yaml": NESTED}))
    ctx = context(aws, root)
    planned = plan(ctx)
    written = [c.key for c in planned.changes if c.kind == "composite alarm"]
    assert written.index("shop-api-down") < written.index("shop-checkout-down")
    assert written.index("shop-payments-down") < written.index("shop-checkout-down")

    order: list[str] = []
    assert apply(ctx, planned, on_result=lambda r: order.append(r.change.key)).ok
    assert order.index("shop-payments-down") < order.index("shop-checkout-down")

    root = write_config(root, {"alarms/shop.yaml": ALARMS.split("composites:")[0]})
    ctx = context(aws, root)
    removal = plan(ctx)
    deleted = [c.key for c in removal.changes if c.action is Action.DELETE]
    assert set(deleted) == {"shop-api-down", "shop-checkout-down", "shop-payments-down"}
    order.clear()
    assert apply(ctx, removal, on_result=lambda r: order.append(r.change.key)).ok
    assert order.index("shop-checkout-down") < order.index("shop-api-down")
    assert order.index("shop-checkout-down") < order.index("shop-payments-down")
    assert (
        aws.client("cloudwatch").describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
        == []
    )


def test_emulator_pages_describe_alarms_and_drops_tags_on_delete(aws: SessionFactory) -> None:
    cloudwatch = aws.client("cloudwatch")
    for n in range(5):
        cloudwatch.put_metric_alarm(
            AlarmName=f"paged-{n}",
            Namespace="Test",
            MetricName="M",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
            Tags=[{"Key": "k", "Value": "v"}],
        )
    first = cloudwatch.describe_alarms(AlarmNamePrefix="paged-", MaxRecords=2)
    second = cloudwatch.describe_alarms(
        AlarmNamePrefix="paged-", MaxRecords=2, NextToken=first["NextToken"]
    )
    third = cloudwatch.describe_alarms(
        AlarmNamePrefix="paged-", MaxRecords=2, NextToken=second["NextToken"]
    )
    names = [a["AlarmName"] for page in (first, second, third) for a in page["MetricAlarms"]]
    assert names == [f"paged-{n}" for n in range(5)]
    assert "NextToken" not in third

    arn = first["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.delete_alarms(AlarmNames=["paged-0"])
    tagging = aws.client("resourcegroupstaggingapi")
    assert tagging.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"] == []

    with pytest.raises(ClientError, match="MaxRecords"):
        cloudwatch.describe_alarms(MaxRecords=500)
