"""Requests against the installed botocore models: every constraint kind, just under and over."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from botocore.validate import ParamValidator

from sentinel.aws.request_model import (
    check_request,
    constraint_count,
    operation_model,
    python_pattern,
)

ALARM: dict[str, Any] = {
    "AlarmName": "shop-api-errors",
    "AlarmDescription": "API 5xx",
    "ActionsEnabled": True,
    "EvaluationPeriods": 3,
    "DatapointsToAlarm": 2,
    "Threshold": 50.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "missing",
    "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:shop-critical"],
    "OKActions": [],
    "InsufficientDataActions": [],
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "HTTPCode_Target_5XX_Count",
    "Dimensions": [{"Name": "LoadBalancer", "Value": "app/shop-alb/0123456789abcdef"}],
    "Period": 60,
    "Statistic": "Sum",
    "Tags": [{"Key": "sentinel:project", "Value": "shop"}],
}
BUDGET: dict[str, Any] = {
    "AccountId": "123456789012",
    "Budget": {
        "BudgetName": "shop-monthly",
        "BudgetLimit": {"Amount": "500", "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    },
    "NotificationsWithSubscribers": [
        {
            "Notification": {
                "NotificationType": "ACTUAL",
                "ComparisonOperator": "GREATER_THAN",
                "Threshold": 80.0,
                "ThresholdType": "PERCENTAGE",
            },
            "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "a@shop.example.com"}],
        }
    ],
    "ResourceTags": [{"Key": "sentinel:project", "Value": "shop"}],
}


def _with(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    params = copy.deepcopy(base)
    change(params)
    return params


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(params: dict[str, Any]) -> None:
        node: Any = params
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _tags(n: int) -> list[dict[str, str]]:
    return [{"Key": f"k{i}", "Value": "v"} for i in range(n)]


# (service, operation, base, path, value just inside, value just outside, words of the problem)
BOUNDS = [
    ("cloudwatch", "PutMetricAlarm", ALARM, "AlarmName", "a" * 255, "a" * 256, "at most 255"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "AlarmName", "a", "", "at least 1"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "AlarmDescription", "d" * 1024, "d" * 1025, "1024"),
    (
        "cloudwatch",
        "PutMetricAlarm",
        ALARM,
        "AlarmActions",
        ["arn:x"] * 5,
        ["arn:x"] * 6,
        "at most 5",
    ),
    ("cloudwatch", "PutMetricAlarm", ALARM, "OKActions", ["arn:x"] * 5, ["arn:x"] * 6, "at most 5"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "AlarmActions", ["a" * 1024], ["a" * 1025], "1024"),
    (
        "cloudwatch",
        "PutMetricAlarm",
        ALARM,
        "Dimensions",
        [{"Name": f"d{i}", "Value": "v"} for i in range(30)],
        [{"Name": f"d{i}", "Value": "v"} for i in range(31)],
        "at most 30",
    ),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Dimensions.0.Value", "v" * 1024, "v" * 1025, "1024"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Dimensions.0.Name", "n" * 255, "n" * 256, "255"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "MetricName", "m" * 255, "m" * 256, "255"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Namespace", "AWS/X", ":AWS/X", "does not match"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Statistic", "Maximum", "Max", "not one of"),
    (
        "cloudwatch",
        "PutMetricAlarm",
        ALARM,
        "ComparisonOperator",
        "LessThanThreshold",
        "<",
        "not one",
    ),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Unit", "Seconds", "Second", "not one of"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "EvaluationPeriods", 1, 0, "at least 1"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Period", 1, 0, "at least 1"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "TreatMissingData", "t" * 255, "t" * 256, "255"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Tags.0.Key", "k" * 128, "k" * 129, "at most 128"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Tags.0.Value", "v" * 256, "v" * 257, "at most 256"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Tags.0.Key", "k", "", "at least 1"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Threshold", 1, "1", "expected a number"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "ActionsEnabled", False, "yes", "expected true"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "EvaluationPeriods", 2, True, "whole number"),
    ("cloudwatch", "PutMetricAlarm", ALARM, "Dimensions", [], {}, "expected a list"),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetName", "b" * 100, "b" * 101, "at most 100"),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetName", "shop/1", "shop:1", "does not match"),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetName", "shop 1", "shop\\1", "does not match"),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetName", "a/action", "a/action/", "not match"),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "Budget.BudgetName",
        "script",
        "x<SCRIPT>y</script>",
        "does not match",
    ),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetLimit.Amount", "0.5", "1,000", "not match"),
    ("budgets", "CreateBudget", BUDGET, "Budget.BudgetLimit.Amount", ".5", "5.", "does not match"),
    ("budgets", "CreateBudget", BUDGET, "Budget.TimeUnit", "ANNUALLY", "YEARLY", "not one of"),
    ("budgets", "CreateBudget", BUDGET, "AccountId", "123456789012", "12345678901", "at least 12"),
    ("budgets", "CreateBudget", BUDGET, "AccountId", "123456789012", "12345678901a", "not match"),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "NotificationsWithSubscribers.0.Notification.Threshold",
        15_000_000_000_000.0,
        15_000_000_000_001.0,
        "at most",
    ),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "NotificationsWithSubscribers.0.Notification.Threshold",
        0.0,
        -1.0,
        "at least 0",
    ),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "NotificationsWithSubscribers.0.Subscribers",
        [{"SubscriptionType": "EMAIL", "Address": f"{i}@x.example"} for i in range(11)],
        [{"SubscriptionType": "EMAIL", "Address": f"{i}@x.example"} for i in range(12)],
        "at most 11",
    ),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "NotificationsWithSubscribers.0.Subscribers",
        [{"SubscriptionType": "EMAIL", "Address": "a@x.example"}],
        [],
        "at least 1",
    ),
    (
        "budgets",
        "CreateBudget",
        BUDGET,
        "NotificationsWithSubscribers",
        [copy.deepcopy(BUDGET["NotificationsWithSubscribers"][0]) for _ in range(10)],
        [copy.deepcopy(BUDGET["NotificationsWithSubscribers"][0]) for _ in range(11)],
        "at most 10",
    ),
    ("budgets", "CreateBudget", BUDGET, "ResourceTags", _tags(200), _tags(201), "at most 200"),
]


@pytest.mark.parametrize(
    ("service", "operation", "base", "path", "inside", "outside", "words"),
    BOUNDS,
    ids=[f"{b[1]}.{b[3]}-{i}" for i, b in enumerate(BOUNDS)],
)
def test_each_bound_accepts_the_value_at_it_and_refuses_the_next(
    service: str,
    operation: str,
    base: dict[str, Any],
    path: str,
    inside: Any,
    outside: Any,
    words: str,
) -> None:
    assert check_request(service, operation, _with(base, _set(path, inside))) == []

    problems = check_request(service, operation, _with(base, _set(path, outside)))

    assert problems, f"{path}={outside!r} was accepted"
    assert any(words in str(p) for p in problems), problems
    assert all(p.operation == operation for p in problems)


def test_required_and_unknown_members_are_named() -> None:
    params = _with(ALARM, lambda p: p.pop("AlarmName"))
    params["AlarmNam"] = "typo"

    problems = [str(p) for p in check_request("cloudwatch", "PutMetricAlarm", params)]

    assert "PutMetricAlarm AlarmName: is required" in problems
    assert "PutMetricAlarm AlarmNam: is not a known parameter" in problems


def test_recursive_shapes_are_checked_at_every_depth() -> None:
    leaf = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon EC2"]}}
    bad = {"Dimensions": {"Key": "SERVICES", "Values": ["Amazon EC2"]}}
    expression = {"And": [leaf, {"Not": {"Or": [leaf, bad]}}]}
    params = _with(BUDGET, _set("Budget.FilterExpression", expression))

    problems = [str(p) for p in check_request("budgets", "CreateBudget", params)]

    assert len(problems) == 1
    assert "Budget.FilterExpression.And[1].Not.Or[1].Dimensions.Key" in problems[0]


def test_java_inline_flags_become_scoped_groups() -> None:
    pattern = python_pattern(r"^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$")

    assert pattern is not None
    assert pattern.fullmatch("shop-monthly")
    assert not pattern.fullmatch("a<ScRiPt>b</sCrIpT>")
    assert not pattern.fullmatch("a/action/b")


def _mutations() -> list[tuple[str, dict[str, Any]]]:
    """Generated requests: every member of PutMetricAlarm and CreateBudget made wrong in the
    ways botocore's own validator knows (missing, wrong type, under its minimum)."""
    cases: list[tuple[str, dict[str, Any]]] = []
    wrong_types: list[Any] = ["text", 7, 1.5, True, [], {}, None]
    for service, operation, base in (
        ("cloudwatch", "PutMetricAlarm", ALARM),
        ("budgets", "CreateBudget", BUDGET),
    ):
        shape = operation_model(service, operation).input_shape
        for member in shape.members:
            if member in base:
                cases.append(
                    (f"{operation}-{member}-missing", _with(base, lambda p, m=member: p.pop(m)))
                )
            for value in wrong_types:
                if value is None:
                    continue
                cases.append(
                    (
                        f"{operation}-{member}-{type(value).__name__}",
                        _with(base, _set(member, value)),
                    )
                )
    return cases


