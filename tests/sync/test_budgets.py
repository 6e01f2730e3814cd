"""Budgets: what lands in AWS Budgets, updates through the narrowest calls, amounts compared as
numbers, drift from console edits, and budgets Sentinel did not make."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.emulator.cost_table import CostRecord
from sentinel.emulator.extensions.costexplorer import load_cost_records
from sentinel.sync.budgets import BudgetConfigError, Budgets, filter_fields, number
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action
from sentinel.sync.render import render_drift

from .shop import context, shop_files, write_config

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-{{}}"
FINOPS = "finops@shop.example.com"

BUDGETS = f"""\
budgets:
  - name: monthly
    amount: 500 USD
    alerts: [80%, 100%]
    notify: [warning, {FINOPS}]
  - name: payments-forecast
    amount: 1,200.50 USD
    period: quarterly
    filters:
      services: ["Amazon Elastic Container Service"]
      tags: {{Team: payments, Environment: [production, staging]}}
      accounts: ["{ACCOUNT}"]
      regions: [us-east-1]
    alerts:
      - {{threshold: 100%, type: forecasted, notify: [critical]}}
      - {{threshold: 1000 USD, notify: [{FINOPS}]}}
  - name: data-transfer
    amount: 30 USD
    period: annually
    filters: {{usage_types: [USE1-DataTransfer-Out-Bytes]}}
    alerts: [100%]
    notify: [warning]
"""


@pytest.fixture
def budgets(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files({"budgets/budgets.yaml": BUDGETS}))


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [r.error for r in report.failed]


def _alerts(aws: SessionFactory, name: str) -> dict[tuple, list[tuple[str, str]]]:
    """(type, threshold, threshold type) -> sorted (subscription type, address)."""
    client = aws.client("budgets")
    found = {}
    for notification in client.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName=name
    )["Notifications"]:
        subscribers = client.describe_subscribers_for_notification(
            AccountId=ACCOUNT,
            BudgetName=name,
            Notification={k: v for k, v in notification.items() if k != "NotificationState"},
        )["Subscribers"]
        key = (
            notification["NotificationType"],
            notification["Threshold"],
            notification["ThresholdType"],
        )
        found[key] = sorted((s["SubscriptionType"], s["Address"]) for s in subscribers)
    return found


def _budget(aws: SessionFactory, name: str) -> dict:
    return aws.client("budgets").describe_budget(AccountId=ACCOUNT, BudgetName=name)["Budget"]


def test_budgets_as_configured(aws: SessionFactory, budgets: Path) -> None:
    _converge(aws, budgets)

    monthly = _budget(aws, "shop-monthly")
    assert monthly["BudgetLimit"] == {"Amount": "500.0", "Unit": "USD"}
    assert (monthly["TimeUnit"], monthly["BudgetType"]) == ("MONTHLY", "COST")
    assert "CostFilters" not in monthly or monthly["CostFilters"] == {}
    both = [("EMAIL", FINOPS), ("SNS", TOPIC.format("warning"))]
    assert _alerts(aws, "shop-monthly") == {
        ("ACTUAL", 80.0, "PERCENTAGE"): both,
        ("ACTUAL", 100.0, "PERCENTAGE"): both,
    }

    payments = _budget(aws, "shop-payments-forecast")
    assert payments["BudgetLimit"] == {"Amount": "1200.5", "Unit": "USD"}
    assert payments["TimeUnit"] == "QUARTERLY"
    # Several filters: all of them hold (one CostFilters would OR the two tag keys).
    assert "CostFilters" not in payments and "CostTypes" not in payments
    assert payments["Metrics"] == ["UnblendedCost"]
    assert payments["FilterExpression"] == {
        "And": [
            {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Elastic Container Service"]}},
            {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [ACCOUNT]}},
            {"Dimensions": {"Key": "REGION", "Values": ["us-east-1"]}},
            {"Tags": {"Key": "Team", "Values": ["payments"]}},
            {"Tags": {"Key": "Environment", "Values": ["production", "staging"]}},
        ]
    }
    assert _alerts(aws, "shop-payments-forecast") == {
        ("FORECASTED", 100.0, "PERCENTAGE"): [("SNS", TOPIC.format("critical"))],
        ("ACTUAL", 1000.0, "ABSOLUTE_VALUE"): [("EMAIL", FINOPS)],
    }

    transfer = _budget(aws, "shop-data-transfer")
    assert transfer["TimeUnit"] == "ANNUALLY"
    assert transfer["CostFilters"] == {"UsageType": ["USE1-DataTransfer-Out-Bytes"]}

    arn = f"arn:aws:budgets::{ACCOUNT}:budget/shop-monthly"
    tags = aws.client("budgets").list_tags_for_resource(ResourceARN=arn)["ResourceTags"]
    assert {t["Key"]: t["Value"] for t in tags}["sentinel:project"] == "shop"


def test_second_plan_is_empty_though_aws_writes_amounts_its_own_way(
    aws: SessionFactory, budgets: Path
) -> None:
    _converge(aws, budgets)
    again = plan(context(aws, budgets))
    assert again.is_empty, [(c.key, c.fields) for c in again.changes]

    # AWS answers "500.0" for the 500 written: equal as numbers, so no change.
    assert _budget(aws, "shop-monthly")["BudgetLimit"]["Amount"] == "500.0"


def test_amounts_and_thresholds_have_one_spelling() -> None:
    assert {number(v) for v in ("500", "500.0", "500.000", 500, 500.0, Decimal("5E+2"))} == {"500"}
    assert number("1200.50") == "1200.5"
    assert number(0.1) == "0.1"


CHANGED = f"""\
budgets:
  - name: monthly
    amount: 600 USD
    alerts: [80%, 120%]
    notify: [critical, {FINOPS}]
  - name: payments-forecast
    amount: 1200.5 USD
    period: quarterly
    filters:
      services: ["Amazon Elastic Container Service"]
      tags: {{Team: payments, Environment: [production, staging]}}
      accounts: ["{ACCOUNT}"]
      regions: [us-east-1]
    alerts:
      - {{threshold: 100%, type: forecasted, notify: [warning]}}
      - {{threshold: 1000 USD, notify: [{FINOPS}]}}
  - name: data-transfer
    amount: 30 USD
    period: annually
    filters: {{usage_types: [USE1-DataTransfer-Out-Bytes]}}
    alerts: [100%]
    notify: [warning]
