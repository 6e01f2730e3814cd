"""AWS's documented limits that its service models do not carry, applied to requests.

The limits themselves (numbers, characters, the page each comes from) are data, in
``sentinel/data/aws_limits.yaml``; this module reads them once and knows which request field
each applies to. ``check_documented(service, operation, params)`` returns what AWS would refuse.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.aws.request_model import RequestProblem

LIMITS_FILE = "aws_limits.yaml"
Checker = Callable[[Mapping[str, Any]], list[RequestProblem]]


@cache
def limits() -> dict[str, dict[str, Any]]:
    """Every documented limit by name, as in the data file."""
    text = resources.files("sentinel").joinpath("data", LIMITS_FILE).read_text(encoding="utf-8")
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return loaded


def limit(name: str) -> dict[str, Any]:
    return limits()[name]


def documented_constraint_count() -> int:
    """How many bounds, character sets and choices the table holds (its doc and words aside)."""
    skip = {"doc", "evidence", "description"}
    total = 0
    for entry in limits().values():
        for key, value in entry.items():
            if key in skip:
                continue
            total += len(value) if isinstance(value, dict) else 1
    return total


# --- statistics --------------------------------------------------------------------------

_NUMBER = r"\d+(?:\.\d+)?"
_SHORT = re.compile(rf"(p|tm|wm|tc|ts)({_NUMBER})")
_FUNCTION = re.compile(r"(TM|WM|TC|TS|PR)\(([^()]*)\)")
_BOUND = re.compile(rf"(-?{_NUMBER})(%?)")


_WORDS = {1: "one", 2: "two"}


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def _in_range(number: str, low: float, high: float, decimals: int) -> bool:
    return low <= float(number) <= high and _decimals(number) <= decimals


def statistic_problem(stat: str) -> str | None:
    """Why ``stat`` is not a CloudWatch statistic (GetMetricData, dashboards), or None."""
    spec = limit("statistic")
    low, high = spec["percentile_range"]
    decimals = spec["max_decimals"]
    if stat in spec["standard"] or stat == "IQM":
        return None
    short = _SHORT.fullmatch(stat)
    if short:
        if _in_range(short.group(2), low, high, decimals):
            return None
        return (
            f"{stat!r}: the value must be between {low} and {high}, "
            f"with at most {decimals} decimals"
        )
    function = _FUNCTION.fullmatch(stat)
    if function is None:
        return (
            f"{stat!r} is not a statistic: expected {', '.join(spec['standard'])}, IQM, p95, "
            "tm90, wm90, tc90, ts90, TM(10%:90%), WM/TC/TS(a:b) or PR(a:b)"
        )
    name, arguments = function.groups()
    bounds = _bounds(arguments)
    if bounds is None:
        return (
            f"{stat!r}: expected {name}(lower:upper) with one or both bounds, like {name}(10%:90%)"
        )
    lower, upper = bounds
    percent = {b[1] for b in bounds if b is not None}
    if name == "PR" and "%" in percent:
        return f"{stat!r}: percentile rank bounds are metric values, not percentages"
    if len(percent) > 1:
        return f"{stat!r}: both bounds must be percentages or both values"
    if "%" in percent:
        for bound in (lower, upper):
            if bound is not None and not _in_range(bound[0], low, high, decimals):
                return f"{stat!r}: percentages must be between {low}% and {high}%"
    if lower is not None and upper is not None and float(lower[0]) >= float(upper[0]):
        return f"{stat!r}: the lower bound must be below the upper bound"
    return None


def alarm_extended_statistic_problem(stat: str) -> str | None:
    """Why ``stat`` is not an ExtendedStatistic PutMetricAlarm accepts, or None."""
    spec = limit("alarm_extended_statistic")
    low, high = spec["percentile_range"]
    bound_low, bound_high = spec["bound_percent_range"]
    decimals = spec["max_decimals"]
    if stat in limit("statistic")["standard"]:
        return f"{stat!r} is a standard statistic: it goes in Statistic, not ExtendedStatistic"
    if stat == "IQM":
        return None
    short = _SHORT.fullmatch(stat)
    if short:
        if _in_range(short.group(2), low, high, decimals):
            return None
        return f"{stat!r}: the value must be between {low} and {high}"
    function = _FUNCTION.fullmatch(stat)
    if function is None:
        return (
            f"{stat!r} is not an alarm statistic: expected p90, tm90, tc90, ts90, wm90, IQM, "
            "PR(n:m) or TM/TC/TS/WM(X%:X%)"
        )
    name, arguments = function.groups()
    bounds = _bounds(arguments)
    if name == "PR":
        if bounds is None or any(b is not None and b[1] for b in bounds):
            return f"{stat!r}: an alarm's percentile rank is PR(n:m) with metric values n and m"
        return statistic_problem(stat)
    wanted = f"{name}(X%:X%) with X between {bound_low} and {bound_high}"
    if bounds is None or any(b is None or not b[1] for b in bounds):
        return f"{stat!r}: an alarm takes {wanted}"
    lower, upper = bounds
    assert lower is not None and upper is not None
    for bound in (lower, upper):
        if not _in_range(bound[0], bound_low, bound_high, decimals):
            return f"{stat!r}: an alarm takes {wanted}"
    if float(lower[0]) >= float(upper[0]):
        return f"{stat!r}: the lower bound must be below the upper bound"
    return None


def _bounds(arguments: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None] | None:
    parts = arguments.split(":")
    if len(parts) != 2 or not any(part.strip() for part in parts):
        return None
    found: list[tuple[str, str] | None] = []
    for part in parts:
        part = part.strip()
        if not part:
            found.append(None)
            continue
        match = _BOUND.fullmatch(part)
        if match is None:
            return None
        found.append((match.group(1), match.group(2)))
    return found[0], found[1]


# --- metric math -------------------------------------------------------------------------

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def expression_problem(expression: str, ids: Iterable[str]) -> str | None:
    """Why a metric-math expression cannot run, or None: balance, quotes, unknown ids."""
    spec = limit("metric_math_expression")
    bare = _STRING.sub("''", expression)
    if "'" in bare.replace("''", "") or '"' in bare:
        return f"expression {expression!r} has an unclosed quote"
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        return f"expression {expression!r} has unbalanced parentheses"
    if bare.lstrip().upper().startswith("SELECT "):
        return None  # a Metrics Insights query names metrics, not query ids
    known = set(ids)
    reference = re.compile(rf"(?<![\w.]){spec['id_reference']}")
    unknown = sorted({name for name in reference.findall(bare) if name not in known})
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return (
            f"expression {expression!r} uses {', '.join(unknown)}, "
            f"which no query defines (ids: {listed}){hint}"
        )
    return None


# --- tags --------------------------------------------------------------------------------


def tag_problems(tags: Mapping[str, str], path: str, operation: str) -> list[RequestProblem]:
    """Tag keys, values and their number, as AWS's tagging rules allow them."""
    return [
        RequestProblem(operation, path, message)
        for message in _tag_messages(tuple(sorted(tags.items())))
    ]


