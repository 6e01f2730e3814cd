"""AWS Budgets calls moto lacks or answers unlike AWS: updates, subscribers, tags, paging.

Added: UpdateBudget, CreateSubscriber, DeleteSubscriber, DescribeSubscribersForNotification,
TagResource, UntagResource, ListTagsForResource and CreateBudget's ``ResourceTags``. Changed to
behave as AWS does: amounts come back as AWS formats them (``"500.0"``), notifications are
matched by type, operator, threshold and threshold type, a duplicate notification or subscriber
is refused, a notification takes at most one SNS and ten email subscribers, deleting a
notification's last subscriber deletes the notification, a missing budget or notification is a
NotFoundException, and the describe calls page with MaxResults and NextToken. A budget takes
either ``FilterExpression`` and ``Metrics`` or ``CostFilters`` and ``CostTypes``, never a mix;
the expression is checked as Cost Explorer checks one. ``CalculatedSpend`` is computed from the
account's cost table (``sentinel.emulator.budget_spend``), not left at zero. Utilization and
coverage budgets are held to what AWS takes for them (``_check_commitment``) and their spend is
the period's percentage from the account's reservations and Savings Plans.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
from moto.budgets.models import Budget, BudgetsBackend, Notification
from moto.budgets.responses import BudgetsResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.utilities.tagging_service import TaggingService

from sentinel.aws.documented_limits import limit
from sentinel.emulator.budget_spend import calculated_spend, period_bounds
from sentinel.emulator.commitments import budget_figure
from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_filter import expression_mask
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions.costexplorer import commitments, cost_table, today

MAX_SNS_SUBSCRIBERS = 1
MAX_EMAIL_SUBSCRIBERS = 10
DEFAULT_PAGE_SIZE = 100
_TAGS_ATTRIBUTE = "sentinel_budget_tags"
_moto_create_budget = BudgetsBackend.create_budget
_moto_delete_budget = BudgetsBackend.delete_budget
_moto_describe_budget = BudgetsBackend.describe_budget
_moto_describe_budgets = BudgetsBackend.describe_budgets
MAX_METRICS = 1
COMMITMENT_TYPES = (
    "RI_UTILIZATION",
    "RI_COVERAGE",
    "SAVINGS_PLANS_UTILIZATION",
    "SAVINGS_PLANS_COVERAGE",
)
# The services AWS Budgets takes as an RI budget's one Service filter (botocore's CostFilters).
RI_SERVICES = (
    "Amazon Elastic Compute Cloud - Compute",
    "Amazon Redshift",
    "Amazon Relational Database Service",
    "Amazon ElastiCache",
    "Amazon OpenSearch Service",
)


class InvalidParameterException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameterException", message)


def install() -> None:
    BudgetsBackend.create_budget = _create_budget  # type: ignore[method-assign]
    BudgetsBackend.delete_budget = _delete_budget  # type: ignore[method-assign]
    BudgetsBackend.describe_budget = _describe_budget  # type: ignore[method-assign]
    BudgetsBackend.describe_budgets = _describe_budgets_of  # type: ignore[method-assign]
    for name, method in _RESPONSES.items():
        setattr(BudgetsResponse, name, method)


def budget_arn(partition: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:budgets::{account_id}:budget/{name}"


def aws_amount(amount: Any) -> str:
    """An amount as AWS returns it: ``500`` -> ``"500.0"``, ``12.50`` -> ``"12.5"``."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InvalidParameterException(f"Invalid amount: {amount}") from None
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


# Backend ---------------------------------------------------------------------------------------


def _tags(backend: BudgetsBackend) -> TaggingService:
    tags = getattr(backend, _TAGS_ATTRIBUTE, None)
    if tags is None:
        tags = TaggingService(key_name="Key", value_name="Value")
        setattr(backend, _TAGS_ATTRIBUTE, tags)
    return tags


def _tidy_budget(budget: dict[str, Any]) -> dict[str, Any]:
    budget = dict(budget)
    if "BudgetLimit" in budget:
        budget["BudgetLimit"] = {**budget["BudgetLimit"]}
        budget["BudgetLimit"]["Amount"] = aws_amount(budget["BudgetLimit"]["Amount"])
    return budget


