"""What an AWS budget has spent: ``CalculatedSpend`` computed from the account's cost table.

A pure function from (table, budget as stored, today) to the budget's ``CalculatedSpend``, with
Budgets' semantics: ``FilterExpression`` is a Cost Explorer expression; ``CostFilters`` ORs the
values inside a key and ANDs across keys (so two tag keys in ``TagKeyValue`` select the costs
carrying either tag). Actual spend is the period so far (today included); the forecast adds the
period's average day so far for each day left. Cost budgets sum the unblended cost (the only cost
the emulated account has), usage budgets the usage quantity.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np

from sentinel.emulator.cost_filter import expression_mask
from sentinel.emulator.cost_table import COST_UNIT, CostTable

# CostFilters key -> Cost Explorer dimension (TagKeyValue is handled apart).
COST_FILTER_DIMENSIONS = {
    "Service": "SERVICE",
    "LinkedAccount": "LINKED_ACCOUNT",
    "Region": "REGION",
    "UsageType": "USAGE_TYPE",
    "RecordType": "RECORD_TYPE",
}


def period_bounds(time_unit: str, today: date) -> tuple[date, date]:
    """First and last day of the budget period holding ``today``."""
    if time_unit == "DAILY":
        return today, today
    if time_unit == "QUARTERLY":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = today.replace(month=first_month, day=1)
        last_month = first_month + 2
        end = today.replace(month=last_month, day=calendar.monthrange(today.year, last_month)[1])
        return start, end
    if time_unit == "ANNUALLY":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def cost_filters_expression(cost_filters: Mapping[str, list[str]]) -> dict[str, Any] | None:
    """``CostFilters`` as the expression Budgets evaluates: And over keys of Or within a key."""
    conditions: list[dict[str, Any]] = []
    for key, values in sorted(cost_filters.items()):
        if not values:
            continue
        if key == "TagKeyValue":
            alternatives = [_tag_condition(value) for value in values]
            conditions.append(alternatives[0] if len(alternatives) == 1 else {"Or": alternatives})
        elif key in COST_FILTER_DIMENSIONS:
            dimension = COST_FILTER_DIMENSIONS[key]
            conditions.append({"Dimensions": {"Key": dimension, "Values": list(values)}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"And": conditions}


def _tag_condition(value: str) -> dict[str, Any]:
    """``user:Project$caja`` -> a Tags condition on ``Project`` equal to ``caja``."""
    key, _, tag_value = value.partition("$")
    return {"Tags": {"Key": key.removeprefix("user:"), "Values": [tag_value]}}


def budget_expression(budget: Mapping[str, Any]) -> dict[str, Any] | None:
    expression = budget.get("FilterExpression")
    if expression:
        return dict(expression)
    return cost_filters_expression(budget.get("CostFilters") or {})


def calculated_spend(table: CostTable, budget: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The budget's ``CalculatedSpend``: actual and forecasted, amounts as decimal strings."""
    start, end = period_bounds(str(budget.get("TimeUnit", "MONTHLY")), today)
    frame = table.frame
    days = frame["day"].to_numpy()
    mask = (days >= np.datetime64(start, "ns")) & (
        days < np.datetime64(today + timedelta(days=1), "ns")
    )
    expression = budget_expression(budget)
    if expression is not None:
        mask &= expression_mask(frame, expression)
    usage = budget.get("BudgetType") == "USAGE"
    column = "usage_quantity" if usage else "cost"
    actual = float(frame.loc[mask, column].sum())
    elapsed = (today - start).days + 1
    remaining = (end - today).days
    forecast = actual + actual / elapsed * remaining
    unit = str((budget.get("BudgetLimit") or {}).get("Unit") or COST_UNIT)
    return {
        "ActualSpend": {"Amount": _amount(actual), "Unit": unit},
        "ForecastedSpend": {"Amount": _amount(forecast), "Unit": unit},
    }


def _amount(value: float) -> str:
    return format(round(value, 10), "f").rstrip("0").rstrip(".") or "0"
