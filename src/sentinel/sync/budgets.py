"""AWS Budgets, named ``<project>-<budget>``, with their alerts (notifications and subscribers).

Ownership: a budget is the project's when its name has the project prefix and its
``sentinel:project`` tag (CreateBudget's ``ResourceTags``, read with ListTagsForResource on the
budget's ARN) names the project. A budget made by hand under the prefix is never changed.

An update is several calls, each changing only what differs: UpdateBudget when the amount,
period, type or filters changed; CreateNotification / DeleteNotification for alerts added or
removed; DeleteSubscriber and CreateSubscriber for an alert whose subscribers changed, keeping
at least one throughout (deleting an alert's last subscriber deletes the alert; an alert with
no subscriber to keep is replaced). Amounts and thresholds are
compared as numbers, whatever string AWS returns them as (``"500.0"`` is ``500``).

Filters: AWS Budgets ORs the values inside one ``CostFilters`` key and ANDs across keys, so two
tag keys in ``TagKeyValue`` would count the costs carrying either tag. A budget with one filter
(one dimension or one tag key) is written as ``CostFilters``; a budget with more is written as
``FilterExpression``, an ``And`` of one condition a filter, with ``Metrics`` in place of
``CostTypes`` (AWS takes one style or the other, never both). Both read back in one normalised
form, so a plan after apply is empty and a budget written in the other style shows as changed.

Utilization and coverage budgets (RI_UTILIZATION, RI_COVERAGE, SAVINGS_PLANS_UTILIZATION,
SAVINGS_PLANS_COVERAGE) have the limit ``100`` ``PERCENTAGE``, their filters as ``CostFilters``
without ``CostTypes`` (AWS keeps none for them), and alerts that fire LESS_THAN the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from sentinel.config.models import Budget
from sentinel.errors import SentinelError
from sentinel.naming import PROJECT_TAG, budget_name_of
from sentinel.sync.kind import Kind
from sentinel.sync.model import State

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "budget"
MAX_SNS_SUBSCRIBERS = 1
MAX_EMAIL_SUBSCRIBERS = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The YAML filter -> the Budgets CostFilters key.
FILTER_KEYS = {
    "services": "Service",
    "tags": "TagKeyValue",
    "accounts": "LinkedAccount",
    "regions": "Region",
    "usage_types": "UsageType",
}
# The YAML filter -> the FilterExpression dimension (tags are ``Tags`` conditions).
FILTER_DIMENSIONS = {
    "services": "SERVICE",
    "accounts": "LINKED_ACCOUNT",
    "regions": "REGION",
    "usage_types": "USAGE_TYPE",
}
# What a FilterExpression budget sums, as CostFilters' default CostTypes do (unblended cost).
METRICS = {"COST": "UnblendedCost", "USAGE": "UsageQuantity"}
# Utilization and coverage budgets: a percentage whose only limit AWS takes is 100.
COMMITMENT_LIMIT = "100"
PERCENTAGE = "PERCENTAGE"
_LEAVES = {"Dimensions": "", "Tags": "tag ", "CostCategories": "cost category "}


class BudgetConfigError(SentinelError):
    """A budget AWS would refuse: too many subscribers on an alert, the same alert twice."""


def number(value: Any) -> str:
    """A number in one spelling: ``"500.0"``, ``500`` and ``Decimal("5E+2")`` are all ``500``."""
    return format(Decimal(str(value)).normalize(), "f")


@dataclass
class BudgetDocument:
    """What a kind writes or has read: the Budget structure and its notifications by key."""

    budget: dict[str, Any]
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscribers: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def notification_key(notification: Mapping[str, Any]) -> str:
    """``actual > 80%``, ``forecasted > 100%``, ``actual > 500 USD``."""
    kind = str(notification["NotificationType"]).lower()
    symbol = {"GREATER_THAN": ">", "LESS_THAN": "<", "EQUAL_TO": "="}.get(
        notification.get("ComparisonOperator", "GREATER_THAN"), "?"
    )
    value = number(notification["Threshold"])
    unit = "%" if notification.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE" else " USD"
    return f"{kind} {symbol} {value}{unit}"


def subscriber_label(subscriber: Mapping[str, str]) -> str:
    return f"{subscriber['SubscriptionType'].lower()} {subscriber['Address']}"


def budget_fields(document: BudgetDocument) -> dict[str, Any]:
    budget = document.budget
    limit = budget.get("BudgetLimit") or {}
    return {
        "type": budget.get("BudgetType"),
        "period": budget.get("TimeUnit"),
        "limit": f"{number(limit.get('Amount', 0))} {limit.get('Unit', '')}".strip(),
        "filters": filter_fields(budget),
        "alerts": {
            key: sorted(subscriber_label(s) for s in document.subscribers.get(key, []))
            for key in sorted(document.notifications, key=lambda k: _order(document, k))
        },
    }


def _order(document: BudgetDocument, key: str) -> tuple[str, str, Decimal]:
    """Alerts in the order people write them: actual before forecasted, by threshold."""
    notification = document.notifications[key]
    return (
        notification["NotificationType"],
        notification.get("ThresholdType", ""),
        Decimal(str(notification["Threshold"])),
    )


def budget_arn(ctx: SyncContext, name: str) -> str:
    return ctx.arn("budgets", f"budget/{name}", regional=False)


def filter_fields(budget: Mapping[str, Any]) -> dict[str, Any]:
    """The budget's filters in one form, whichever member AWS holds them in.

    ``CostFilters`` by key (``Service``, ``TagKeyValue``...); a ``FilterExpression`` that is a
    condition or an ``And`` of conditions on distinct keys as ``and`` -> condition -> values
    (``tag Team``, ``SERVICE``); any other expression as its text.
    """
    expression = budget.get("FilterExpression")
    if expression:
        conditions = expression.get("And") if "And" in expression else [expression]
        leaves = [_leaf(item) for item in conditions or []]
        found = [leaf for leaf in leaves if leaf is not None]
        labels = {label for label, _ in found}
        if found and len(found) == len(leaves) == len(labels):
            return {"and": dict(sorted(found))}
        return {"expression": expression_text(expression)}
    filters = budget.get("CostFilters") or {}
    return {key: sorted(values) for key, values in sorted(filters.items()) if values}


def _leaf(expression: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """(label, sorted values) of a single condition; None for And, Or, Not."""
    if len(expression) != 1:
        return None
    [(kind, condition)] = expression.items()
    if kind not in _LEAVES or not isinstance(condition, Mapping):
        return None
    options = [o for o in condition.get("MatchOptions") or [] if o != "EQUALS"]
    label = _LEAVES[kind] + str(condition.get("Key", ""))
    if options:
        label += f" ({', '.join(sorted(options))})"
    return label, sorted(str(v) for v in condition.get("Values") or [])


def expression_text(expression: Mapping[str, Any]) -> str:
    """``(tag Team in [payments] and not SERVICE in [Tax])``, operands sorted."""
    for kind, word in (("And", " and "), ("Or", " or ")):
        if kind in expression:
            return "(" + word.join(sorted(expression_text(e) for e in expression[kind])) + ")"
    if "Not" in expression:
        return f"not {expression_text(expression['Not'])}"
    leaf = _leaf(expression)
    if leaf is None:
        return repr(dict(expression))
    label, values = leaf
    return f"{label} in [{', '.join(values)}]"


def filter_expression(budget: Budget) -> dict[str, Any] | None:
    """The ``And`` of the budget's filters when it has more than one, else None."""
    filters = budget.filters
    conditions: list[dict[str, Any]] = [
        {"Dimensions": {"Key": dimension, "Values": [str(v) for v in getattr(filters, attribute)]}}
        for attribute, dimension in FILTER_DIMENSIONS.items()
        if getattr(filters, attribute)
    ]
    conditions += [
        {"Tags": {"Key": tag.removeprefix("user:"), "Values": list(values)}}
        for tag, values in filters.tags.items()
    ]
    return {"And": conditions} if len(conditions) > 1 else None