def _check_filters(budget: dict[str, Any]) -> None:
    """One style of filter and metric selection, and an expression Cost Explorer would take."""
    expression_style = [k for k in ("FilterExpression", "Metrics") if budget.get(k)]
    cost_filter_style = [k for k in ("CostFilters", "CostTypes") if budget.get(k)]
    if expression_style and cost_filter_style:
        raise InvalidParameterException(
            "Only one set of filter and metric selections can be present: either "
            "FilterExpression and Metrics or CostFilters and CostTypes, not "
            f"{' and '.join(expression_style + cost_filter_style)}"
        )
    if len(budget.get("Metrics") or []) > MAX_METRICS:
        raise InvalidParameterException(f"Metrics takes at most {MAX_METRICS} metric")
    expression = budget.get("FilterExpression")
    if expression:
        try:
            expression_mask(CostTable.empty().frame, expression)
        except CostExplorerError as exc:
            raise InvalidParameterException(f"Invalid FilterExpression: {exc.message}") from None


def _as_aws(budget: dict[str, Any], account_id: str) -> dict[str, Any]:
    """A stored budget as DescribeBudget(s) returns it: its spend computed from the costs."""
    if budget.get("FilterExpression") or budget.get("Metrics"):
        budget.pop("CostTypes", None)  # moto's default, for the CostFilters style only
    if budget.get("BudgetType") in COMMITMENT_TYPES:
        start, _ = period_bounds(str(budget.get("TimeUnit", "MONTHLY")), today())
        figure = budget_figure(commitments(account_id), budget, start, today() + timedelta(days=1))
        spent = {"Amount": aws_amount(round(figure, 2)), "Unit": "PERCENTAGE"}
        budget["CalculatedSpend"] = {"ActualSpend": spent}
        return budget
    budget["CalculatedSpend"] = calculated_spend(cost_table(account_id), budget, today())
    return budget


def _describe_budget(self: BudgetsBackend, account_id: str, budget_name: str) -> dict[str, Any]:
    return _as_aws(_moto_describe_budget(self, account_id, budget_name), account_id)


def _describe_budgets_of(self: BudgetsBackend, account_id: str) -> list[dict[str, Any]]:
    return [_as_aws(budget, account_id) for budget in _moto_describe_budgets(self, account_id)]


def _check_unit(budget: dict[str, Any]) -> None:
    """A cost budget's unit, as AWS Budgets answers it (moto takes any currency)."""
    if budget.get("BudgetType", "COST") != "COST":
        return
    unit = (budget.get("BudgetLimit") or {}).get("Unit", "USD")
    allowed = limit("budget_currencies")["allowed"]
    if unit not in allowed:
        raise InvalidParameterException(
            f"{unit} is not in the supported unit set: [{', '.join(allowed)}]"
        )


def _check_commitment(budget: dict[str, Any]) -> dict[str, Any]:
    """A utilization or coverage budget as AWS takes it; its limit defaults to 100 %.

    Its BudgetLimit can only be 100 PERCENTAGE, it has no CostTypes and no planned limits; an
    RI budget filters on exactly one service AWS reserves capacity for, a Savings Plans budget
    on none (moto takes any of these).
    """
    kind = budget.get("BudgetType")
    if kind not in COMMITMENT_TYPES:
        return budget
    limit = budget.get("BudgetLimit")
    if limit is None:
        budget = {**budget, "BudgetLimit": {"Amount": "100", "Unit": "PERCENTAGE"}}
    elif Decimal(str(limit.get("Amount", "0"))) != 100 or limit.get("Unit") != "PERCENTAGE":
        raise InvalidParameterException(
            f"The budget limit of a {kind} budget must be 100 PERCENTAGE, not "
            f"{limit.get('Amount')} {limit.get('Unit')}"
        )
    for key in ("CostTypes", "PlannedBudgetLimits", "AutoAdjustData"):
        if budget.get(key):
            raise InvalidParameterException(f"A {kind} budget does not take {key}")
    services = (budget.get("CostFilters") or {}).get("Service") or []
    if str(kind).startswith("RI_"):
        if len(services) != 1 or services[0] not in RI_SERVICES:
            raise InvalidParameterException(
                f"A {kind} budget needs exactly one Service filter among "
                f"{', '.join(RI_SERVICES)}; got {services or 'none'}"
            )
    elif services:
        raise InvalidParameterException(f"A {kind} budget cannot be filtered by Service")
    return budget