"""


def test_updates_change_only_what_differs(aws: SessionFactory, budgets: Path) -> None:
    _converge(aws, budgets)
    write_config(budgets, {"budgets/budgets.yaml": CHANGED})

    ctx = context(aws, budgets)
    result = plan(ctx, [Budgets()])
    changes = {c.key: c for c in result.changes}
    assert sorted(changes) == ["shop-monthly", "shop-payments-forecast"]
    monthly = {f.field: (f.old, f.new) for f in changes["shop-monthly"].fields}
    critical_and_email = [f"email {FINOPS}", f"sns {TOPIC.format('critical')}"]
    warning_and_email = [f"email {FINOPS}", f"sns {TOPIC.format('warning')}"]
    assert monthly == {
        "limit": ("500 USD", "600 USD"),
        "alerts.actual > 80%": (warning_and_email, critical_and_email),
        "alerts.actual > 100%": (warning_and_email, None),
        "alerts.actual > 120%": (None, critical_and_email),
    }

    aws.counter.reset()
    assert apply(ctx, result).ok
    calls = {op: n for service, op, n in aws.counter.rows() if service == "budgets"}
    assert calls == {
        "UpdateBudget": 1,  # monthly's amount; payments-forecast's budget is unchanged
        "CreateNotification": 2,  # monthly 120 %, payments' forecast alert replaced
        "DeleteNotification": 2,  # monthly 100 %, payments' forecast alert replaced
        "DeleteSubscriber": 1,  # monthly 80 %: warning topic out ...
        "CreateSubscriber": 1,  # ... critical topic in, the email kept throughout
        "TagResource": 2,
    }

    assert _budget(aws, "shop-monthly")["BudgetLimit"] == {"Amount": "600.0", "Unit": "USD"}
    both = [("EMAIL", FINOPS), ("SNS", TOPIC.format("critical"))]
    assert _alerts(aws, "shop-monthly") == {
        ("ACTUAL", 80.0, "PERCENTAGE"): both,
        ("ACTUAL", 120.0, "PERCENTAGE"): both,
    }
    assert _alerts(aws, "shop-payments-forecast")[("FORECASTED", 100.0, "PERCENTAGE")] == [
        ("SNS", TOPIC.format("warning"))
    ]
    assert plan(context(aws, budgets)).is_empty


def test_console_edit_shows_as_drift(aws: SessionFactory, budgets: Path) -> None:
    _converge(aws, budgets)
    client = aws.client("budgets")
    monthly = _budget(aws, "shop-monthly")
    monthly["BudgetLimit"]["Amount"] = "750"
    client.update_budget(
        AccountId=ACCOUNT,
        NewBudget={k: v for k, v in monthly.items() if k != "CalculatedSpend"},
    )
    client.delete_subscriber(
        AccountId=ACCOUNT,
        BudgetName="shop-monthly",
        Notification={
            "NotificationType": "ACTUAL",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": 80.0,
            "ThresholdType": "PERCENTAGE",
        },
        Subscriber={"SubscriptionType": "EMAIL", "Address": FINOPS},
    )

    drift = plan(context(aws, budgets), [Budgets()])
    [change] = drift.changes
    assert (change.key, change.action) == ("shop-monthly", Action.UPDATE)
    console = Console(record=True, width=200)
    render_drift(drift, console)
    text = console.export_text()
    assert 'limit: config "500 USD", AWS "750 USD"' in text
    assert "alerts.actual > 80%: config" in text

    _converge(aws, budgets)
    assert plan(context(aws, budgets)).is_empty


def test_budgets_of_people_and_other_projects_are_never_touched(
    aws: SessionFactory, budgets: Path
) -> None:
    client = aws.client("budgets")
    for name, tags in (
        ("shop-handmade", []),
        ("shop-eu-total", [{"Key": "sentinel:project", "Value": "shop-eu"}]),
    ):
        client.create_budget(
            AccountId=ACCOUNT,
            Budget={
                "BudgetName": name,
                "BudgetLimit": {"Amount": "10", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
            ResourceTags=tags,
        )
    _converge(aws, budgets)
    write_config(budgets, {"budgets/budgets.yaml": BUDGETS.split("  - name: payments")[0]})

    result = plan(context(aws, budgets), [Budgets()])
    assert sorted((c.key, c.action) for c in result.changes) == [
        ("shop-data-transfer", Action.DELETE),
        ("shop-payments-forecast", Action.DELETE),
    ]
    assert apply(context(aws, budgets), result).ok
    names = sorted(b["BudgetName"] for b in client.describe_budgets(AccountId=ACCOUNT)["Budgets"])
    assert names == ["shop-eu-total", "shop-handmade", "shop-monthly"]


def test_an_alert_aws_would_refuse_is_an_error_at_plan_time(
    aws: SessionFactory, tmp_path: Path
) -> None:
    two_topics = """\
    budgets:
      - name: monthly
        amount: 100 USD
        alerts: [90%]
        notify: [critical, warning]
    """
    root = write_config(tmp_path / "shop", shop_files({"budgets/b.yaml": two_topics}))
    with pytest.raises(BudgetConfigError, match="allows one SNS topic"):
        plan(context(aws, root), [Budgets()])


CAJA_STAGING = """\
budgets:
  - name: caja-staging
    amount: 100 USD
    filters:
      tags: {Project: caja, Environment: staging}
    alerts: [80%]
    notify: [warning]
