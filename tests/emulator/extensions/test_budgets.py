"""AWS Budgets calls moto lacks, as AWS answers them: updates, subscribers, tags, paging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.emulator.cost_table import CostRecord
from sentinel.emulator.extensions.costexplorer import load_cost_records

ACCOUNT = "123456789012"
ARN = f"arn:aws:budgets::{ACCOUNT}:budget/team"
ALERT = {
    "NotificationType": "ACTUAL",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 80,
    "ThresholdType": "PERCENTAGE",
}
EMAIL = {"SubscriptionType": "EMAIL", "Address": "team@example.com"}
TOPIC = {"SubscriptionType": "SNS", "Address": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}


def _budget(name: str = "team", amount: str = "100") -> dict:
    return {
        "BudgetName": name,
        "BudgetLimit": {"Amount": amount, "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def test_update_budget_replaces_the_budget_and_amounts_read_as_aws_writes_them(
    aws: SessionFactory,
) -> None:
    client = aws.client("budgets")
    client.create_budget(AccountId=ACCOUNT, Budget=_budget(amount="100"))
    client.update_budget(
        AccountId=ACCOUNT,
        NewBudget={**_budget(amount="12.50"), "CostFilters": {"Service": ["Amazon S3"]}},
    )

    budget = client.describe_budget(AccountId=ACCOUNT, BudgetName="team")["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "12.5", "Unit": "USD"}
    assert budget["CostFilters"] == {"Service": ["Amazon S3"]}
    with pytest.raises(ClientError) as missing:
        client.update_budget(AccountId=ACCOUNT, NewBudget=_budget("nobody"))
    assert _code(missing) == "NotFoundException"


def test_subscribers_are_added_and_removed_and_the_last_one_takes_the_alert_along(
    aws: SessionFactory,
) -> None:
    client = aws.client("budgets")
    client.create_budget(
        AccountId=ACCOUNT,
        Budget=_budget(),
        NotificationsWithSubscribers=[{"Notification": ALERT, "Subscribers": [EMAIL]}],
    )
    where = {"AccountId": ACCOUNT, "BudgetName": "team", "Notification": ALERT}
    client.create_subscriber(**where, Subscriber=TOPIC)

    listed = client.describe_subscribers_for_notification(**where)["Subscribers"]
    assert sorted(s["SubscriptionType"] for s in listed) == ["EMAIL", "SNS"]
    with pytest.raises(ClientError) as twice:
        client.create_subscriber(**where, Subscriber=TOPIC)
    assert _code(twice) == "DuplicateRecordException"
    with pytest.raises(ClientError) as second_topic:
        client.create_subscriber(**where, Subscriber={**TOPIC, "Address": TOPIC["Address"] + "2"})
    assert _code(second_topic) == "InvalidParameterException"

    client.delete_subscriber(**where, Subscriber=EMAIL)
    client.delete_subscriber(**where, Subscriber=TOPIC)
    found = client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="team")
    assert found["Notifications"] == []


def test_notifications_are_matched_by_value_and_refused_twice(aws: SessionFactory) -> None:
    client = aws.client("budgets")
    client.create_budget(AccountId=ACCOUNT, Budget=_budget())
    client.create_notification(
        AccountId=ACCOUNT, BudgetName="team", Notification=ALERT, Subscribers=[EMAIL]
    )
    with pytest.raises(ClientError) as twice:
        client.create_notification(
            AccountId=ACCOUNT,
            BudgetName="team",
            Notification={**ALERT, "Threshold": 80.0},
            Subscribers=[EMAIL],
        )
    assert _code(twice) == "DuplicateRecordException"

    [alert] = client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="team")[
        "Notifications"
    ]
    assert alert["NotificationState"] == "OK" and alert["Threshold"] == 80.0
    with pytest.raises(ClientError) as unknown:
        client.delete_notification(
            AccountId=ACCOUNT, BudgetName="team", Notification={**ALERT, "Threshold": 90}
        )
    assert _code(unknown) == "NotFoundException"
    client.delete_notification(AccountId=ACCOUNT, BudgetName="team", Notification=ALERT)


def test_budgets_page(aws: SessionFactory) -> None:
    client = aws.client("budgets")
    for n in range(5):
        client.create_budget(AccountId=ACCOUNT, Budget=_budget(f"team-{n}"))

    first = client.describe_budgets(AccountId=ACCOUNT, MaxResults=2)
    assert len(first["Budgets"]) == 2 and first["NextToken"]
    pages = client.get_paginator("describe_budgets").paginate(
        AccountId=ACCOUNT, PaginationConfig={"PageSize": 2}
    )
    assert sorted(b["BudgetName"] for page in pages for b in page["Budgets"]) == [
        f"team-{n}" for n in range(5)
    ]


def test_budget_tags(aws: SessionFactory) -> None:
    client = aws.client("budgets")
    client.create_budget(
        AccountId=ACCOUNT, Budget=_budget(), ResourceTags=[{"Key": "Team", "Value": "a"}]
    )
    client.tag_resource(ResourceARN=ARN, ResourceTags=[{"Key": "Owner", "Value": "b"}])
    client.untag_resource(ResourceARN=ARN, ResourceTagKeys=["Team"])

    assert client.list_tags_for_resource(ResourceARN=ARN)["ResourceTags"] == [
        {"Key": "Owner", "Value": "b"}
    ]
    client.delete_budget(AccountId=ACCOUNT, BudgetName="team")
    with pytest.raises(ClientError) as gone:
        client.list_tags_for_resource(ResourceARN=ARN)
    assert _code(gone) == "NotFoundException"


CAJA_STAGING = {
    "And": [
        {"Tags": {"Key": "Project", "Values": ["caja"]}},
        {"Tags": {"Key": "Environment", "Values": ["staging"]}},
    ]
}


def test_a_budget_takes_one_style_of_filters_and_a_valid_expression(aws: SessionFactory) -> None:
    client = aws.client("budgets")
    mixed = {
        **_budget(),
        "FilterExpression": CAJA_STAGING,
        "CostFilters": {"Service": ["Amazon S3"]},
    }
    with pytest.raises(ClientError) as both:
        client.create_budget(AccountId=ACCOUNT, Budget=mixed)
    assert _code(both) == "InvalidParameterException"
    with pytest.raises(ClientError) as metrics_and_cost_types:
        client.create_budget(
            AccountId=ACCOUNT,
            Budget={**_budget(), "Metrics": ["UnblendedCost"], "CostTypes": {"UseBlended": False}},
        )
    assert _code(metrics_and_cost_types) == "InvalidParameterException"
    with pytest.raises(ClientError) as lone_and:
        client.create_budget(
            AccountId=ACCOUNT,
            Budget={**_budget(), "FilterExpression": {"And": CAJA_STAGING["And"][:1]}},
        )
    assert "at least two" in lone_and.value.response["Error"]["Message"]
    assert client.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []

    client.create_budget(AccountId=ACCOUNT, Budget=_budget())
    with pytest.raises(ClientError) as update:
        client.update_budget(AccountId=ACCOUNT, NewBudget=mixed)
    assert _code(update) == "InvalidParameterException"


def test_calculated_spend_follows_the_filter_expression(aws: SessionFactory) -> None:
    days = [date(2026, 6, 1) + timedelta(days=n) for n in range(10)]
    load_cost_records(
        [
            CostRecord(day, "Amazon S3", "Storage", cost, tags=tags)
            for day in days
            for cost, tags in (
                (1.0, {"Project": "caja", "Environment": "staging"}),
                (2.0, {"Project": "caja", "Environment": "production"}),
                (4.0, {"Project": "chat", "Environment": "staging"}),
            )
        ],
        account_id=ACCOUNT,
    )
    client = aws.client("budgets")
    client.create_budget(
        AccountId=ACCOUNT,
        Budget={**_budget("both"), "FilterExpression": CAJA_STAGING, "Metrics": ["UnblendedCost"]},
    )
    either = {"TagKeyValue": ["user:Project$caja", "user:Environment$staging"]}
    client.create_budget(AccountId=ACCOUNT, Budget={**_budget("either"), "CostFilters": either})

    with time_machine.travel(datetime(2026, 6, 10, 15, tzinfo=UTC), tick=False):
        budgets = {
            b["BudgetName"]: b for b in client.describe_budgets(AccountId=ACCOUNT)["Budgets"]
        }
        one = client.describe_budget(AccountId=ACCOUNT, BudgetName="both")["Budget"]
    assert (
        budgets["both"]["CalculatedSpend"]
        == one["CalculatedSpend"]
        == {
            "ActualSpend": {"Amount": "10", "Unit": "USD"},
            "ForecastedSpend": {"Amount": "30", "Unit": "USD"},
        }
    )
    assert budgets["both"]["FilterExpression"] == CAJA_STAGING
    assert budgets["both"]["Metrics"] == ["UnblendedCost"] and "CostTypes" not in budgets["both"]
    assert budgets["either"]["CalculatedSpend"]["ActualSpend"]["Amount"] == "70"
    assert "CostTypes" in budgets["either"]


def test_a_cost_budget_in_another_currency_is_refused_as_aws_refuses_it(
    aws: SessionFactory,
) -> None:
    client = aws.client("budgets")
    budget = _budget("eur")
    budget["BudgetLimit"] = {"Amount": "100", "Unit": "EUR"}
    with pytest.raises(ClientError) as refused:
        client.create_budget(AccountId=ACCOUNT, Budget=budget)
    assert _code(refused) == "InvalidParameterException"
    assert "EUR is not in the supported unit set: [USD]" in str(refused.value)
    assert client.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []
    budget["BudgetLimit"] = {"Amount": "100", "Unit": "USD"}
    client.create_budget(AccountId=ACCOUNT, Budget=budget)
    [made] = client.describe_budgets(AccountId=ACCOUNT)["Budgets"]
    assert made["BudgetName"] == "eur"
