"""Every read of an import follows its pages to the end, whatever the size of a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.importer.estate import Selection
from sentinel.importer.run import import_config

from .small import cpu_alarm, instances, topic

REGION = "us-east-1"


def _calls(aws: SessionFactory, operation: str) -> int:
    return sum(n for _, op, n in aws.counter.rows() if op == operation)


def test_alarms_and_composites_in_pages(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sentinel.sync.alarms.PAGE_SIZE", 3)
    arn = topic(aws)
    [instance] = instances(aws, [{"Name": "one"}])
    for n in range(8):
        cpu_alarm(aws, f"shop-cpu-{n}", instance, arn, threshold=float(n))
    for n in range(4):
        aws.client("cloudwatch").put_composite_alarm(
            AlarmName=f"shop-either-{n}",
            AlarmRule=f'ALARM("shop-cpu-{n}") OR ALARM("shop-cpu-{n + 4}")',
            AlarmActions=[arn],
            OKActions=[arn],
        )
    aws.counter.reset()

    result = import_config(aws, tmp_path / "out", REGION, project="shop")

    assert result.imported["alarm"] == 8 and result.imported["composite alarm"] == 4
    assert _calls(aws, "DescribeAlarms") == 3 + 2  # 8 alarms, 4 composites, 3 a page


def test_dashboards_in_pages(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sentinel.emulator.extensions.dashboards.LIST_PAGE_SIZE", 2)
    text = {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {}}
    for n in range(5):
        text["properties"] = {"markdown": f"board {n}"}
        aws.client("cloudwatch").put_dashboard(
            DashboardName=f"shop-board-{n}", DashboardBody=json.dumps({"widgets": [text]})
        )
    aws.counter.reset()

    result = import_config(
        aws, tmp_path / "out", REGION, Selection(kinds=frozenset({"dashboards"})), "shop"
    )

    assert result.imported["dashboard"] == 5
    assert _calls(aws, "ListDashboards") == 3
    assert (tmp_path / "out/dashboards/board-4.yaml").read_text().count("board 4") == 1


def test_topics_and_subscriptions_in_pages(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("moto.sns.models.DEFAULT_PAGE_SIZE", 2)
    arns = [topic(aws, f"shop-tier{n}") for n in range(5)]
    sns = aws.client("sns")
    for n in range(5):
        sns.subscribe(TopicArn=arns[0], Protocol="email", Endpoint=f"person{n}@example.com")
    aws.counter.reset()

    result = import_config(aws, tmp_path / "out", REGION, project="shop")

    assert result.imported["topic"] == 5 and result.imported["subscription"] == 5
    assert _calls(aws, "ListTopics") == 3
    assert _calls(aws, "ListSubscriptionsByTopic") == 3 + 4  # five on one topic, none on four
    routing = (tmp_path / "out/alarms/routing.yaml").read_text()
    assert all(f"person{n}@example.com" in routing for n in range(5))


def test_budgets_notifications_and_subscribers_in_pages(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sentinel.emulator.extensions.budgets.DEFAULT_PAGE_SIZE", 1)
    account = aws.caller_account()
    budgets = aws.client("budgets")
    for n in range(3):
        budgets.create_budget(
            AccountId=account,
            Budget={
                "BudgetName": f"shop-budget-{n}",
                "BudgetLimit": {"Amount": str(100 * (n + 1)), "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
            NotificationsWithSubscribers=[
                {
                    "Notification": {
                        "NotificationType": "ACTUAL",
                        "ComparisonOperator": "GREATER_THAN",
                        "Threshold": threshold,
                        "ThresholdType": "PERCENTAGE",
                    },
                    "Subscribers": [
                        {"SubscriptionType": "EMAIL", "Address": "a@example.com"},
                        {"SubscriptionType": "EMAIL", "Address": "b@example.com"},
                    ],
                }
                for threshold in (80.0, 100.0)
            ],
        )
    aws.counter.reset()

    result = import_config(
        aws, tmp_path / "out", REGION, Selection(kinds=frozenset({"budgets"})), "shop"
    )

    assert result.imported["budget"] == 3
    assert _calls(aws, "DescribeBudgets") == 3
    assert _calls(aws, "DescribeNotificationsForBudget") == 3 * 2
    assert _calls(aws, "DescribeSubscribersForNotification") == 3 * 2 * 2
    written = (tmp_path / "out/budgets/budgets.yaml").read_text()
    assert written.count("notify: [a@example.com, b@example.com]") == 3
    assert written.count("alerts: [80%, 100%]") == 3


def test_tag_prefix_and_kinds_narrow_the_import(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    arn = topic(aws)
    [instance] = instances(aws, [{"Name": "one"}])
    cloudwatch = aws.client("cloudwatch")
    for n in range(30):
        tags = [{"Key": "Team", "Value": "payments" if n % 3 == 0 else "search"}]
        cpu_alarm(aws, f"shop-cpu-{n:02d}", instance, arn, threshold=float(n), Tags=tags)
    cpu_alarm(aws, "other-cpu", instance, arn, Tags=[{"Key": "Team", "Value": "payments"}])
    cloudwatch.tag_resource(
        ResourceARN=cloudwatch.describe_alarms(AlarmNames=["shop-cpu-00"])["MetricAlarms"][0][
            "AlarmArn"
        ],
        Tags=[{"Key": "Team", "Value": "payments"}],
    )
    aws.client("sns").tag_resource(ResourceArn=arn, Tags=[{"Key": "Team", "Value": "payments"}])

    tagged = import_config(
        aws,
        tmp_path / "tagged",
        REGION,
        Selection(prefix="shop-", tag=("Team", "payments")),
        "shop",
    )

    assert tagged.imported["alarm"] == 10  # shop-cpu-00, -03, ... -27; not other-cpu
    written = (tmp_path / "tagged/alarms/critical.yaml").read_text()
    assert "cpu-27" in written and "cpu-01" not in written and "other-cpu" not in written

    alarms_only = import_config(
        aws, tmp_path / "alarms", REGION, Selection(kinds=frozenset({"alarms"})), "shop"
    )

    assert alarms_only.imported["topic"] == 0 and alarms_only.imported["alarm"] == 0
    assert len(alarms_only.not_represented) == 31  # no topic imported: nowhere to route them
    assert (tmp_path / "alarms/unrouted-alarms.yaml").exists()