@cache
def _tag_messages(tags: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    # Most resources of a project carry the same tags: each set is checked once.
    found: list[str] = []
    value_spec = limit("tag_value")
    most = limit("tags_per_resource")["max"]
    if len(tags) > most:
        found.append(f"has {len(tags)} tags; AWS allows at most {most}")
    for key, value in tags:
        problem = tag_key_problem(key)
        if problem:
            found.append(problem)
        if len(value) > value_spec["max_length"]:
            found.append(
                f"tag {key!r}: the value is {len(value)} characters; at most "
                f"{value_spec['max_length']} allowed"
            )
        elif not _tag_characters(value, value_spec["characters"]):
            found.append(
                f"tag {key!r}: the value may hold letters, digits, spaces and "
                f"{value_spec['characters']} only"
            )
    return tuple(found)


def tag_key_problem(key: str) -> str | None:
    spec = limit("tag_key")
    if not key or len(key) > spec["max_length"]:
        return f"tag key {key[:40]!r} is {len(key)} characters; 1 to {spec['max_length']} allowed"
    if key.lower().startswith(spec["reserved_prefix"]):
        return f"tag key {key!r}: the {spec['reserved_prefix']} prefix is reserved for AWS"
    if not _tag_characters(key, spec["characters"]):
        return f"tag key {key!r} may hold letters, digits, spaces and {spec['characters']} only"
    return None


@cache
def _tag_pattern(allowed: str) -> re.Pattern[str]:
    # Letters and digits of any script, white space, and the listed punctuation.
    return re.compile(rf"[^\W_]*(?:[\s{re.escape(allowed)}]+[^\W_]*)*")


def _tag_characters(text: str, allowed: str) -> bool:
    return _tag_pattern(allowed).fullmatch(text) is not None


def _tag_list(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t.get("Key")): str(t.get("Value", "")) for t in tags or [] if isinstance(t, dict)}