def _check_commitment_notification(kind: Any, notification: dict[str, Any]) -> None:
    if kind not in COMMITMENT_TYPES:
        return
    if notification.get("NotificationType") != "ACTUAL":
        raise InvalidParameterException(f"A {kind} budget only has ACTUAL notifications")
    if notification.get("ThresholdType", "PERCENTAGE") != "PERCENTAGE":
        raise InvalidParameterException(f"A {kind} budget's thresholds are percentages")
    if notification.get("ComparisonOperator") != "LESS_THAN":
        raise InvalidParameterException(f"A {kind} budget notifies LESS_THAN its threshold")


def _create_budget(
    self: BudgetsBackend,
    account_id: str,
    budget: dict[str, Any],
    notifications: list[dict[str, Any]],
) -> None:
    _check_filters(budget)
    _check_unit(budget)
    budget = _check_commitment(budget)
    for item in notifications:
        _check_subscribers(item.get("Subscribers", []))
        _check_commitment_notification(budget.get("BudgetType"), item["Notification"])
    keys = [_notification_key(item["Notification"]) for item in notifications]
    if len(set(keys)) != len(keys):
        raise InvalidParameterException("Duplicate notifications in the request")
    _moto_create_budget(self, account_id, _tidy_budget(budget), notifications)


def _delete_budget(self: BudgetsBackend, account_id: str, budget_name: str) -> None:
    _moto_delete_budget(self, account_id, budget_name)
    _tags(self).delete_all_tags_for_resource(budget_arn(self.region_name, account_id, budget_name))


def _budget(backend: BudgetsBackend, account_id: str, name: str, action: str) -> Budget:
    budget = backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to {action} - the budget {name} doesn't exist.")
    return budget


def _notification_key(details: dict[str, Any]) -> tuple[str, str, Decimal, str]:
    return (
        details.get("NotificationType", ""),
        details.get("ComparisonOperator", ""),
        Decimal(str(details.get("Threshold", 0))),
        details.get("ThresholdType", "PERCENTAGE"),
    )


def _notification(budget: Budget, details: dict[str, Any], action: str) -> Notification:
    key = _notification_key(details)
    for notification in budget.notifications:
        if _notification_key(notification.details) == key:
            return notification
    raise NotFoundException(f"Unable to {action} - the notification doesn't exist.")


def _subscribers_of(notification: Notification) -> list[dict[str, Any]]:
    """The notification's subscribers: moto keeps the request's list (typed as a dict)."""
    return notification.subscribers  # type: ignore[return-value]


def _check_subscribers(subscribers: list[dict[str, Any]]) -> None:
    kinds = [s.get("SubscriptionType") for s in subscribers]
    if not subscribers:
        raise InvalidParameterException("A notification needs at least one subscriber")
    if kinds.count("SNS") > MAX_SNS_SUBSCRIBERS or kinds.count("EMAIL") > MAX_EMAIL_SUBSCRIBERS:
        raise InvalidParameterException(
            f"A notification can have {MAX_SNS_SUBSCRIBERS} SNS subscriber and "
            f"{MAX_EMAIL_SUBSCRIBERS} email subscribers at most"
        )
    addresses = [(s.get("SubscriptionType"), s.get("Address")) for s in subscribers]
    if len(set(addresses)) != len(addresses):
        raise InvalidParameterException("Duplicate subscribers in the request")


def _page(self: BudgetsResponse, items: list[Any], key: str) -> str:
    size = int(self._get_param("MaxResults") or DEFAULT_PAGE_SIZE)
    start = int(self._get_param("NextToken") or 0)
    result: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return json.dumps(result)


# Responses -------------------------------------------------------------------------------------


def _describe_budgets(self: BudgetsResponse) -> str:
    budgets = list(self.backend.describe_budgets(account_id=self._get_param("AccountId")))
    return _page(self, budgets, "Budgets")


def _update_budget(self: BudgetsResponse) -> str:
    account_id = self._get_param("AccountId")
    new = self._get_param("NewBudget")
    budget = _budget(self.backend, account_id, new["BudgetName"], "update budget")
    if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
        raise InvalidParameterException("Unable to update budget - please provide a budget limit")
    _check_filters(new)
    _check_unit(new)
    new = _check_commitment(new)
    kept = {key: budget.budget[key] for key in ("TimePeriod",) if key in budget.budget}
    budget.budget = {**kept, **_tidy_budget(new), "LastUpdatedTime": unix_time()}
    return json.dumps({})


