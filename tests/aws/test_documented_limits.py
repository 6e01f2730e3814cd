"""AWS's documented limits the models do not carry: each just under and just over."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from sentinel.aws.documented_limits import (
    alarm_extended_statistic_problem,
    check_documented,
    documented_constraint_count,
    limits,
    statistic_problem,
)

from .test_request_model import ALARM, BUDGET


def _stat(i: int) -> dict[str, Any]:
    return {
        "Id": f"m{i}",
        "MetricStat": {
            "Metric": {"Namespace": "AWS/X", "MetricName": "N", "Dimensions": []},
            "Period": 60,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def _math(metrics: int, expression: str | None = None, **extra: Any) -> dict[str, Any]:
    alarm = {k: v for k, v in ALARM.items() if k not in ("Namespace", "MetricName", "Dimensions")}
    alarm.pop("Period")
    alarm.pop("Statistic")
    queries = [_stat(i) for i in range(metrics)]
    total = " + ".join(q["Id"] for q in queries) or "1"
    queries.insert(0, {"Id": "e1", "Expression": expression or total, "ReturnData": True})
    alarm["Metrics"] = queries
    alarm.update(extra)
    return alarm


def _band() -> dict[str, Any]:
    """An anomaly-detection alarm: the metric and its band both return data."""
    alarm = _math(0)
    alarm.pop("Threshold", None)
    alarm["Metrics"] = [
        {**_stat(0), "ReturnData": True},
        {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m0, 2)", "ReturnData": True},
    ]
    alarm["ThresholdMetricId"] = "ad1"
    alarm["ComparisonOperator"] = "LessThanLowerOrGreaterThanUpperThreshold"
    return alarm


def _alarm(**changes: Any) -> dict[str, Any]:
    alarm = copy.deepcopy(ALARM)
    alarm.update(changes)
    return alarm


def _at_least(children: int) -> str:
    """AT_LEAST over ``children`` alarms: each listed alarm is a child of the composite."""
    listed = ", ".join(f'"child-{n}"' for n in range(children))
    return f"AT_LEAST(2, ALARM, ({listed}))"


def _composite(rule: str, **changes: Any) -> dict[str, Any]:
    return {"AlarmName": "shop-both", "AlarmRule": rule, **changes}


def _rule(alarms: int, extra_parens: int = 0) -> str:
    rule = " OR ".join(f'ALARM("a{i}")' for i in range(alarms))
    return "(" * extra_parens + rule + ")" * extra_parens


def _dashboard(widgets: int = 1, metrics: int = 1, pad: int = 0, **changes: Any) -> dict[str, Any]:
    body = {
        "widgets": [
            {
                "type": "metric",
                "properties": {"metrics": [["AWS/X", "N", {"stat": "Sum"}]] * metrics},
            }
        ]
        * widgets
    }
    text = json.dumps(body, separators=(",", ":"))
    if pad:
        body["padding"] = "x" * (pad - len(text) - len(',"padding":""'))
        text = json.dumps(body, separators=(",", ":"))
        assert len(text) == pad
    return {"DashboardName": "shop-ops", "DashboardBody": text, **changes}


def _budget(**changes: Any) -> dict[str, Any]:
    budget = copy.deepcopy(BUDGET)
    budget["Budget"].update(changes.pop("budget", {}))
    budget.update(changes)
    return budget


def _notifications(n: int, subscribers: list[dict[str, str]] | None = None) -> list[Any]:
    item = copy.deepcopy(BUDGET["NotificationsWithSubscribers"][0])
    if subscribers is not None:
        item["Subscribers"] = subscribers
    return [copy.deepcopy(item) for _ in range(n)]


def _emails(n: int) -> list[dict[str, str]]:
    return [{"SubscriptionType": "EMAIL", "Address": f"{i}@x.example"} for i in range(n)]


def _sns(n: int) -> list[dict[str, str]]:
    return [
        {"SubscriptionType": "SNS", "Address": f"arn:aws:sns:us-east-1:1:t{i}"} for i in range(n)
    ]


def _tags(n: int, key: str = "k", value: str = "v") -> list[dict[str, str]]:
    return [{"Key": f"{key}{i}" if n > 1 else key, "Value": value} for i in range(n)]


def _queue(name: str = "shop-router", **attributes: str) -> dict[str, Any]:
    return {"QueueName": name, "Attributes": attributes}


Case = tuple[str, str, str, Callable[[], dict[str, Any]], Callable[[], dict[str, Any]], str]
CW, SNS, SQS, BUD = "cloudwatch", "sns", "sqs", "budgets"
CASES: list[Case] = [
    (
        "alarm_name",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(AlarmName="a" * 255),
        lambda: _alarm(AlarmName="a" * 256),
        "at most 255",
    ),
    (
        "alarm_name",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(AlarmName="ä é"),
        lambda: _alarm(AlarmName="a\tb"),
        "control",
    ),
    (
        "alarm_name",
        CW,
        "PutCompositeAlarm",
        lambda: _composite("TRUE", AlarmName="c" * 255),
        lambda: _composite("TRUE", AlarmName="c" * 256),
        "255",
    ),
    (
        "alarm_actions_per_state",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(OKActions=["arn:x"] * 5),
        lambda: _alarm(OKActions=["arn:x"] * 6),
        "at most 5",
    ),
    (
        "alarm_actions_per_state",
        CW,
        "PutCompositeAlarm",
        lambda: _composite("TRUE", InsufficientDataActions=["a"] * 5),
        lambda: _composite("TRUE", InsufficientDataActions=["a"] * 6),
        "at most 5",
    ),
    (
        "alarm_period",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Period=30),
        lambda: _alarm(Period=45),
        "not a CloudWatch period",
    ),
    (
        "alarm_period",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Period=120),
        lambda: _alarm(Period=90),
        "multiple of 60",
    ),
    (
        "alarm_evaluation_range",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Period=300, EvaluationPeriods=288),
        lambda: _alarm(Period=300, EvaluationPeriods=289),
        "1 day",
    ),
    (
        "alarm_evaluation_range",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Period=3600, EvaluationPeriods=168),
        lambda: _alarm(Period=3600, EvaluationPeriods=169),
        "7 days",
    ),
    (
        "alarm_extended_statistic",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Statistic=None, ExtendedStatistic="p100"),
        lambda: _alarm(Statistic=None, ExtendedStatistic="p100.1"),
        "between 0 and 100",
    ),
    (
        "alarm_extended_statistic",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Statistic=None, ExtendedStatistic="TM(10%:90%)"),
        lambda: _alarm(Statistic=None, ExtendedStatistic="TM(9%:90%)"),
        "between 10 and 90",
    ),
    (
        "alarm_extended_statistic",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Statistic=None, ExtendedStatistic="WM(10%:90%)"),
        lambda: _alarm(Statistic=None, ExtendedStatistic="WM(10%:91%)"),
        "between 10 and 90",
    ),
    (
        "alarm_extended_statistic",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Statistic=None, ExtendedStatistic="PR(100:2000)"),
        lambda: _alarm(Statistic=None, ExtendedStatistic="PR(10%:20%)"),
        "metric values",
    ),
    (
        "alarm_extended_statistic",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Statistic=None, ExtendedStatistic="IQM"),
        lambda: _alarm(Statistic=None, ExtendedStatistic="Average"),
        "standard statistic",
    ),
    (
        "statistic",
        CW,
        "PutMetricAlarm",
        lambda: (
            _math(1, "m0", **{})
            | {
                "Metrics": [
                    {**_math(1)["Metrics"][0]},
                    {**_stat(0), "MetricStat": {**_stat(0)["MetricStat"], "Stat": "TM(0%:100%)"}},
                ]
            }
        ),
        lambda: (
            _math(1)
            | {
                "Metrics": [
                    {**_math(1)["Metrics"][0]},
                    {**_stat(0), "MetricStat": {**_stat(0)["MetricStat"], "Stat": "TM(0%:100.5%)"}},
                ]
            }
        ),
        "between 0% and 100%",
    ),
    (
        "statistic",
        CW,
        "PutDashboard",
        lambda: (
            _dashboard()
            | {
                "DashboardBody": json.dumps(
                    {"widgets": [{"properties": {"stat": "p99.9999999999"}}]}
                )
            }
        ),
        lambda: (
            _dashboard()
            | {
                "DashboardBody": json.dumps(
                    {"widgets": [{"properties": {"stat": "p99.99999999999"}}]}
                )
            }
        ),
        "at most 10 decimals",
    ),
    (
        "metric_dimensions",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Dimensions=[{"Name": f"d{i}", "Value": "v"} for i in range(30)]),
        lambda: _alarm(Dimensions=[{"Name": f"d{i}", "Value": "v"} for i in range(31)]),
        "30 dimensions",
    ),
    (
        "metric_math_metrics",
        CW,
        "PutMetricAlarm",
        lambda: _math(10),
        lambda: _math(11),
        "at most 10",
    ),
    (
        "metric_math_id",
        CW,
        "PutMetricAlarm",
        lambda: _math(1, "m0"),
        lambda: (
            _math(1, "M0")
            | {"Metrics": [{"Id": "E1", "Expression": "m0", "ReturnData": True}, _stat(0)]}
        ),
        "lower-case letter",
    ),
    (
        "metric_math_id",
        CW,
        "PutMetricAlarm",
        lambda: _math(2),
        lambda: _math(2) | {"Metrics": [_math(2)["Metrics"][0], _stat(0), _stat(0)]},
        "used twice",
    ),
    (
        "metric_math_return_data",
        CW,
        "PutMetricAlarm",
        lambda: _math(1),
        lambda: (
            _math(1) | {"Metrics": [{**_math(1)["Metrics"][0]}, {**_stat(0), "ReturnData": True}]}
        ),
        "exactly one",
    ),
    (
        "metric_math_return_data",
        CW,
        "PutMetricAlarm",
        lambda: _math(1),
        lambda: _math(1) | {"Metrics": [{**_math(1)["Metrics"][0], "ReturnData": False}, _stat(0)]},
        "exactly one",
    ),
    (
        "metric_math_band_return_data",
        CW,
        "PutMetricAlarm",
        lambda: _band(),
        lambda: _band() | {"Metrics": [*_band()["Metrics"], {**_stat(1), "ReturnData": True}]},
        "3 items return data; exactly two must",
    ),
    (
        "metric_math_expression",
        CW,
        "PutMetricAlarm",
        lambda: _math(2, "IF(m1 > 0, 100 * m0 / m1, 0)"),
        lambda: _math(2, "IF(m1 > 0, 100 * m0 / m2, 0)"),
        "no query defines",
    ),
    (
        "metric_math_expression",
        CW,
        "PutMetricAlarm",
        lambda: _math(1, "ABS((m0))"),
        lambda: _math(1, "ABS((m0)"),
        "unbalanced",
    ),
    (
        "metric_math_expression",
        CW,
        "PutMetricAlarm",
        lambda: _math(0, "SEARCH('{AWS/EC2,InstanceId} cpu', 'Average', 300)"),
        lambda: _math(0, "SEARCH('{AWS/EC2,InstanceId} cpu, 'Average', 300)"),
        "unclosed quote",
    ),
    (
        "composite_rule",
        CW,
        "PutCompositeAlarm",
        lambda: _composite("TRUE" + " " * 10236),
        lambda: _composite("TRUE" + " " * 10237),
        "at most 10240",
    ),
    (
        "composite_rule",
        CW,
        "PutCompositeAlarm",
        lambda: _composite(_rule(100)),
        lambda: _composite(_rule(101)),
        "at most 100",
    ),
    (
        "composite_rule",
        CW,
        "PutCompositeAlarm",
        lambda: _composite(_at_least(100)),
        lambda: _composite(_at_least(101)),
        "at most 100",
    ),
    (
        "composite_rule",
        CW,
        "PutCompositeAlarm",
        lambda: _composite(_rule(100, 200)),
        lambda: _composite(_rule(100, 201)),
        "at most 500",
    ),
    (
        "dashboard_name",
        CW,
        "PutDashboard",
        lambda: _dashboard(DashboardName="d" * 255),
        lambda: _dashboard(DashboardName="d" * 256),
        "at most 255",
    ),
    (
        "dashboard_name",
        CW,
        "PutDashboard",
        lambda: _dashboard(DashboardName="shop-ops_1"),
        lambda: _dashboard(DashboardName="shop.ops"),
        "A-Z",
    ),
    (
        "dashboard_body",
        CW,
        "PutDashboard",
        lambda: _dashboard(pad=1_048_576),
        lambda: _dashboard(pad=1_048_577),
        "bytes",
    ),
    (
        "dashboard_body",
        CW,
        "PutDashboard",
        lambda: _dashboard(widgets=500),
        lambda: _dashboard(widgets=501),
        "501 widgets",
    ),
    (
        "dashboard_body",
        CW,
        "PutDashboard",
        lambda: _dashboard(metrics=500),
        lambda: _dashboard(metrics=501),
        "501 metrics",
    ),
    (
        "sns_topic_name",
        SNS,
        "CreateTopic",
        lambda: {"Name": "t" * 256},
        lambda: {"Name": "t" * 257},
        "at most 256",
    ),
    (
        "sns_topic_name",
        SNS,
        "CreateTopic",
        lambda: {"Name": "shop-critical_1.fifo", "Attributes": {"FifoTopic": "true"}},
        lambda: {"Name": "shop.critical"},
        "ASCII letters",
    ),
    (
        "sns_topic_name",
        SNS,
        "CreateTopic",
        lambda: {"Name": "shop-critical"},
        lambda: {"Name": "shop-critical.fifo"},
        "FifoTopic is true",
    ),
    (
        "sns_topic_name",
        SNS,
        "CreateTopic",
        lambda: {"Name": "shop-critical.fifo", "Attributes": {"FifoTopic": "true"}},
        lambda: {"Name": "shop-critical", "Attributes": {"FifoTopic": "true"}},
        "FifoTopic is true",
    ),
    (
        "sns_display_name",
        SNS,
        "CreateTopic",
        lambda: {"Name": "t", "Attributes": {"DisplayName": "d" * 100}},
        lambda: {"Name": "t", "Attributes": {"DisplayName": "d" * 101}},
        "at most 100",
    ),
    (
        "sns_display_name",
        SNS,
        "SetTopicAttributes",
        lambda: {"TopicArn": "arn", "AttributeName": "DisplayName", "AttributeValue": "d" * 100},
        lambda: {"TopicArn": "arn", "AttributeName": "DisplayName", "AttributeValue": "d" * 101},
        "at most 100",
    ),
    (
        "sqs_queue_name",
        SQS,
        "CreateQueue",
        lambda: _queue("q" * 80),
        lambda: _queue("q" * 81),
        "at most 80",
    ),
    (
        "sqs_queue_name",
        SQS,
        "CreateQueue",
        lambda: _queue("shop-router.fifo", FifoQueue="true"),
        lambda: _queue("shop.router"),
        "alphanumeric",
    ),
    (
        "sqs_queue_name",
        SQS,
        "CreateQueue",
        lambda: _queue("shop-router.fifo", FifoQueue="true"),
        lambda: _queue("shop-router.fifo"),
        "FifoQueue is true",
    ),
    (
        "sqs_queue_attributes",
        SQS,
        "CreateQueue",
        lambda: _queue(VisibilityTimeout="43200"),
        lambda: _queue(VisibilityTimeout="43201"),
        "0 to 43200",
    ),
    (
        "sqs_queue_attributes",
        SQS,
        "SetQueueAttributes",
        lambda: {"QueueUrl": "u", "Attributes": {"ReceiveMessageWaitTimeSeconds": "20"}},
        lambda: {"QueueUrl": "u", "Attributes": {"ReceiveMessageWaitTimeSeconds": "21"}},
        "0 to 20",
    ),
    (
        "sqs_queue_attributes",
        SQS,
        "CreateQueue",
        lambda: _queue(MessageRetentionPeriod="60"),
        lambda: _queue(MessageRetentionPeriod="59"),
        "60 to 1209600",
    ),
    (
        "sqs_queue_attributes",
        SQS,
        "CreateQueue",
        lambda: _queue(MessageRetentionPeriod="1209600"),
        lambda: _queue(MessageRetentionPeriod="1209601"),
        "60 to 1209600",
    ),
    (
        "sqs_queue_attributes",
        SQS,
        "CreateQueue",
        lambda: _queue(RedrivePolicy='{"maxReceiveCount": 1000}'),
        lambda: _queue(RedrivePolicy='{"maxReceiveCount": 1001}'),
        "maxReceiveCount",
    ),
    (
        "budget_name",
        BUD,
        "CreateBudget",
        lambda: _budget(budget={"BudgetName": "b" * 100}),
        lambda: _budget(budget={"BudgetName": "b" * 101}),
        "at most 100",
    ),
    (
        "budget_name",
        BUD,
        "CreateBudget",
        lambda: _budget(budget={"BudgetName": "a/b"}),
        lambda: _budget(budget={"BudgetName": "a:b"}),
        "':'",
    ),
    (
        "budget_name",
        BUD,
        "UpdateBudget",
        lambda: {"NewBudget": {"BudgetName": "a_b"}},
        lambda: {"NewBudget": {"BudgetName": "a\\b"}},
        "'\\\\'",
    ),
    (
        "budget_currencies",
        BUD,
        "CreateBudget",
        lambda: _budget(budget={"BudgetLimit": {"Amount": "5", "Unit": "USD"}}),
        lambda: _budget(budget={"BudgetLimit": {"Amount": "5", "Unit": "EUR"}}),
        "USD only",
    ),
    (
        "budget_currencies",
        BUD,
        "UpdateBudget",
        lambda: {
            "NewBudget": {"BudgetType": "USAGE", "BudgetLimit": {"Amount": "5", "Unit": "GB"}}
        },
        lambda: {
            "NewBudget": {"BudgetType": "COST", "BudgetLimit": {"Amount": "5", "Unit": "GBP"}}
        },
        "USD only",
    ),
    (
        "budget_notifications",
        BUD,
        "CreateBudget",
        lambda: _budget(NotificationsWithSubscribers=_notifications(5)),
        lambda: _budget(NotificationsWithSubscribers=_notifications(6)),
        "allows 5",
    ),
    (
        "budget_notifications",
        BUD,
        "CreateBudget",
        lambda: _budget(NotificationsWithSubscribers=_notifications(1, _sns(1) + _emails(10))),
        lambda: _budget(NotificationsWithSubscribers=_notifications(1, _sns(2))),
        "1 SNS",
    ),
    (
        "budget_notifications",
        BUD,
        "CreateNotification",
        lambda: {"Subscribers": _emails(10)},
        lambda: {"Subscribers": _emails(11)},
        "10 email",
    ),
    (
        "tag_key",
        CW,
        "TagResource",
        lambda: {"Tags": _tags(1, "k" * 128)},
        lambda: {"Tags": _tags(1, "k" * 129)},
        "1 to 128",
    ),
    (
        "tag_key",
        CW,
        "PutMetricAlarm",
        lambda: _alarm(Tags=_tags(1, "awsome:x")),
        lambda: _alarm(Tags=_tags(1, "aws:x")),
        "reserved for AWS",
    ),
    (
        "tag_key",
        SNS,
        "TagResource",
        lambda: {"Tags": _tags(1, "Cost Center/é@x")},
        lambda: {"Tags": _tags(1, "cost#center")},
        "letters, digits",
    ),
    (
        "tag_value",
        BUD,
        "TagResource",
        lambda: {"ResourceTags": _tags(1, "k", "v" * 256)},
        lambda: {"ResourceTags": _tags(1, "k", "v" * 257)},
        "at most 256",
    ),
    (
        "tag_value",
        SQS,
        "TagQueue",
        lambda: {"Tags": {"k": "a b:c"}},
        lambda: {"Tags": {"k": "a|b"}},
        "letters, digits",
    ),
    (
        "tags_per_resource",
        CW,
        "PutDashboard",
        lambda: _dashboard(Tags=_tags(50)),
        lambda: _dashboard(Tags=_tags(51)),
        "at most 50",
    ),
    (
        "tags_per_resource",
        BUD,
        "CreateBudget",
        lambda: _budget(ResourceTags=_tags(50)),
        lambda: _budget(ResourceTags=_tags(51)),
        "at most 50",
    ),
    (
        "tags_per_resource",
        SQS,
        "CreateQueue",
        lambda: _queue() | {"tags": {f"k{i}": "v" for i in range(50)}},
        lambda: _queue() | {"tags": {f"k{i}": "v" for i in range(51)}},
        "at most 50",
    ),
]


@pytest.mark.parametrize(
    ("limit", "service", "operation", "under", "over", "words"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_documented_limit_holds_just_under_and_refuses_just_over(
    limit: str,
    service: str,
    operation: str,
    under: Callable[[], dict[str, Any]],
    over: Callable[[], dict[str, Any]],
    words: str,
) -> None:
    assert limit in limits()
    accepted = {k: v for k, v in under().items() if v is not None}
    refused = {k: v for k, v in over().items() if v is not None}

    assert check_documented(service, operation, accepted) == []
    problems = check_documented(service, operation, refused)

    assert problems, f"{limit}: {operation} accepted"
    assert any(words in str(p) for p in problems), problems


def test_every_limit_in_the_table_has_a_source_and_a_test() -> None:
    tested = {case[0] for case in CASES}

    for name, entry in limits().items():
        assert entry["doc"].startswith("https://docs.aws.amazon.com/"), name
        assert entry.get("description"), name
        assert name in tested, f"{name} has no under/over test"
    assert documented_constraint_count() >= 50


STATISTICS = [
    ("Average", None, "standard statistic"),
    ("p0.0", None, None),
    ("p99.9", None, None),
    ("p100", None, None),
    ("tm90", None, None),
    ("wm98", None, None),
    ("tc0", None, None),
    ("ts100", None, None),
    ("IQM", None, None),
    ("TM(2%:98%)", None, "between 10 and 90"),
    ("TM(10%:90%)", None, None),
    ("TM(:95%)", None, "between 10 and 90"),
    ("TM(150:1000)", None, "between 10 and 90"),
    ("WM(10%:90%)", None, None),
    ("TC(10.5%:89.5%)", None, None),
    ("TS(90%:10%)", "lower bound", "lower bound"),
    ("PR(:300)", None, None),
    ("PR(100:2000)", None, None),
    ("PR(2000:100)", "lower bound", "lower bound"),
    ("PR(5%:10%)", "not percentages", "metric values"),
    ("TM(10%:90)", "both bounds", "between 10 and 90"),
    ("TM(:)", "expected TM", "between 10 and 90"),
    ("TM(0%:101%)", "between 0%", "between 10 and 90"),
    ("p101", "between 0 and 100", "between 0 and 100"),
    ("P95", "not a statistic", "not an alarm statistic"),
    ("avg", "not a statistic", "not an alarm statistic"),
    ("tm(10%:90%)", "not a statistic", "not an alarm statistic"),
]


@pytest.mark.parametrize(("stat", "anywhere", "in_alarm"), STATISTICS)
def test_statistics_as_cloudwatch_documents_them(
    stat: str, anywhere: str | None, in_alarm: str | None
) -> None:
    general = statistic_problem(stat)
    alarm = alarm_extended_statistic_problem(stat)

    assert (general is None) == (anywhere is None), general
    assert anywhere is None or anywhere in str(general)
    assert (alarm is None) == (in_alarm is None), alarm
    assert in_alarm is None or in_alarm in str(alarm)