"""
# Daily costs: only the first line item is both Project=caja and Environment=staging.
CAJA_ITEMS = [
    (1.0, {"Project": "caja", "Environment": "staging"}),
    (2.0, {"Project": "caja", "Environment": "production"}),
    (4.0, {"Project": "chat", "Environment": "staging"}),
]
JUNE_10 = datetime(2026, 6, 10, 15, tzinfo=UTC)


def _caja_costs() -> None:
    load_cost_records(
        CostRecord(date(2026, 6, 1) + timedelta(days=n), "Amazon S3", "Storage", cost, tags=tags)
        for n in range(10)
        for cost, tags in CAJA_ITEMS
    )


def _apply_budgets(aws: SessionFactory, root: Path) -> None:
    """Only the budgets (their topics need not exist for AWS Budgets to take the ARNs)."""
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx, [Budgets()]), [Budgets()])
    assert report.ok, [r.error for r in report.failed]


def _spend(aws: SessionFactory, name: str) -> str:
    with time_machine.travel(JUNE_10, tick=False):
        return _budget(aws, name)["CalculatedSpend"]["ActualSpend"]["Amount"]


def test_a_budget_on_two_tags_counts_only_the_costs_carrying_both(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _caja_costs()
    root = write_config(tmp_path / "shop", shop_files({"budgets/budgets.yaml": CAJA_STAGING}))
    _apply_budgets(aws, root)

    budget = _budget(aws, "shop-caja-staging")
    assert "CostFilters" not in budget
    assert budget["FilterExpression"] == {
        "And": [
            {"Tags": {"Key": "Project", "Values": ["caja"]}},
            {"Tags": {"Key": "Environment", "Values": ["staging"]}},
        ]
    }
    assert _spend(aws, "shop-caja-staging") == "10"  # ten days of 1.00, not 70 (1 + 2 + 4)
    again = plan(context(aws, root), [Budgets()])
    assert again.is_empty, [(c.key, c.fields) for c in again.changes]


def test_a_budget_written_as_one_cost_filter_is_rewritten_as_an_expression(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _caja_costs()
    root = write_config(tmp_path / "shop", shop_files({"budgets/budgets.yaml": CAJA_STAGING}))
    _apply_budgets(aws, root)
    # As an earlier release wrote it: both tags in one CostFilters key, which ORs them.
    either = {"TagKeyValue": ["user:Project$caja", "user:Environment$staging"]}
    old = {
        k: v
        for k, v in _budget(aws, "shop-caja-staging").items()
        if k not in ("CalculatedSpend", "FilterExpression", "Metrics")
    }
    aws.client("budgets").update_budget(AccountId=ACCOUNT, NewBudget={**old, "CostFilters": either})
    assert _spend(aws, "shop-caja-staging") == "70"

    result = plan(context(aws, root), [Budgets()])
    [change] = result.changes
    fields = {f.field: (f.old, f.new) for f in change.fields}
    assert fields == {
        "filters.TagKeyValue": (sorted(either["TagKeyValue"]), None),
        "filters.and.tag Environment": (None, ["staging"]),
        "filters.and.tag Project": (None, ["caja"]),
    }
    assert apply(context(aws, root), result, [Budgets()]).ok
    assert "CostFilters" not in _budget(aws, "shop-caja-staging")
    assert _spend(aws, "shop-caja-staging") == "10"
    assert plan(context(aws, root), [Budgets()]).is_empty


def test_filter_fields_read_any_expression_in_one_form() -> None:
    tags = [{"Tags": {"Key": "Team", "Values": ["b", "a"]}}]
    service = {"Dimensions": {"Key": "SERVICE", "Values": ["Tax"], "MatchOptions": ["EQUALS"]}}
    assert filter_fields({"FilterExpression": {"And": [service, *tags]}}) == {
        "and": {"SERVICE": ["Tax"], "tag Team": ["a", "b"]}
    }
    handmade = {"And": [{"Not": service}, *tags]}
    assert filter_fields({"FilterExpression": handmade}) == {
        "expression": "(not SERVICE in [Tax] and tag Team in [a, b])"
    }
    assert filter_fields({"CostFilters": {"Service": ["Tax"], "Region": []}}) == {
        "Service": ["Tax"]
    }