def _describe_notifications(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "describe notifications",
    )
    notifications = [{**n.details, "NotificationState": "OK"} for n in budget.notifications]
    return _page(self, notifications, "Notifications")


def _create_notification(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "create notification",
    )
    details = self._get_param("Notification")
    subscribers = self._get_param("Subscribers", [])
    _check_subscribers(subscribers)
    _check_commitment_notification(budget.budget.get("BudgetType"), details)
    key = _notification_key(details)
    if any(_notification_key(n.details) == key for n in budget.notifications):
        raise DuplicateRecordException(record_type="notification", record_name=str(details))
    budget.add_notification(details, subscribers)
    return json.dumps({})


def _delete_notification(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "delete notification",
    )
    found = _notification(budget, self._get_param("Notification"), "delete notification")
    budget.notifications.remove(found)
    return json.dumps({})


def _create_subscriber(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "create subscriber",
    )
    notification = _notification(budget, self._get_param("Notification"), "create subscriber")
    subscriber = self._get_param("Subscriber")
    subscribers = _subscribers_of(notification)
    if subscriber in subscribers:
        raise DuplicateRecordException(record_type="subscriber", record_name=subscriber["Address"])
    _check_subscribers([*subscribers, subscriber])
    subscribers.append(subscriber)
    return json.dumps({})


def _delete_subscriber(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "delete subscriber",
    )
    notification = _notification(budget, self._get_param("Notification"), "delete subscriber")
    subscriber = self._get_param("Subscriber")
    subscribers = _subscribers_of(notification)
    if subscriber not in subscribers:
        raise NotFoundException("Unable to delete subscriber - the subscriber doesn't exist.")
    subscribers.remove(subscriber)
    if not subscribers:
        budget.notifications.remove(notification)
    return json.dumps({})


def _describe_subscribers(self: BudgetsResponse) -> str:
    budget = _budget(
        self.backend,
        self._get_param("AccountId"),
        self._get_param("BudgetName"),
        "describe subscribers",
    )
    notification = _notification(budget, self._get_param("Notification"), "describe subscribers")
    return _page(self, list(_subscribers_of(notification)), "Subscribers")


def _owned_arn(self: BudgetsResponse) -> str:
    arn = self._get_param("ResourceARN")
    name = arn.rsplit("budget/", 1)[-1] if ":budget/" in arn else None
    account_id = arn.split(":")[4] if arn.count(":") >= 5 else ""
    if name is None or name not in self.backend.budgets[account_id]:
        raise NotFoundException(f"Unable to find resource {arn}")
    return arn


def _tag_resource(self: BudgetsResponse) -> str:
    _tags(self.backend).tag_resource(_owned_arn(self), self._get_param("ResourceTags", []))
    return json.dumps({})


def _untag_resource(self: BudgetsResponse) -> str:
    arn = _owned_arn(self)
    _tags(self.backend).untag_resource_using_names(arn, self._get_param("ResourceTagKeys", []))
    return json.dumps({})


def _list_tags(self: BudgetsResponse) -> str:
    tags = _tags(self.backend).list_tags_for_resource(_owned_arn(self))["Tags"]
    return json.dumps({"ResourceTags": tags})


def _create_budget_response(self: BudgetsResponse) -> str:
    account_id = self._get_param("AccountId")
    budget = self._get_param("Budget")
    self.backend.create_budget(
        account_id=account_id,
        budget=budget,
        notifications=self._get_param("NotificationsWithSubscribers", []),
    )
    tags = self._get_param("ResourceTags", [])
    if tags:
        arn = budget_arn(self.partition, account_id, budget["BudgetName"])
        _tags(self.backend).tag_resource(arn, tags)
    return json.dumps({})


_RESPONSES = {
    "create_budget": _create_budget_response,
    "describe_budgets": _describe_budgets,
    "update_budget": _update_budget,
    "describe_notifications_for_budget": _describe_notifications,
    "create_notification": _create_notification,
    "delete_notification": _delete_notification,
    "create_subscriber": _create_subscriber,
    "delete_subscriber": _delete_subscriber,
    "describe_subscribers_for_notification": _describe_subscribers,
    "tag_resource": _tag_resource,
    "untag_resource": _untag_resource,
    "list_tags_for_resource": _list_tags,
}
