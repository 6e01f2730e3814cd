"""``budgets/*.yaml``: AWS Budgets and tagging rules."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from sentinel.config.models.base import AccountId, AwsName, Model, Name, Region, TagValues
from sentinel.config.units import (
    BudgetThreshold,
    MoneyAmount,
    Percent,
    Threshold,
    parse_percent,
)

# Budgets on reservations and Savings Plans: a percentage, alerted when it falls below.
COMMITMENT_TYPES = (
    "ri_utilization",
    "ri_coverage",
    "savings_plans_utilization",
    "savings_plans_coverage",
)
BudgetType = Literal[
    "cost",
    "usage",
    "ri_utilization",
    "ri_coverage",
    "savings_plans_utilization",
    "savings_plans_coverage",
]


def _alert_shorthand(value: Any) -> Any:
    return value if isinstance(value, dict) else {"threshold": value}


class BudgetAlert(Model):
    threshold: BudgetThreshold
    type: Literal["actual", "forecasted"] = "actual"
    notify: list[str] = Field(default=[], description="severity names or email addresses")


class BudgetFilters(Model):
    services: list[str] = []
    tags: dict[str, TagValues] = {}
    accounts: list[AccountId] = []
    regions: list[Region] = []
    usage_types: list[str] = []


class Budget(Model):
    name: Name
    aws_name: AwsName | None = Field(default=None, description="the budget's full name")
    amount: MoneyAmount | None = Field(default=None, description="cost and usage budgets")
    period: Literal["monthly", "quarterly", "annually"] = "monthly"
    type: BudgetType = "cost"
    target: Percent | None = Field(
        default=None,
        description="utilization or coverage budgets: alert when the period's figure is below",
    )
    filters: BudgetFilters = BudgetFilters()
    alerts: list[
        Annotated[
            BudgetAlert,
            BeforeValidator(_alert_shorthand, json_schema_input_type=BudgetThreshold | BudgetAlert),
        ]
    ] = Field(
        default=[], description="80% or {threshold: 100 USD, type: forecasted, notify: [...]}"
    )
    notify: list[str] = Field(default=[], description="default subscribers of every alert")

    @property
    def is_commitment(self) -> bool:
        """A reservation or Savings Plans utilization or coverage budget (a percentage)."""
        return self.type in COMMITMENT_TYPES

    @model_validator(mode="before")
    @classmethod
    def _target_alert(cls, data: Any) -> Any:
        # The target is the alert of a utilization or coverage budget: "below 80%".
        if (
            isinstance(data, dict)
            and data.get("type") in COMMITMENT_TYPES
            and data.get("target") is not None
            and not data.get("alerts")
        ):
            try:
                target = Threshold(parse_percent(data["target"]), "PERCENTAGE")
            except ValueError:
                return data  # the target's own validation says why
            return {**data, "alerts": [{"threshold": target}]}
        return data

    @model_validator(mode="after")
    def _notified(self) -> Budget:
        if any(not (alert.notify or self.notify) for alert in self.alerts):
            raise ValueError(
                "a budget alert needs subscribers: set `notify` on the budget or alert"
            )
        return self


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid pattern {value!r}: {exc}") from None
    return value


class TagRule(Model):
    key: str = Field(min_length=1, max_length=128)
    values: list[str] | None = Field(default=None, description="allowed values")
    pattern: Annotated[str | None, AfterValidator(_check_regex)] = None
    case: Literal["any", "lower", "upper"] = "any"
    default: str | None = Field(default=None, description="value `tags audit --fix` may add")
    resources: list[str] = Field(default=[], description="resource types; empty means all")

    @model_validator(mode="after")
    def _default_is_allowed(self) -> TagRule:
        if self.default is not None and self.values is not None and self.default not in self.values:
            raise ValueError(f"default {self.default!r} is not among the allowed values")
        return self


class Tagging(Model):
    required: list[TagRule] = Field(min_length=1)
    resources: list[str] = Field(default=[], description="resource types audited; empty: all")


class BudgetsFile(Model):
    budgets: list[Budget] = []
    tagging: Tagging | None = None


__all__ = ["COMMITMENT_TYPES", "Budget", "BudgetAlert", "BudgetsFile", "Name", "TagRule", "Tagging"]