# --- per operation -----------------------------------------------------------------------


_CONTROL = re.compile("[\x00-\x1f\x7f]")  # ASCII control characters


def _name_problem(
    operation: str,
    path: str,
    value: Any,
    spec_name: str,
    params_attributes: Mapping[str, Any] | None = None,
) -> list[RequestProblem]:
    spec = limit(spec_name)
    if not isinstance(value, str):
        return []
    found = []
    name = value
    if spec.get("fifo_suffix") and name.endswith(spec["fifo_suffix"]):
        name = name[: -len(spec["fifo_suffix"])]
    if len(value) > spec["max_length"]:
        found.append(
            RequestProblem(
                operation, path, f"is {len(value)} characters; at most {spec['max_length']} allowed"
            )
        )
    fifo = (params_attributes or {}).get(spec.get("fifo_attribute", ""), "false") == "true"
    if spec.get("fifo_suffix") and value.endswith(spec["fifo_suffix"]) != fifo:
        found.append(
            RequestProblem(
                operation,
                path,
                f"{value!r}: a name ends in {spec['fifo_suffix']} exactly when "
                f"{spec['fifo_attribute']} is true",
            )
        )
    if "pattern" in spec and not re.fullmatch(spec["pattern"], name):
        found.append(RequestProblem(operation, path, f"{value!r}: {spec['description']}"))
    if spec.get("forbidden_characters") == "control" and _CONTROL.search(value):
        found.append(RequestProblem(operation, path, "must not hold ASCII control characters"))
    for text in spec.get("forbidden", []):
        if text in value:
            found.append(RequestProblem(operation, path, f"{value!r} must not contain {text!r}"))
    return found


def _actions(operation: str, params: Mapping[str, Any]) -> list[RequestProblem]:
    most = limit("alarm_actions_per_state")["max"]
    found = []
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        actions = params.get(key) or []
        if len(actions) > most:
            found.append(
                RequestProblem(
                    operation, key, f"has {len(actions)} actions; at most {most} a state"
                )
            )
    return found


def _period_problem(period: Any) -> str | None:
    spec = limit("alarm_period")
    if isinstance(period, int) and period not in spec["allowed"] and period % spec["multiple_of"]:
        allowed = ", ".join(str(p) for p in spec["allowed"])
        multiple = spec["multiple_of"]
        return f"{period}s is not a CloudWatch period: {allowed} or a multiple of {multiple}"
    return None


