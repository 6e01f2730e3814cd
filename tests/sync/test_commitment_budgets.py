"""Reservation and Savings Plans utilization and coverage budgets: what AWS Budgets receives,
an empty second plan, every mistake at once at file:line, and an emulator that refuses what
AWS refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import botocore.exceptions
import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.emulator.commitments import demo_commitments
from sentinel.emulator.extensions.costexplorer import load_commitments
from sentinel.errors import ConfigError
from sentinel.sync.budgets import Budgets
from sentinel.sync.engine import apply, plan

from .shop import context, shop_files, write_config

ACCOUNT = "123456789012"
RDS = "Amazon Relational Database Service"
COMMITMENTS = f"""\
budgets:
  - name: rds-ri-utilization
    type: ri_utilization
    target: 80%
    filters: {{services: ["{RDS}"]}}
    notify: [warning]
  - name: rds-ri-coverage
    type: ri_coverage
    target: 60%
    period: quarterly
    filters: {{services: ["{RDS}"]}}
    notify: [warning]
  - name: sp-utilization
    type: savings_plans_utilization
    target: 90%
    notify: [warning]
  - name: sp-coverage
    type: savings_plans_coverage
    alerts: [70%, 50%]
    notify: [warning]
"""


@pytest.fixture
def commitments(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files({"budgets/commitments.yaml": COMMITMENTS}))


def _apply(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx, [Budgets()]), [Budgets()])
    assert report.ok, [r.error for r in report.failed]


def _budget(aws: SessionFactory, name: str) -> dict:
    return aws.client("budgets").describe_budget(AccountId=ACCOUNT, BudgetName=name)["Budget"]


def _notifications(aws: SessionFactory, name: str) -> list[tuple]:
    found = aws.client("budgets").describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName=name
    )["Notifications"]
    return sorted(
        (n["NotificationType"], n["ComparisonOperator"], n["Threshold"], n["ThresholdType"])
        for n in found
    )


def test_commitment_budgets_land_as_aws_takes_them(aws: SessionFactory, commitments: Path) -> None:
    _apply(aws, commitments)

    ri = _budget(aws, "shop-rds-ri-utilization")
    assert ri["BudgetType"] == "RI_UTILIZATION"
    assert ri["BudgetLimit"] == {"Amount": "100.0", "Unit": "PERCENTAGE"}
    assert ri["CostFilters"] == {"Service": [RDS]}
    assert "CostTypes" not in ri
    assert _notifications(aws, "shop-rds-ri-utilization") == [
        ("ACTUAL", "LESS_THAN", 80.0, "PERCENTAGE")
    ]
    assert _budget(aws, "shop-rds-ri-coverage")["TimeUnit"] == "QUARTERLY"
    sp = _budget(aws, "shop-sp-utilization")
    assert sp["BudgetType"] == "SAVINGS_PLANS_UTILIZATION"
    assert "CostFilters" not in sp or sp["CostFilters"] == {}
    assert _notifications(aws, "shop-sp-coverage") == [
        ("ACTUAL", "LESS_THAN", 50.0, "PERCENTAGE"),
        ("ACTUAL", "LESS_THAN", 70.0, "PERCENTAGE"),
    ]

    again = plan(context(aws, commitments), [Budgets()])
    assert again.is_empty, [(c.key, c.fields) for c in again.changes]


def test_a_changed_target_updates_the_alert_and_a_changed_type_updates_the_budget(
    aws: SessionFactory, commitments: Path
) -> None:
    _apply(aws, commitments)
    aws.counter.reset()
    path = commitments / "budgets/commitments.yaml"
    text = path.read_text().replace("target: 80%", "target: 75%")
    text = text.replace("type: savings_plans_utilization", "type: savings_plans_coverage")
    path.write_text(text)
    _apply(aws, commitments)

    assert _notifications(aws, "shop-rds-ri-utilization") == [
        ("ACTUAL", "LESS_THAN", 75.0, "PERCENTAGE")
    ]
    assert _budget(aws, "shop-sp-utilization")["BudgetType"] == "SAVINGS_PLANS_COVERAGE"
    assert aws.counter.total("budgets", "DeleteBudget") == 0  # updated in place
    assert aws.counter.total("budgets", "UpdateBudget") >= 1
    assert _notifications(aws, "shop-sp-utilization") == [
        ("ACTUAL", "LESS_THAN", 90.0, "PERCENTAGE")
    ]
    assert plan(context(aws, commitments), [Budgets()]).is_empty


def test_aws_budgets_counts_the_period_percentage(aws: SessionFactory, commitments: Path) -> None:
    load_commitments(demo_commitments(date(2026, 6, 30)))
    _apply(aws, commitments)
    with time_machine.travel(datetime(2026, 6, 20, 12, tzinfo=UTC), tick=False):
        spend = _budget(aws, "shop-sp-utilization")["CalculatedSpend"]["ActualSpend"]
    assert spend["Unit"] == "PERCENTAGE"
    assert 90 <= float(spend["Amount"]) <= 100


MISTAKES = f"""\
budgets:
  - name: ri-without-service
    type: ri_utilization
    target: 80%
    notify: [warning]
  - name: ri-on-s3
    type: ri_coverage
    target: 80%
    filters: {{services: ["Amazon Simple Storage Service"]}}
    notify: [warning]
  - name: sp-on-a-service
    type: savings_plans_coverage
    target: 80%
    filters: {{services: ["{RDS}"], tags: {{Team: data}}}}
    notify: [warning]
  - name: with-amount
    type: savings_plans_utilization
    amount: 100 USD
    target: 120%
    notify: [warning]
  - name: forecasted
    type: savings_plans_utilization
    alerts: [{{threshold: 80%, type: forecasted}}, 10 USD]
    notify: [warning]
  - name: no-target
    type: ri_utilization
    filters: {{services: ["{RDS}"]}}
    notify: [warning]
  - name: cost-without-amount
    target: 80%
    notify: [warning]
  - name: target-and-alerts
    type: savings_plans_coverage
    target: 80%
    alerts: [70%]
    notify: [warning]