def cost_filters(budget: Budget) -> dict[str, list[str]]:
    filters = budget.filters
    found: dict[str, list[str]] = {}
    for attribute, key in FILTER_KEYS.items():
        values: Iterable[Any] = getattr(filters, attribute)
        if attribute == "tags":
            values = [
                f"{tag if tag.startswith(('aws:', 'user:')) else 'user:' + tag}${value}"
                for tag, tag_values in filters.tags.items()
                for value in tag_values
            ]
        listed = [str(value) for value in values]
        if listed:
            found[key] = listed
    return found


def budget_limit(budget: Budget) -> dict[str, str]:
    """A cost or usage budget's amount; 100 % for utilization and coverage, AWS's only value."""
    if budget.is_commitment or budget.amount is None:
        return {"Amount": COMMITMENT_LIMIT, "Unit": PERCENTAGE}
    return {"Amount": number(budget.amount.amount), "Unit": budget.amount.currency}


def desired_document(ctx: SyncContext, budget: Budget, source: str) -> BudgetDocument:
    name = budget_name_of(ctx.project, budget)
    api: dict[str, Any] = {
        "BudgetName": name,
        "BudgetLimit": budget_limit(budget),
        "TimeUnit": budget.period.upper(),
        "BudgetType": budget.type.upper(),
    }
    expression = None if budget.is_commitment else filter_expression(budget)
    if expression is not None:
        api["FilterExpression"] = expression
        api["Metrics"] = [METRICS[api["BudgetType"]]]
    elif filters := cost_filters(budget):
        api["CostFilters"] = filters
    document = BudgetDocument(api)
    for alert in budget.alerts:
        notification = {
            "NotificationType": alert.type.upper(),
            # A utilization or coverage budget alerts when its figure falls below the target.
            "ComparisonOperator": "LESS_THAN" if budget.is_commitment else "GREATER_THAN",
            "Threshold": float(alert.threshold.value),
            "ThresholdType": alert.threshold.kind,
        }
        key = notification_key(notification)
        if key in document.notifications:
            raise BudgetConfigError(f"{source}: budget {budget.name!r} has the alert {key} twice")
        document.notifications[key] = notification
        document.subscribers[key] = _subscribers(ctx, alert.notify or budget.notify, key, source)
    return document


