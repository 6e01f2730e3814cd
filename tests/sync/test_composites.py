"""Composite alarms: rules over managed alarm names, order of writes, and the emulator's support."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.config.models import AlarmRule
from sentinel.sync.composites import alarm_rule
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

from .shop import ALARMS, context, shop_files, write_config

CRITICAL = "arn:aws:sns:us-east-1:123456789012:shop-critical"


def test_rule_names_become_managed_alarm_names() -> None:
    known = {name: _rule(name) for name in ("db-cpu", "api-errors")}
    rule = 'ALARM(db-cpu) AND (ALARM("api-errors") OR NOT OK(other-team-alarm))'
    assert alarm_rule("shop", rule, known) == (
        'ALARM("shop-db-cpu") AND (ALARM("shop-api-errors") OR NOT OK("other-team-alarm"))'
    )


def _rule(name: str) -> AlarmRule:
    return AlarmRule.model_validate(
        {
            "name": name,
            "severity": "critical",
            "namespace": "AWS/EC2",
            "metric": "CPU",
            "condition": "> 1",
        }
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


def test_an_update_keeps_an_actions_suppressor_set_by_hand(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok
    cloudwatch = aws.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    suppressor = cloudwatch.describe_alarms(AlarmNames=["shop-api-errors"])["MetricAlarms"][0]
    by_hand = {
        "ActionsSuppressor": suppressor["AlarmArn"],
        "ActionsSuppressorWaitPeriod": 120,
        "ActionsSuppressorExtensionPeriod": 300,
    }
    kept = ("AlarmName", "AlarmRule", "AlarmActions", "OKActions", "AlarmDescription")
    cloudwatch.put_composite_alarm(**{k: alarm[k] for k in kept}, **by_hand)

    path = shop / "alarms/shop.yaml"
    path.write_text(
        path.read_text().replace("AND ALARM(api-error-rate)", "OR ALARM(api-error-rate)")
    )
    changed = context(aws, shop)
    [change] = [c for c in plan(changed).changes if c.kind == "composite alarm"]
    assert change.action is Action.UPDATE
    assert apply(changed, plan(changed)).ok

    [after] = cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert after["AlarmRule"] == 'ALARM("shop-api-errors") OR ALARM("shop-api-error-rate")'
    assert {k: after.get(k) for k in by_hand} == by_hand
    assert plan(context(aws, shop)).is_empty


def test_the_emulator_wants_both_periods_with_a_suppressor(aws: SessionFactory) -> None:
    cloudwatch = aws.client("cloudwatch")
    with pytest.raises(ClientError, match="ActionsSuppressorWaitPeriod"):
        cloudwatch.put_composite_alarm(
            AlarmName="x",
            AlarmRule="TRUE",
            ActionsSuppressor="arn:aws:cloudwatch:us-east-1:123456789012:alarm:y",
        )


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


TEMPLATED = """\
alarms:
  - name: lb-5xx
    severity: critical
    for_each: &balancers
      resource: elasticloadbalancing:loadbalancer
      tags: {Team: payments}
      where: {type: application}
    namespace: AWS/ApplicationELB
    metric: HTTPCode_ELB_5XX_Count
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: Sum
    condition: "> 50"
  - name: lb-latency
    severity: warning
    for_each: *balancers
    namespace: AWS/ApplicationELB
    metric: TargetResponseTime
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: p95
    condition: "> 2"
  - name: db-cpu
    severity: warning
    namespace: AWS/RDS
    metric: CPUUtilization
    dimensions: {DBInstanceIdentifier: shop-db}
    condition: "> 90"

composites:
  - name: lb-down
    severity: critical
    description: "{name} fails and is slow"
    for_each: *balancers
    rule: ALARM(lb-5xx) AND (ALARM(lb-latency) OR ALARM(db-cpu))
"""


def test_a_templated_composite_is_one_per_resource_over_its_own_alarms(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    load_balancer("web", {"Team": "payments"})
    load_balancer("api", {"Team": "payments"})
    load_balancer("other", {"Team": "search"})
    shop = write_config(tmp_path / "shop", shop_files({"alarms/shop.yaml": TEMPLATED}))
    ctx = context(aws, shop)
    first = plan(ctx)
    composites = [c.key for c in first.changes if c.kind == "composite alarm"]
    assert composites == ["shop-lb-down-api", "shop-lb-down-web"]
    assert apply(ctx, first).ok

    found = aws.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="shop-lb-down", AlarmTypes=["CompositeAlarm"]
    )["CompositeAlarms"]
    rules = {a["AlarmName"]: (a["AlarmRule"], a["AlarmDescription"]) for a in found}
    assert rules == {
        "shop-lb-down-api": (
            'ALARM("shop-lb-5xx-api") AND (ALARM("shop-lb-latency-api") OR ALARM("shop-db-cpu"))',
            "api fails and is slow",
        ),
        "shop-lb-down-web": (
            'ALARM("shop-lb-5xx-web") AND (ALARM("shop-lb-latency-web") OR ALARM("shop-db-cpu"))',
            "web fails and is slow",
        ),
    }
    assert plan(context(aws, shop)).is_empty