"""


def test_every_mistake_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    root = write_config(tmp_path / "shop", shop_files({"budgets/bad.yaml": MISTAKES}))
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    problems = [str(p) for p in caught.value.problems]
    text = "\n".join(problems)
    expected = [
        ("budgets/bad.yaml:2:", "exactly one service"),
        ("budgets/bad.yaml:9:", "no reservation budget for 'Amazon Simple Storage Service'"),
        ("budgets/bad.yaml:14:", "takes no services filter"),
        ("budgets/bad.yaml:14:", "not filtered by tags"),
        ("budgets/bad.yaml:18:", "has no amount"),
        ("budgets/bad.yaml:19:", "target 120% is not above 0% and at most 100%"),
        ("budgets/bad.yaml:23:", "alert 10 USD is not a percentage"),
        ("budgets/bad.yaml:23:", "actual utilization and coverage only"),
        ("budgets/bad.yaml:25:", "needs `target`"),
        ("budgets/bad.yaml:29:", "needs `amount`"),
        ("budgets/bad.yaml:30:", "`target` is for utilization and coverage budgets"),
        ("budgets/bad.yaml:34:", "has both `target` and `alerts`; set one"),
    ]
    for where, what in expected:
        assert any(where in p and what in p for p in problems), (where, what, text)


def test_the_emulator_refuses_what_aws_refuses_for_these_types(aws: SessionFactory) -> None:
    client = aws.client("budgets")

    def create(budget: dict, notification: dict | None = None) -> None:
        client.create_budget(
            AccountId=ACCOUNT,
            Budget={"BudgetName": "b", "TimeUnit": "MONTHLY", **budget},
            NotificationsWithSubscribers=[
                {
                    "Notification": notification,
                    "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "a@b.example"}],
                }
            ]
            if notification
            else [],
        )

    ri = {"BudgetType": "RI_UTILIZATION", "CostFilters": {"Service": [RDS]}}
    below = {
        "NotificationType": "ACTUAL",
        "ComparisonOperator": "LESS_THAN",
        "Threshold": 80,
        "ThresholdType": "PERCENTAGE",
    }
    refused = [
        ({**ri, "BudgetLimit": {"Amount": "90", "Unit": "PERCENTAGE"}}, None),
        ({**ri, "BudgetLimit": {"Amount": "100", "Unit": "USD"}}, None),
        ({"BudgetType": "RI_COVERAGE"}, None),
        ({"BudgetType": "RI_COVERAGE", "CostFilters": {"Service": ["Amazon S3"]}}, None),
        ({"BudgetType": "SAVINGS_PLANS_COVERAGE", "CostFilters": {"Service": [RDS]}}, None),
        ({**ri, "CostTypes": {"IncludeTax": False}}, None),
        (ri, {**below, "NotificationType": "FORECASTED"}),
        (ri, {**below, "ComparisonOperator": "GREATER_THAN"}),
        (ri, {**below, "ThresholdType": "ABSOLUTE_VALUE"}),
    ]
    for budget, notification in refused:
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            create(budget, notification)
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException", budget

    create(ri, below)  # no BudgetLimit: AWS's default, 100 %
    assert _budget(aws, "b")["BudgetLimit"] == {"Amount": "100.0", "Unit": "PERCENTAGE"}