def _subscribers(ctx: SyncContext, names: list[str], key: str, source: str) -> list[dict[str, str]]:
    subscribers = []
    for name in dict.fromkeys(names):
        if _EMAIL.match(name):
            subscribers.append({"SubscriptionType": "EMAIL", "Address": name})
        else:
            subscribers.append({"SubscriptionType": "SNS", "Address": ctx.topic_arn(name)})
    kinds = [s["SubscriptionType"] for s in subscribers]
    if kinds.count("SNS") > MAX_SNS_SUBSCRIBERS or kinds.count("EMAIL") > MAX_EMAIL_SUBSCRIBERS:
        raise BudgetConfigError(
            f"{source}: alert {key} notifies {kinds.count('SNS')} severities and "
            f"{kinds.count('EMAIL')} email addresses; AWS Budgets allows one SNS topic "
            f"(one severity) and {MAX_EMAIL_SUBSCRIBERS} email addresses per alert"
        )
    return subscribers


def read_notifications(client: Any, account: str, document: BudgetDocument) -> None:
    """A budget's notifications and each one's subscribers, every page of both."""
    name = document.budget["BudgetName"]
    pages = client.get_paginator("describe_notifications_for_budget").paginate(
        AccountId=account, BudgetName=name
    )
    for page in pages:
        for found in page.get("Notifications", []):
            notification = {k: v for k, v in found.items() if k != "NotificationState"}
            key = notification_key(notification)
            document.notifications[key] = notification
            subscribers = client.get_paginator("describe_subscribers_for_notification")
            document.subscribers[key] = [
                {"SubscriptionType": s["SubscriptionType"], "Address": s["Address"]}
                for sub_page in subscribers.paginate(
                    AccountId=account, BudgetName=name, Notification=notification
                )
                for s in sub_page.get("Subscribers", [])
            ]


