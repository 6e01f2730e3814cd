"""Each budget of budgets/ against the month's spend: actual, forecast, alerts crossed.

Spend comes from the report's Cost Explorer data when the budget's filters can be computed from
it (no filter; one of services, a tag key or accounts; or two of them that the report fetched as
one grouping), so the figures agree with the rest of the report. Every filter holds at once, as
the budget's ``FilterExpression`` says to AWS: a budget on Project=caja and Environment=staging
counts the costs carrying both tags. Otherwise spend comes from AWS Budgets' own calculation
(``DescribeBudgets``), when the budget has been applied and AWS is still in the report day's
period (on the 1st, AWS already counts the new month). A budget not applied yet is still
reported, marked so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import botocore.exceptions
import pandas as pd

from sentinel.aws.session import SessionFactory
from sentinel.cost.data import CostData
from sentinel.cost.forecast import project
from sentinel.cost.groupings import LINKED_ACCOUNT, SERVICE, Dimension
from sentinel.cost.sources import next_month
from sentinel.errors import AwsError
from sentinel.naming import budget_name_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class BudgetStatus:
    name: str
    limit: Decimal
    period: str
    actual: Decimal | None
    forecast: Decimal | None
    source: str  # "Cost Explorer", "AWS Budgets" or "unavailable"
    applied: bool | None  # None: AWS Budgets could not be read
    alerts_crossed: list[str] = field(default_factory=list)
    note: str = ""  # why there are no figures

    @property
    def used_percent(self) -> float | None:
        if self.actual is None or self.limit <= 0:
            return None
        return float(100 * self.actual / self.limit)

    @property
    def forecast_percent(self) -> float | None:
        if self.forecast is None or self.limit <= 0:
            return None
        return float(100 * self.forecast / self.limit)

    @property
    def state(self) -> str:
        """``over``, ``forecast over``, ``alert`` or ``ok``."""
        if self.used_percent is not None and self.used_percent >= 100:
            return "over"
        if self.forecast_percent is not None and self.forecast_percent >= 100:
            return "forecast over"
        return "alert" if self.alerts_crossed else "ok"


def applied_budgets(factory: SessionFactory) -> dict[str, dict[str, Any]] | str:
    """Budgets in the account by name; the reason when they cannot be read."""
    try:
        account = factory.caller_account()
        client = factory.client("budgets", region="us-east-1")
        found: dict[str, dict[str, Any]] = {}
        token: str | None = None
        while True:
            page = client.describe_budgets(
                AccountId=account, MaxResults=100, **({"NextToken": token} if token else {})
            )
            for budget in page.get("Budgets", []):
                found[budget["BudgetName"]] = budget
            token = page.get("NextToken")
            if not token:
                return found
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Error")
        if code == "NotFoundException":  # an account without any budget
            return {}
        return code
    except botocore.exceptions.BotoCoreError as exc:
        return type(exc).__name__
    except AwsError as exc:
        return str(exc)


def same_period(period: str, day: date, today: date) -> bool:
    """Whether ``day`` and ``today`` fall in one budget period (what AWS Budgets counts now)."""
    months = {"monthly": 1, "quarterly": 3, "annually": 12}[period]
    return day.year == today.year and (day.month - 1) // months == (today.month - 1) // months


def budget_statuses(
    config: Any,
    data: CostData,
    day: date,
    applied: dict[str, dict[str, Any]] | str,
    today: date | None = None,
    source_label: str = "Cost Explorer",
) -> list[BudgetStatus]:
    """Each budget's status on ``day``; ``today`` (default: the day after) dates AWS's figures;
    ``source_label`` names where the report's own figures come from."""
    today = today or day + timedelta(days=1)
    statuses = []
    for budget in config.budgets:
        if budget.is_commitment or budget.amount is None:
            continue  # a percentage, reported by sentinel.cost.commitments
        aws = (
            applied.get(budget_name_of(config.name, budget)) if isinstance(applied, dict) else None
        )
        is_applied = None if isinstance(applied, str) else aws is not None
        limit = budget.amount.amount
        actual = forecast = None
        source, note = "unavailable", ""
        month = day.replace(day=1)
        complete = data.start <= month and not data.missing_days(month, day)
        computed = _computed(budget, data, day) if budget.period == "monthly" and complete else None
        if computed is not None:
            actual, forecast = computed
            source = source_label
        elif aws is not None and not same_period(budget.period, day, today):
            note = "AWS Budgets already counts the next period"
        elif aws is not None:
            spend = aws.get("CalculatedSpend", {})
            actual = _amount(spend.get("ActualSpend"))
            forecast = _amount(spend.get("ForecastedSpend"))
            source = "AWS Budgets"
        elif not complete:
            note = f"{source_label} data missing for this month"
        else:
            note = "filters not computable from the report's data, and not applied"
        statuses.append(
            BudgetStatus(
                name=budget.name,
                limit=limit,
                period=budget.period,
                actual=actual,
                forecast=forecast,
                source=source,
                applied=is_applied,
                alerts_crossed=_crossed(budget, limit, actual, forecast),
                note=note,
            )
        )
    return statuses


