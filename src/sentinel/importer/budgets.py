"""AWS Budgets with their alerts (notifications) and subscribers: the reverse of sync.budgets."""

from __future__ import annotations

import re
from typing import Any

from sentinel.config.models.budgets import COMMITMENT_TYPES
from sentinel.importer.alarms import Unrepresentable
from sentinel.importer.names import Names
from sentinel.importer.result import ImportResult
from sentinel.importer.routing import Routes
from sentinel.sync.budgets import FILTER_DIMENSIONS, FILTER_KEYS, BudgetDocument, number

_PERIODS = {"MONTHLY": "monthly", "QUARTERLY": "quarterly", "ANNUALLY": "annually"}
_TYPES = {"COST": "cost", "USAGE": "usage"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_FILTERS = {key: attribute for attribute, key in FILTER_KEYS.items()}
_DIMENSIONS = {key: attribute for attribute, key in FILTER_DIMENSIONS.items()}


def build_budgets(
    documents: list[BudgetDocument], routes: Routes, project: str, result: ImportResult
) -> list[dict[str, Any]]:
    names = Names(project)
    budgets = []
    for document in sorted(documents, key=lambda d: d.budget["BudgetName"]):
        aws = document.budget["BudgetName"]
        try:
            fields = _budget(document, routes)
        except Unrepresentable as exc:
            result.skip("budget", aws, str(exc))
            continue
        name, aws_name = names.for_aws(aws)
        entry: dict[str, Any] = {"name": name}
        if aws_name is not None:
            entry["aws_name"] = aws_name
        entry.update(fields)
        budgets.append(entry)
        result.imported["budget"] += 1
    return budgets


def _commitment(document: BudgetDocument, routes: Routes, kind: str) -> dict[str, Any]:
    """A utilization or coverage budget: its type, target (or alerts), filters, subscribers."""
    budget = document.budget
    period = _PERIODS.get(budget.get("TimeUnit", ""))
    if period is None:
        raise Unrepresentable(f"a {kind} budget per {budget.get('TimeUnit')}")
    out: dict[str, Any] = {"type": kind}
    if period != "monthly":
        out["period"] = period
    thresholds: list[str] = []
    lists: list[list[str]] = []
    for key, notification in document.notifications.items():
        if (
            notification.get("ComparisonOperator") != "LESS_THAN"
            or notification.get("NotificationType") != "ACTUAL"
            or notification.get("ThresholdType", "PERCENTAGE") != "PERCENTAGE"
        ):
            raise Unrepresentable(f"alert {key}: Sentinel's {kind} alerts are 'actual below %'")
        thresholds.append(f"{number(notification['Threshold'])}%")
        lists.append(_notify(key, document, routes))
    if not thresholds:
        raise Unrepresentable(f"a {kind} budget without an alert has no target")
    if len({tuple(n) for n in lists}) != 1:
        raise Unrepresentable("alerts notifying different subscribers")
    if len(thresholds) == 1:
        out["target"] = thresholds[0]
    else:
        out["alerts"] = thresholds
    filters = _filters(budget)
    if filters:
        out["filters"] = filters
    out["notify"] = lists[0]
    return out


def _notify(key: str, document: BudgetDocument, routes: Routes) -> list[str]:
    notify = []
    for subscriber in document.subscribers.get(key, []):
        address = subscriber["Address"]
        if subscriber["SubscriptionType"] == "EMAIL":
            notify.append(address)
        elif address in routes.severity_of:
            notify.append(routes.severity_of[address])
        else:
            raise Unrepresentable(f"alert {key} notifies {address}, not an imported topic")
    return notify


def _budget(document: BudgetDocument, routes: Routes) -> dict[str, Any]:
    budget = document.budget
    commitment = str(budget.get("BudgetType", "")).lower()
    if commitment in COMMITMENT_TYPES:
        return _commitment(document, routes, commitment)
    kind = _TYPES.get(budget.get("BudgetType", ""))
    period = _PERIODS.get(budget.get("TimeUnit", ""))
    if kind is None or period is None:
        raise Unrepresentable(
            f"a {budget.get('BudgetType')} budget per {budget.get('TimeUnit')}: Sentinel has "
            "cost and usage budgets, monthly, quarterly or annually"
        )
    limit = budget.get("BudgetLimit") or {}
    unit = str(limit.get("Unit", ""))
    if (
        not _CURRENCY.match(unit)
        or budget.get("PlannedBudgetLimits")
        or budget.get("AutoAdjustData")
    ):
        raise Unrepresentable(f"a limit in {unit!r}, planned or auto-adjusted, has no amount form")
    out: dict[str, Any] = {"amount": f"{number(limit.get('Amount', 0))} {unit}"}
    if period != "monthly":
        out["period"] = period
    if kind != "cost":
        out["type"] = kind
    filters = _filters(budget)
    if filters:
        out["filters"] = filters
    severity_of = {arn: severity for arn, severity in routes.severity_of.items()}
    alerts = []
    for key, notification in document.notifications.items():
        if notification.get("ComparisonOperator", "GREATER_THAN") != "GREATER_THAN":
            raise Unrepresentable(f"alert {key}: Sentinel's alerts are 'greater than'")
        threshold = number(notification["Threshold"])
        percent = notification.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE"
        notify = []
        for subscriber in document.subscribers.get(key, []):
            address = subscriber["Address"]
            if subscriber["SubscriptionType"] == "EMAIL":
                notify.append(address)
            elif address in severity_of:
                notify.append(severity_of[address])
            else:
                raise Unrepresentable(f"alert {key} notifies {address}, not an imported topic")
        alerts.append(
            {
                "threshold": f"{threshold}%" if percent else f"{threshold} USD",
                "type": str(notification["NotificationType"]).lower(),
                "notify": notify,
            }
        )
    if alerts:
        lists = {tuple(a["notify"]) for a in alerts}
        shared = len(lists) == 1
        written: list[Any] = []
        for alert in alerts:
            if shared and alert["type"] == "actual":
                written.append(alert["threshold"])
                continue
            entry: dict[str, Any] = {"threshold": alert["threshold"]}
            if alert["type"] != "actual":
                entry["type"] = alert["type"]
            if not shared:
                entry["notify"] = alert["notify"]
            written.append(entry)
        out["alerts"] = written
        if shared:
            out["notify"] = alerts[0]["notify"]
    return out


def _filters(budget: dict[str, Any]) -> dict[str, Any]:
    expression = budget.get("FilterExpression")
    if expression:
        conditions = expression.get("And")
        if not conditions or len(expression) != 1 or len(conditions) < 2:
            raise Unrepresentable("its filter expression is not an And of two or more filters")
        out: dict[str, Any] = {}
        for condition in conditions:
            if set(condition) == {"Dimensions"} and condition["Dimensions"]["Key"] in _DIMENSIONS:
                leaf = condition["Dimensions"]
                attribute = _DIMENSIONS[leaf["Key"]]
                if attribute in out:
                    raise Unrepresentable(f"{leaf['Key']} is filtered twice")
                out[attribute] = list(leaf["Values"])
            elif set(condition) == {"Tags"}:
                leaf = condition["Tags"]
                out.setdefault("tags", {})[leaf["Key"]] = list(leaf["Values"])
            else:
                raise Unrepresentable(f"filter {sorted(condition)} has no budget filter form")
            if set(leaf.get("MatchOptions") or ["EQUALS"]) != {"EQUALS"}:
                raise Unrepresentable("a filter matching other than EQUALS")
        return out
    filters = {k: v for k, v in (budget.get("CostFilters") or {}).items() if v}
    if len(filters) > 1:
        raise Unrepresentable(
            "CostFilters on several keys (AWS ORs them per key); Sentinel writes several "
            "filters as a FilterExpression"
        )
    out = {}
    for key, values in filters.items():
        if key not in _FILTERS:
            raise Unrepresentable(f"cost filter {key} has no budget filter form")
        if key == "TagKeyValue":
            tags: dict[str, list[str]] = {}
            for value in values:
                tag, found, tag_value = str(value).partition("$")
                if not found:
                    raise Unrepresentable(f"tag filter {value!r} has no value")
                tags.setdefault(tag.removeprefix("user:"), []).append(tag_value)
            if len(tags) > 1:
                raise Unrepresentable("a tag filter over several tag keys (AWS ORs them)")
            out["tags"] = tags
        else:
            out[_FILTERS[key]] = list(values)
    return out