class Budgets(Kind):
    name = KIND
    label = "AWS Budgets"
    reads = (
        "budgets:DescribeBudgets",
        "budgets:DescribeNotificationsForBudget",
        "budgets:DescribeSubscribersForNotification",
        "budgets:ListTagsForResource",
    )
    writes = (
        "budgets:CreateBudget",
        "budgets:UpdateBudget",
        "budgets:CreateNotification",
        "budgets:DeleteNotification",
        "budgets:CreateSubscriber",
        "budgets:DeleteSubscriber",
        "budgets:TagResource",
        "budgets:DeleteBudget",
    )

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for budget in ctx.config.budgets:
            source = ctx.config.source("budget", budget.name)
            document = desired_document(ctx, budget, source)
            key = document.budget["BudgetName"]
            states.append(
                State(
                    KIND,
                    key,
                    budget_fields(document),
                    source=source,
                    payload=document,
                    arn=budget_arn(ctx, key),
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        client = ctx.client("budgets")
        account = ctx.account_id
        # DescribeBudgets lists every budget of the account: those the config names outside the
        # prefix (``aws_name``) cost no extra call. Any other is not read further.
        named = {budget_name_of(ctx.project, budget) for budget in ctx.config.budgets}
        states = []
        for page in client.get_paginator("describe_budgets").paginate(AccountId=account):
            for budget in page.get("Budgets", []):
                name = budget["BudgetName"]
                if not name.startswith(ctx.prefix) and name not in named:
                    continue
                document = BudgetDocument(budget)
                try:
                    read_notifications(client, account, document)
                except client.exceptions.NotFoundException:
                    continue  # deleted while being read
                states.append(
                    State(
                        KIND,
                        name,
                        budget_fields(document),
                        payload=document,
                        arn=budget_arn(ctx, name),
                    )
                )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        client = ctx.client("budgets")
        owners: dict[str, str | None] = {}
        for state in states:
            try:
                tags = client.list_tags_for_resource(ResourceARN=state.arn).get("ResourceTags", [])
            except client.exceptions.NotFoundException:
                tags = []
            owners[state.key] = {t["Key"]: t["Value"] for t in tags}.get(PROJECT_TAG)
        return owners

    def create(self, ctx: SyncContext, state: State) -> None:
        document: BudgetDocument = state.payload
        ctx.client("budgets").create_budget(
            AccountId=ctx.account_id,
            Budget=document.budget,
            NotificationsWithSubscribers=[
                {"Notification": notification, "Subscribers": document.subscribers[key]}
                for key, notification in document.notifications.items()
            ],
            ResourceTags=[{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
        )

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        client = ctx.client("budgets")
        account, name = ctx.account_id, desired.key
        want: BudgetDocument = desired.payload
        have: BudgetDocument = actual.payload
        # UpdateBudget changes "every part of a budget except for the budgetName and the
        # calculatedSpend" (botocore's Budgets model): another type is updated in place, and
        # the alerts the new type does not have are removed below.
        budget_level = ("type", "period", "limit", "filters")
        if any(desired.fields[f] != actual.fields[f] for f in budget_level):
            client.update_budget(AccountId=account, NewBudget=want.budget)
        for key, notification in want.notifications.items():
            if key not in have.notifications:
                client.create_notification(
                    AccountId=account,
                    BudgetName=name,
                    Notification=notification,
                    Subscribers=want.subscribers[key],
                )
                continue
            existing = have.notifications[key]
            old, new = have.subscribers.get(key, []), want.subscribers[key]
            if old == new:
                continue
            if not any(s in new for s in old):
                # Nothing to keep: replace the alert, so that a swap of its one SNS topic never
                # holds two, and it never loses its last subscriber midway.
                client.delete_notification(
                    AccountId=account, BudgetName=name, Notification=existing
                )
                client.create_notification(
                    AccountId=account, BudgetName=name, Notification=notification, Subscribers=new
                )
                continue
            where = {"AccountId": account, "BudgetName": name, "Notification": existing}
            for subscriber in [s for s in old if s not in new]:
                client.delete_subscriber(**where, Subscriber=subscriber)
            for subscriber in [s for s in new if s not in old]:
                client.create_subscriber(**where, Subscriber=subscriber)
        for key, notification in have.notifications.items():
            if key not in want.notifications:
                client.delete_notification(
                    AccountId=account, BudgetName=name, Notification=notification
                )
        client.tag_resource(
            ResourceARN=actual.arn,
            ResourceTags=[{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
        )

    def adopt(self, ctx: SyncContext, state: State) -> None:
        ctx.client("budgets").tag_resource(
            ResourceARN=state.arn or budget_arn(ctx, state.key),
            ResourceTags=[{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
        )

    def delete(self, ctx: SyncContext, state: State) -> None:
        try:
            ctx.client("budgets").delete_budget(AccountId=ctx.account_id, BudgetName=state.key)
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