def _computed(budget: Any, data: CostData, day: date) -> tuple[Decimal, Decimal] | None:
    filters = budget.filters
    if filters.regions or filters.usage_types:
        return None
    month = day.replace(day=1)
    parts: list[tuple[Dimension, list[str]]] = []
    if filters.services:
        parts.append((SERVICE, list(filters.services)))
    for key, values in filters.tags.items():
        parts.append((Dimension.tag(key), list(values)))
    if filters.accounts:
        parts.append((LINKED_ACCOUNT, list(filters.accounts)))
    series = _series(data, parts)
    if series is None:
        return None
    actual_series, exact = series
    actual = exact(month, day)
    remaining = project(actual_series, day, next_month(day))
    return actual, actual + sum(remaining.values(), ZERO)


def _series(data: CostData, parts: list[tuple[Dimension, list[str]]]) -> Any:
    """(daily float series, exact month-to-date function) of the filtered spend, if computable."""
    if not parts:
        return data.total_series(), lambda a, b: data.amount(a, b)
    if len(parts) == 1:
        dimension, values = parts[0]
        if data.with_dimension(dimension) is None:
            return None
        matrix = data.matrix(dimension)
        series = matrix[[v for v in values if v in matrix.columns]].sum(axis=1)

        def exact(a: date, b: date) -> Decimal:
            sums = data.amounts_by(dimension, a, b)
            return sum((sums.get(v, ZERO) for v in values), ZERO)

        return series, exact
    if len(parts) == 2:
        (first, first_values), (second, second_values) = parts
        grouped = data.with_pair(first, second)
        if grouped is None:
            return None
        frame = grouped.frame
        mask = frame[grouped.column(first)].isin(first_values) & frame[grouped.column(second)].isin(
            second_values
        )
        rows = frame[mask]
        values = pd.Series([float(a) for a in rows["amount"]], index=pd.to_datetime(rows["day"]))
        series = values.groupby(level=0).sum().reindex(data.days).fillna(0.0)

        def exact_pair(a: date, b: date) -> Decimal:
            picked = rows[(rows["day"] >= a) & (rows["day"] <= b)]
            return sum(picked["amount"], ZERO)

        return series, exact_pair
    return None


def _crossed(
    budget: Any, limit: Decimal, actual: Decimal | None, forecast: Decimal | None
) -> list[str]:
    crossed = []
    for alert in budget.alerts:
        value = forecast if alert.type == "forecasted" else actual
        if value is None:
            continue
        threshold = alert.threshold
        bound = limit * threshold.value / 100 if threshold.kind == "PERCENTAGE" else threshold.value
        if value > bound:
            crossed.append(f"{alert.type} > {threshold}")
    return crossed


def _amount(spend: dict[str, Any] | None) -> Decimal | None:
    return Decimal(str(spend["Amount"])) if spend and "Amount" in spend else None