def _put_metric_alarm(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "PutMetricAlarm"
    found = _name_problem(operation, "AlarmName", params.get("AlarmName"), "alarm_name")
    found += _actions(operation, params)
    dimensions_max = limit("metric_dimensions")["max"]
    periods: list[int] = []
    if "Period" in params:
        problem = _period_problem(params["Period"])
        if problem:
            found.append(RequestProblem(operation, "Period", problem))
        periods.append(params["Period"])
    if len(params.get("Dimensions") or []) > dimensions_max:
        found.append(
            RequestProblem(operation, "Dimensions", f"more than {dimensions_max} dimensions")
        )
    extended = params.get("ExtendedStatistic")
    if isinstance(extended, str):
        problem = alarm_extended_statistic_problem(extended)
        if problem:
            found.append(RequestProblem(operation, "ExtendedStatistic", problem))
    metrics = params.get("Metrics") or []
    if metrics:
        found += _metric_queries(
            operation, metrics, periods, banded=bool(params.get("ThresholdMetricId"))
        )
    evaluation = params.get("EvaluationPeriods")
    if isinstance(evaluation, int) and periods and all(isinstance(p, int) for p in periods):
        spec = limit("alarm_evaluation_range")
        period = max(periods)
        most = spec["max_seconds"] if period >= 3600 else spec["sub_hour_max_seconds"]
        if period * evaluation > most:
            found.append(
                RequestProblem(
                    operation,
                    "EvaluationPeriods",
                    f"{evaluation} periods of {period}s cover {period * evaluation}s; "
                    f"{spec['description']}",
                )
            )
    found += tag_problems(_tag_list(params.get("Tags")), "Tags", operation)
    return found


def _metric_queries(
    operation: str, metrics: list[Any], periods: list[int], banded: bool = False
) -> list[RequestProblem]:
    found: list[RequestProblem] = []
    id_spec = limit("metric_math_id")
    most = limit("metric_math_metrics")["max"]
    dimensions_max = limit("metric_dimensions")["max"]
    queries = [q for q in metrics if isinstance(q, dict)]
    ids = [str(q.get("Id", "")) for q in queries]
    stats = [q for q in queries if q.get("MetricStat")]
    if len(stats) > most:
        found.append(
            RequestProblem(operation, "Metrics", f"uses {len(stats)} metrics; at most {most}")
        )
    returning = sum(1 for q in queries if q.get("ReturnData", True))
    # A band alarm compares its metric with its band: both return data.
    expected = limit("metric_math_band_return_data" if banded else "metric_math_return_data")
    if returning != expected["exactly"]:
        found.append(
            RequestProblem(
                operation,
                "Metrics",
                f"{returning} items return data; exactly {_WORDS[expected['exactly']]} must",
            )
        )
    for index, query in enumerate(queries):
        path = f"Metrics[{index}]"
        query_id = str(query.get("Id", ""))
        if not re.fullmatch(id_spec["pattern"], query_id):
            found.append(
                RequestProblem(operation, f"{path}.Id", f"{query_id!r}: {id_spec['description']}")
            )
        if ids.count(query_id) > 1 and ids.index(query_id) == index:
            found.append(RequestProblem(operation, f"{path}.Id", f"{query_id!r} is used twice"))
        expression = query.get("Expression")
        if isinstance(expression, str):
            problem = expression_problem(expression, [i for i in ids if i != query_id])
            if problem:
                found.append(RequestProblem(operation, f"{path}.Expression", problem))
        stat = query.get("MetricStat") or {}
        if isinstance(stat, dict) and stat:
            if isinstance(stat.get("Stat"), str):
                problem = statistic_problem(stat["Stat"])
                if problem:
                    found.append(RequestProblem(operation, f"{path}.MetricStat.Stat", problem))
            if "Period" in stat:
                problem = _period_problem(stat["Period"])
                if problem:
                    found.append(RequestProblem(operation, f"{path}.MetricStat.Period", problem))
                periods.append(stat["Period"])
            dimensions = (stat.get("Metric") or {}).get("Dimensions") or []
            if len(dimensions) > dimensions_max:
                found.append(
                    RequestProblem(
                        operation,
                        f"{path}.MetricStat.Metric.Dimensions",
                        f"more than {dimensions_max} dimensions",
                    )
                )
    return found


_RULE_FUNCTION = re.compile(r"\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(\"[^\"]*\"|[^)]*)\)")
# AT_LEAST(M, [NOT] STATE, (a, b, ...)): the list of alarms, whose members are child alarms too.
_AT_LEAST_LIST = re.compile(
    r"\bAT_LEAST\s*\([^,()]*,\s*(?:NOT\s+)?(?:ALARM|OK|INSUFFICIENT_DATA)\s*,\s*\(([^()]*)\)\s*\)"
)


def rule_children(rule: str) -> list[str]:
    """The child alarms a composite alarm's rule names, in order, a name as often as named."""
    children = [name.strip('"') for _, name in _RULE_FUNCTION.findall(rule)]
    for listed in _AT_LEAST_LIST.finditer(rule):
        children += [item.strip('"') for item in re.findall(r'"[^"]*"|[^\s,]+', listed.group(1))]
    return children


def _put_composite_alarm(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "PutCompositeAlarm"
    found = _name_problem(operation, "AlarmName", params.get("AlarmName"), "alarm_name")
    found += _actions(operation, params)
    rule = params.get("AlarmRule")
    if isinstance(rule, str):
        spec = limit("composite_rule")
        if len(rule) > spec["max_length"]:
            found.append(
                RequestProblem(
                    operation,
                    "AlarmRule",
                    f"is {len(rule)} characters; at most {spec['max_length']} allowed",
                )
            )
        children = rule_children(rule)
        if len(set(children)) > spec["max_alarms"]:
            found.append(
                RequestProblem(
                    operation,
                    "AlarmRule",
                    f"names {len(set(children))} alarms; at most {spec['max_alarms']} allowed",
                )
            )
        rest = _AT_LEAST_LIST.sub(" ( ) ", _RULE_FUNCTION.sub(" ", rule))
        elements = len(children) + rest.count("(") + rest.count(")")
        elements += len(re.findall(r"\b(TRUE|FALSE)\b", rest))
        if elements > spec["max_elements"]:
            found.append(
                RequestProblem(
                    operation,
                    "AlarmRule",
                    f"has {elements} elements; at most {spec['max_elements']} allowed",
                )
            )
    found += tag_problems(_tag_list(params.get("Tags")), "Tags", operation)
    return found


def _put_dashboard(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "PutDashboard"
    found = _name_problem(operation, "DashboardName", params.get("DashboardName"), "dashboard_name")
    body = params.get("DashboardBody")
    if isinstance(body, str):
        spec = limit("dashboard_body")
        size = len(body.encode("utf-8"))
        if size > spec["max_bytes"]:
            found.append(
                RequestProblem(
                    operation, "DashboardBody", f"is {size} bytes; at most {spec['max_bytes']}"
                )
            )
        try:
            document = json.loads(body)
        except ValueError:
            found.append(RequestProblem(operation, "DashboardBody", "is not JSON"))
            document = {}
        widgets = document.get("widgets", []) if isinstance(document, dict) else []
        if len(widgets) > spec["max_widgets"]:
            found.append(
                RequestProblem(
                    operation,
                    "DashboardBody",
                    f"has {len(widgets)} widgets; at most {spec['max_widgets']}",
                )
            )
        for index, widget in enumerate(widgets):
            found += _widget(operation, index, widget, spec["max_metrics_per_widget"])
    found += tag_problems(_tag_list(params.get("Tags")), "Tags", operation)
    return found


def _widget(operation: str, index: int, widget: Any, most: int) -> list[RequestProblem]:
    properties = widget.get("properties", {}) if isinstance(widget, dict) else {}
    path = f"DashboardBody widgets[{index}]"
    found = []
    metrics = properties.get("metrics") or []
    if len(metrics) > most:
        found.append(RequestProblem(operation, path, f"has {len(metrics)} metrics; at most {most}"))
    stats = [properties.get("stat")] + [
        row[-1].get("stat")
        for row in metrics
        if isinstance(row, list) and row and isinstance(row[-1], dict)
    ]
    for stat in stats:
        if isinstance(stat, str):
            problem = statistic_problem(stat)
            if problem:
                found.append(RequestProblem(operation, path, problem))
    return found


def _create_topic(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "CreateTopic"
    found = _name_problem(
        operation, "Name", params.get("Name"), "sns_topic_name", params.get("Attributes")
    )
    display = (params.get("Attributes") or {}).get("DisplayName")
    found += _display_name(operation, "Attributes.DisplayName", display)
    found += tag_problems(_tag_list(params.get("Tags")), "Tags", operation)
    return found


def _display_name(operation: str, path: str, value: Any) -> list[RequestProblem]:
    most = limit("sns_display_name")["max_length"]
    if isinstance(value, str) and len(value) > most:
        return [RequestProblem(operation, path, f"is {len(value)} characters; at most {most}")]
    return []


def _set_topic_attributes(params: Mapping[str, Any]) -> list[RequestProblem]:
    if params.get("AttributeName") == "DisplayName":
        return _display_name("SetTopicAttributes", "AttributeValue", params.get("AttributeValue"))
    return []


def _queue_attributes(operation: str, attributes: Any) -> list[RequestProblem]:
    spec = limit("sqs_queue_attributes")
    found = []
    for name, value in (attributes or {}).items():
        bounds = spec["ranges"].get(name)
        if bounds is not None:
            try:
                number = int(value)
            except (TypeError, ValueError):
                found.append(RequestProblem(operation, f"Attributes.{name}", "must be a number"))
                continue
            if not bounds[0] <= number <= bounds[1]:
                found.append(
                    RequestProblem(
                        operation,
                        f"Attributes.{name}",
                        f"is {number}; {bounds[0]} to {bounds[1]} allowed",
                    )
                )
        if name == "RedrivePolicy":
            low, high = spec["max_receive_count"]
            try:
                count = int(json.loads(value).get("maxReceiveCount"))
            except (TypeError, ValueError, AttributeError):
                count = None
            if count is None or not low <= count <= high:
                found.append(
                    RequestProblem(
                        operation,
                        "Attributes.RedrivePolicy",
                        f"maxReceiveCount must be {low} to {high}",
                    )
                )
    return found


def _create_queue(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "CreateQueue"
    found = _name_problem(
        operation, "QueueName", params.get("QueueName"), "sqs_queue_name", params.get("Attributes")
    )
    found += _queue_attributes(operation, params.get("Attributes"))
    found += tag_problems(_tag_list(params.get("tags")), "tags", operation)
    return found


def _budget(operation: str, path: str, budget: Any) -> list[RequestProblem]:
    if not isinstance(budget, dict):
        return []
    found = _name_problem(operation, f"{path}.BudgetName", budget.get("BudgetName"), "budget_name")
    unit = (budget.get("BudgetLimit") or {}).get("Unit")
    allowed = limit("budget_currencies")["allowed"]
    if budget.get("BudgetType") == "COST" and isinstance(unit, str) and unit not in allowed:
        found.append(
            RequestProblem(
                operation,
                f"{path}.BudgetLimit.Unit",
                f"AWS Budgets accepts {', '.join(allowed)} only for a cost budget, not {unit}",
            )
        )
    return found


def _subscribers(operation: str, path: str, subscribers: Any) -> list[RequestProblem]:
    spec = limit("budget_notifications")
    kinds = [s.get("SubscriptionType") for s in subscribers or [] if isinstance(s, dict)]
    found = []
    if kinds.count("SNS") > spec["max_sns_subscribers"]:
        found.append(
            RequestProblem(operation, path, f"at most {spec['max_sns_subscribers']} SNS topic")
        )
    if kinds.count("EMAIL") > spec["max_email_subscribers"]:
        found.append(
            RequestProblem(
                operation, path, f"at most {spec['max_email_subscribers']} email addresses"
            )
        )
    return found


def _create_budget(params: Mapping[str, Any]) -> list[RequestProblem]:
    operation = "CreateBudget"
    found = _budget(operation, "Budget", params.get("Budget"))
    notifications = params.get("NotificationsWithSubscribers") or []
    most = limit("budget_notifications")["max"]
    if len(notifications) > most:
        found.append(
            RequestProblem(
                operation,
                "NotificationsWithSubscribers",
                f"has {len(notifications)} notifications; AWS Budgets allows {most} a budget",
            )
        )
    for index, item in enumerate(notifications):
        if isinstance(item, dict):
            found += _subscribers(
                operation,
                f"NotificationsWithSubscribers[{index}].Subscribers",
                item.get("Subscribers"),
            )
    found += tag_problems(_tag_list(params.get("ResourceTags")), "ResourceTags", operation)
    return found


CHECKS: dict[tuple[str, str], Checker] = {
    ("cloudwatch", "PutMetricAlarm"): _put_metric_alarm,
    ("cloudwatch", "PutCompositeAlarm"): _put_composite_alarm,
    ("cloudwatch", "PutDashboard"): _put_dashboard,
    ("cloudwatch", "TagResource"): lambda p: tag_problems(
        _tag_list(p.get("Tags")), "Tags", "TagResource"
    ),
    ("sns", "CreateTopic"): _create_topic,
    ("sns", "SetTopicAttributes"): _set_topic_attributes,
    ("sns", "TagResource"): lambda p: tag_problems(_tag_list(p.get("Tags")), "Tags", "TagResource"),
    ("sqs", "CreateQueue"): _create_queue,
    ("sqs", "SetQueueAttributes"): lambda p: _queue_attributes(
        "SetQueueAttributes", p.get("Attributes")
    ),
    ("sqs", "TagQueue"): lambda p: tag_problems(_tag_list(p.get("Tags")), "Tags", "TagQueue"),
    ("budgets", "CreateBudget"): _create_budget,
    ("budgets", "UpdateBudget"): lambda p: _budget("UpdateBudget", "NewBudget", p.get("NewBudget")),
    ("budgets", "CreateNotification"): lambda p: _subscribers(
        "CreateNotification", "Subscribers", p.get("Subscribers")
    ),
    ("budgets", "TagResource"): lambda p: tag_problems(
        _tag_list(p.get("ResourceTags")), "ResourceTags", "TagResource"
    ),
}


def check_documented(
    service: str, operation: str, params: Mapping[str, Any]
) -> list[RequestProblem]:
    """What AWS's documented limits refuse in one request (none: nothing known to refuse)."""
    checker = CHECKS.get((service, operation))
    return checker(params) if checker else []