MUTATIONS = _mutations()


@pytest.mark.parametrize(("case", "params"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_agrees_with_botocore_param_validator_on_what_it_checks(
    case: str, params: dict[str, Any]
) -> None:
    operation = case.split("-")[0]
    service = "cloudwatch" if operation == "PutMetricAlarm" else "budgets"
    shape = operation_model(service, operation).input_shape
    botocore_errors = ParamValidator().validate(params, shape)

    ours = check_request(service, operation, params)

    # Where botocore refuses the request, so do we; where we alone refuse it, it is a bound
    # botocore leaves to the server (max, pattern, enum), or true/false given as a number
    # (botocore lets bool pass as int; the wire then carries "true" where AWS wants digits).
    if botocore_errors.has_errors():
        assert ours, botocore_errors.generate_report()
    for problem in ours:
        if not botocore_errors.has_errors():
            assert any(
                words in problem.message
                for words in ("at most", "does not match", "is not one of", "got true/false")
            ), problem


def test_the_operations_apply_sends_carry_hundreds_of_model_constraints() -> None:
    operations = [
        ("cloudwatch", "PutMetricAlarm"),
        ("cloudwatch", "PutCompositeAlarm"),
        ("cloudwatch", "PutDashboard"),
        ("cloudwatch", "TagResource"),
        ("sns", "CreateTopic"),
        ("sns", "Subscribe"),
        ("sns", "SetTopicAttributes"),
        ("sns", "TagResource"),
        ("budgets", "CreateBudget"),
        ("budgets", "UpdateBudget"),
        ("budgets", "CreateNotification"),
        ("budgets", "CreateSubscriber"),
        ("budgets", "TagResource"),
        ("sqs", "CreateQueue"),
        ("sqs", "SetQueueAttributes"),
        ("sqs", "TagQueue"),
    ]

    assert sum(constraint_count(s, o) for s, o in operations) > 300


def _bounded_leaves(
    shape: Any, value: Any, path: tuple[Any, ...]
) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(path, value at the bound, value one past it) for every bounded leaf of a request."""
    found: list[tuple[tuple[Any, ...], Any, Any]] = []
    high = shape.metadata.get("max")
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, item in value.items():
            found += _bounded_leaves(shape.members[name], item, (*path, name))
    elif shape.type_name == "list" and isinstance(value, list) and value:
        if high is not None and high < 1000:
            found.append((path, [value[0]] * high, [value[0]] * (high + 1)))
        found += _bounded_leaves(shape.member, value[0], (*path, 0))
    elif shape.type_name == "string" and high is not None and high < 100_000:
        if "pattern" not in shape.metadata and not getattr(shape, "enum", None):
            found.append((path, "x" * high, "x" * (high + 1)))
    elif shape.type_name in ("integer", "long", "double") and high is not None:
        found.append((path, high, high + 1))
    return found


def _sweep() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    cases = []
    for service, operation, base in (
        ("cloudwatch", "PutMetricAlarm", ALARM),
        ("budgets", "CreateBudget", BUDGET),
    ):
        shape = operation_model(service, operation).input_shape
        for path, at, past in _bounded_leaves(shape, base, ()):
            dotted = ".".join(str(p) for p in path)
            cases.append(
                (
                    service,
                    f"{operation}.{dotted}",
                    _with(base, _set(dotted, at)),
                    _with(base, _set(dotted, past)),
                )
            )
    return cases


SWEEP = _sweep()


@pytest.mark.parametrize(("service", "where", "at", "past"), SWEEP, ids=[s[1] for s in SWEEP])
def test_every_bounded_field_of_a_real_request_holds_at_its_bound_and_not_past_it(
    service: str, where: str, at: dict[str, Any], past: dict[str, Any]
) -> None:
    operation = where.split(".")[0]

    assert check_request(service, operation, at) == []
    assert any("at most" in p.message for p in check_request(service, operation, past))
