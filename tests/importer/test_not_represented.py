"""What no config can reproduce is listed with its reason, and left out of every file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.importer.run import import_config

from .conftest import Run
from .small import cpu_alarm, instances, topic


def test_each_unrepresentable_resource_is_listed_with_its_reason(
    aws: SessionFactory, tmp_path: Path
) -> None:
    arn = topic(aws)
    [instance] = instances(aws, [{"Name": "one"}])
    cpu_alarm(aws, "shop-cpu", instance, arn)
    cpu_alarm(aws, "shop-cpu-muted", instance, arn, ActionsEnabled=False)
    cpu_alarm(aws, "shop-cpu-seventy", instance, arn, threshold=70.0)
    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="shop-cpu-twice",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=50.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[arn, topic(aws, "shop-other")],
    )
    cloudwatch.put_composite_alarm(
        AlarmName="shop-unquoted", AlarmRule="ALARM(shop-cpu)", AlarmActions=[arn], OKActions=[arn]
    )
    cloudwatch.put_composite_alarm(
        AlarmName="shop-quoted", AlarmRule='ALARM("shop-cpu")', AlarmActions=[arn], OKActions=[arn]
    )
    cloudwatch.put_composite_alarm(
        AlarmName="shop-counted",
        AlarmRule='AT_LEAST(1, ALARM, ("shop-cpu", "shop-cpu-seventy"))',
        AlarmActions=[arn],
        OKActions=[arn],
    )
    account = aws.caller_account()
    aws.client("budgets").create_budget(
        AccountId=account,
        Budget={
            "BudgetName": "shop-daily",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "DAILY",
            "BudgetType": "COST",
        },
    )
    out = tmp_path / "shop"

    result = import_config(aws, out, "us-east-1", project="shop")

    reasons = {(item.kind, item.name): item.reason for item in result.not_represented}
    assert reasons == {
        ("alarm", "shop-cpu-muted"): "its actions are disabled; Sentinel's alarms always act",
        ("alarm", "shop-cpu-twice"): (
            "its alarm actions notify more than one topic, or only OK states"
        ),
        ("composite alarm", "shop-unquoted"): (
            'its rule names alarms without quotes; Sentinel writes them as ALARM("name")'
        ),
        ("composite alarm", "shop-counted"): (
            "its rule counts alarms with AT_LEAST; Sentinel writes AT_LEAST from "
            "count(ALARM(<templated rule>)) >= N, over the alarms of one templated rule"
        ),
        ("budget", "shop-daily"): (
            "a COST budget per DAILY: Sentinel has cost and usage budgets, monthly, quarterly "
            "or annually"
        ),
    }
    written = "".join(p.read_text() for p in out.rglob("*.yaml"))
    for name in ("cpu-muted", "cpu-twice", "unquoted", "counted", "daily"):
        assert name not in written
    assert "rule: ALARM(cpu)" in written and "name: cpu-seventy" in written


def test_what_another_sentinel_project_manages_is_left_out_and_named(
    aws: SessionFactory, tmp_path: Path
) -> None:
    arn = topic(aws)
    theirs = topic(aws, "billing-critical")
    [instance] = instances(aws, [{"Name": "one"}])
    cpu_alarm(aws, "shop-cpu", instance, arn)
    cpu_alarm(aws, "billing-cpu", instance, theirs)
    cloudwatch, sns = aws.client("cloudwatch"), aws.client("sns")
    owned = [{"Key": "sentinel:project", "Value": "billing"}]
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["billing-cpu"])["MetricAlarms"]
    cloudwatch.tag_resource(ResourceARN=alarm["AlarmArn"], Tags=owned)
    sns.tag_resource(ResourceArn=theirs, Tags=owned)
    cloudwatch.put_dashboard(DashboardName="billing-overview", DashboardBody='{"widgets": []}')
    board = cloudwatch.get_dashboard(DashboardName="billing-overview")["DashboardArn"]
    cloudwatch.tag_resource(ResourceARN=board, Tags=owned)
    # The project's own resources, tagged by an earlier apply, are imported as any other.
    cpu_alarm(aws, "shop-cpu-own", instance, arn, threshold=70.0)
    [own] = cloudwatch.describe_alarms(AlarmNames=["shop-cpu-own"])["MetricAlarms"]
    cloudwatch.tag_resource(
        ResourceARN=own["AlarmArn"], Tags=[{"Key": "sentinel:project", "Value": "shop"}]
    )
    out = tmp_path / "shop"

    result = import_config(aws, out, "us-east-1", project="shop")

    assert result.not_represented == []
    managed = {(item.kind, item.name): item.reason for item in result.managed}
    assert managed == {
        ("alarm", "billing-cpu"): "billing",
        ("topic", "billing-critical"): "billing",
        ("dashboard", "billing-overview"): "billing",
    }
    written = "".join(p.read_text() for p in out.rglob("*.yaml"))
    assert "billing" not in written
    assert "cpu-own" in written
    assert result.deleted == []


def test_the_projects_own_resource_that_is_left_out_is_named_as_deleted_by_the_next_apply(
    aws: SessionFactory, tmp_path: Path, run: Run
) -> None:
    arn = topic(aws)
    [instance] = instances(aws, [{"Name": "one"}])
    cpu_alarm(aws, "shop-cpu", instance, arn)
    # Tagged by an earlier apply, then muted by hand: no config reproduces it, and a plan
    # deletes what the project's tag marks and the config leaves out.
    cpu_alarm(aws, "shop-cpu-muted", instance, arn, ActionsEnabled=False)
    # Outside the project's prefix: a plan reads it only while its config names it.
    cpu_alarm(aws, "Legacy CPU muted", instance, arn, ActionsEnabled=False)
    cloudwatch = aws.client("cloudwatch")
    for muted in cloudwatch.describe_alarms(AlarmNames=["shop-cpu-muted", "Legacy CPU muted"])[
        "MetricAlarms"
    ]:
        cloudwatch.tag_resource(
            ResourceARN=muted["AlarmArn"], Tags=[{"Key": "sentinel:project", "Value": "shop"}]
        )
    out = tmp_path / "shop"

    imported = run("import", "-C", str(out), "--project", "shop", "--region", "us-east-1")

    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.replace("│", " ").split())
    assert "Deleted by the next apply (1)" in said
    assert "alarm shop-cpu-muted us-east-1" in said
    assert "these carry the tag sentinel:project=shop where this config does not write" in said
    planned = run("plan", "-C", str(out))
    deletions = [line for line in planned.output.splitlines() if line.startswith("- ")]
    assert deletions == ["- alarm shop-cpu-muted"], planned.output


@pytest.mark.parametrize(
    ("narrowing", "unread"),
    [
        (
            ("--prefix", "shop-api"),
            ["alarm shop-db-cpu", "budget shop-db-monthly", "dashboard shop-db-board"],
        ),
        (
            ("--kinds", "topics,dashboards"),
            [
                "alarm shop-api-cpu",
                "alarm shop-db-cpu",
                "budget shop-api-monthly",
                "budget shop-db-monthly",
            ],
        ),
    ],
)
def test_the_projects_own_resources_that_a_selection_leaves_unread_are_named_as_deleted(
    aws: SessionFactory, tmp_path: Path, run: Run, narrowing: tuple[str, str], unread: list[str]
) -> None:
    arn = topic(aws, "shop-api-critical")  # read with --prefix shop-api: the alarm's severity
    [instance] = instances(aws, [{"Name": "one"}])
    cloudwatch = aws.client("cloudwatch")
    budgets = aws.client("budgets")
    account = aws.caller_account()
    owned = [{"Key": "sentinel:project", "Value": "shop"}]
    for part in ("api", "db"):
        name = f"shop-{part}-cpu"
        cpu_alarm(aws, name, instance, arn)
        [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        cloudwatch.tag_resource(ResourceARN=alarm["AlarmArn"], Tags=owned)
        board = f"shop-{part}-board"
        text = {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2}
        widget = {**text, "properties": {"markdown": f"the {part} tier"}}
        cloudwatch.put_dashboard(
            DashboardName=board, DashboardBody=json.dumps({"widgets": [widget]})
        )
        cloudwatch.tag_resource(
            ResourceARN=f"arn:aws:cloudwatch::{account}:dashboard/{board}", Tags=owned
        )
        budgets.create_budget(
            AccountId=account,
            Budget={
                "BudgetName": f"shop-{part}-monthly",
                "BudgetLimit": {"Amount": "100", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
            ResourceTags=owned,
        )
    out = tmp_path / "shop"

    imported = run(
        "import", "-C", str(out), "--project", "shop", "--region", "us-east-1", *narrowing
    )

    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.replace("│", " ").split())
    assert f"Deleted by the next apply ({len(unread)})" in said
    for resource in unread:
        assert f"{resource} us-east-1" in said
    planned = run("plan", "-C", str(out))
    deletions = [line for line in planned.output.splitlines() if line.startswith("- ")]
    assert sorted(deletions) == [f"- {resource}" for resource in unread], planned.output
