"""A budget's CalculatedSpend from the cost table: FilterExpression ANDs what it says,
CostFilters ORs the values of one key (two tag keys in TagKeyValue count either tag)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sentinel.emulator.budget_spend import calculated_spend, period_bounds
from sentinel.emulator.cost_table import CostRecord, CostTable

TODAY = date(2026, 6, 10)
ECS = "Amazon Elastic Container Service"
# Daily cost of each line item: only the first is both Project=caja and Environment=staging.
ITEMS = [
    (1.0, {"Project": "caja", "Environment": "staging"}),
    (2.0, {"Project": "caja", "Environment": "production"}),
    (4.0, {"Project": "chat", "Environment": "staging"}),
    (8.0, {}),
]


@pytest.fixture(scope="module")
def table() -> CostTable:
    return CostTable.from_records(
        CostRecord(date(2026, 5, 25) + timedelta(days=n), ECS, "Fargate", cost, 1.0, tags=tags)
        for n in range(17)  # 25 May to 10 June: the month so far and days before it
        for cost, tags in ITEMS
    )


def _budget(**filters: object) -> dict:
    return {
        "BudgetName": "caja-staging",
        "BudgetLimit": {"Amount": "100", "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
        **filters,
    }


def _spend(table: CostTable, budget: dict) -> tuple[str, str]:
    spend = calculated_spend(table, budget, TODAY)
    return spend["ActualSpend"]["Amount"], spend["ForecastedSpend"]["Amount"]


def test_filter_expression_counts_the_costs_carrying_both_tags(table: CostTable) -> None:
    both = {
        "And": [
            {"Tags": {"Key": "Project", "Values": ["caja"]}},
            {"Tags": {"Key": "Environment", "Values": ["staging"]}},
        ]
    }
    # 10 June days of 1.00; the forecast adds the same average day for the 20 days left.
    assert _spend(table, _budget(FilterExpression=both)) == ("10", "30")


def test_cost_filters_or_the_tag_keys_of_one_key(table: CostTable) -> None:
    either = {"TagKeyValue": ["user:Project$caja", "user:Environment$staging"]}
    assert _spend(table, _budget(CostFilters=either)) == ("70", "210")  # 1 + 2 + 4 a day
    across = {"TagKeyValue": ["user:Project$caja"], "Service": [ECS]}
    assert _spend(table, _budget(CostFilters=across)) == ("30", "90")
    assert _spend(table, _budget()) == ("150", "450")


def test_usage_budgets_sum_usage_and_periods_follow_the_time_unit(table: CostTable) -> None:
    usage = _budget(
        BudgetType="USAGE", FilterExpression={"Dimensions": {"Key": "SERVICE", "Values": [ECS]}}
    )
    assert _spend(table, usage)[0] == "40"  # 4 line items a day, 1 unit each
    quarter = _budget(TimeUnit="QUARTERLY")
    assert _spend(table, quarter)[0] == str(17 * 15)  # April to June holds every row
    assert period_bounds("QUARTERLY", TODAY) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_bounds("ANNUALLY", TODAY) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds("MONTHLY", date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))
