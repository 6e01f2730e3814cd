"""CloudWatch metric alarms: one per rule, or one per discovered resource for a template.

Desired and actual states are normalised by the same rules (numbers as floats, dimensions and
actions sorted, AWS's defaults filled in) so that an applied alarm compares equal to its rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sentinel.config.models.base import is_extended_statistic
from sentinel.sync.alarm_names import alarm_arn, alarm_name_of, explicit_alarm_names
from sentinel.sync.kind import Kind
from sentinel.sync.metric_filters import log_metric
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key, tag_list
from sentinel.sync.templates import expand, fill, fill_mapping

if TYPE_CHECKING:
    from sentinel.config.models import AlarmRule, MetricRef
    from sentinel.inventory import Resource
    from sentinel.sync.context import SyncContext

KIND = "alarm"
PAGE_SIZE = 100  # DescribeAlarms' maximum
NAMES_PER_REQUEST = 100  # DescribeAlarms' AlarmNames maximum
DESCRIPTION_LIMIT = 1024
DEFAULT_TREAT_MISSING = "missing"
EXPRESSION_ID = "e1"
BAND_ID = "ad1"
BAND_METRIC_ID = "m1"
# No traffic is no error: without requests the rate has no datapoint (treat_missing decides),
# rather than a division by zero or a 0 % that hides a dead service.
RATIO_EXPRESSION = "IF(total > 0, 100 * FILL(errors, 0) / total)"


def describe_alarms(ctx: SyncContext, alarm_type: str) -> list[dict[str, Any]]:
    """The project's alarms of one type, 100 a page, following NextToken to the end: those of
    the project prefix, then those the config names outside it (``aws_name``), 100 names a
    request. An alarm outside the prefix that the config does not name is never read. Once a
    plan: the alarms kind and the anomaly detectors' (which the alarms use) share the read."""
    return ctx.read_once(
        ("describe_alarms", alarm_type), lambda: list(_project_alarms(ctx, alarm_type))
    )


def _project_alarms(ctx: SyncContext, alarm_type: str) -> Iterator[dict[str, Any]]:
    yield from _describe_pages(ctx, {"AlarmNamePrefix": ctx.prefix}, alarm_type)
    explicit = explicit_alarm_names(ctx, composites=alarm_type == "CompositeAlarm")
    for start in range(0, len(explicit), NAMES_PER_REQUEST):
        batch = explicit[start : start + NAMES_PER_REQUEST]
        yield from _describe_pages(ctx, {"AlarmNames": batch}, alarm_type)


def _describe_pages(
    ctx: SyncContext, selection: dict[str, Any], alarm_type: str
) -> Iterator[dict[str, Any]]:
    return alarm_pages(ctx.client("cloudwatch"), alarm_type, selection)


def alarm_pages(
    cloudwatch: Any, alarm_type: str, selection: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Alarms of one type matching ``selection`` (a prefix, names, or nothing: all of them),
    100 a page, following NextToken to the end."""
    result_key = "MetricAlarms" if alarm_type == "MetricAlarm" else "CompositeAlarms"
    for page in describe_pages(cloudwatch, [alarm_type], selection):
        yield from page.get(result_key, [])


def describe_pages(
    cloudwatch: Any, alarm_types: list[str], selection: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Every DescribeAlarms page of ``alarm_types`` matching ``selection``, 100 alarms a page."""
    request: dict[str, Any] = {**selection, "AlarmTypes": alarm_types, "MaxRecords": PAGE_SIZE}
    while True:
        page = cloudwatch.describe_alarms(**request)
        yield page
        token = page.get("NextToken")
        if not token:
            return
        request["NextToken"] = token


def actions_of(
    ctx: SyncContext, severity: str | None, topic_arn: str | None = None
) -> dict[str, list[str]]:
    """Alarm, OK and insufficient-data actions of a severity tier: its topic, as configured
    (``topic_arn``: the tier's topic in another region, for an alarm that lives there); none
    for an alarm without a severity (dashboard-only)."""
    routing = ctx.config.routing
    tier = routing.severities.get(severity) if routing and severity else None
    if tier is None or severity is None:
        return {"alarm_actions": [], "ok_actions": [], "insufficient_data_actions": []}
    topic = [topic_arn or ctx.topic_arn(severity)]
    return {
        "alarm_actions": topic,
        "ok_actions": topic if tier.ok_actions else [],
        "insufficient_data_actions": topic if tier.insufficient_data_actions else [],
    }


def alarm_description(description: str | None, runbook: str | None) -> str:
    """The rule's description, then its runbook link, within CloudWatch's 1,024 characters."""
    text = (description or "").strip()
    tail = ""
    if runbook:
        tail = f"Runbook: {runbook}"
        if text:
            tail = (" " if text[-1] in ".!?" else ". ") + tail
    if len(text) + len(tail) > DESCRIPTION_LIMIT:
        # Keep the runbook link whole: it is the part a responder needs.
        text = text[: DESCRIPTION_LIMIT - len(tail) - 3].rstrip() + "..."
    return text + tail


def evaluation_periods(ctx: SyncContext, rule: AlarmRule) -> tuple[int, int]:
    """(period, evaluation periods): ``for`` over the period, one period when unset."""
    defaults = ctx.config.project.defaults.alarms
    period = rule.period or defaults.period
    window = rule.for_ if rule.for_ is not None else defaults.for_
    return period, max(1, math.ceil(window / period)) if window else 1


class Alarms(Kind):
    name = KIND
    label = "CloudWatch alarms"
    reads = ("cloudwatch:DescribeAlarms", "tag:GetResources")
    writes = ("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DeleteAlarms")

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for rule in ctx.config.alarms:
            source = ctx.config.source("alarm", rule.name)
            if rule.for_each is None:
                states.append(self._state(ctx, rule, None, source))
                continue
            for resource in expand(rule.for_each, ctx.inventory, ctx.region):
                states.append(self._state(ctx, rule, resource, source))
        return states

    def _state(
        self, ctx: SyncContext, rule: AlarmRule, resource: Resource | None, source: str
    ) -> State:
        name = alarm_name_of(ctx.project, rule, resource, source)
        period, periods = evaluation_periods(ctx, rule)
        params: dict[str, Any] = {
            "AlarmName": name,
            "AlarmDescription": alarm_description(
                fill(rule.description, resource, source) if rule.description else None,
                rule.runbook,
            ),
            "ActionsEnabled": True,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": rule.datapoints_to_alarm or periods,
            "Threshold": float(rule.condition.threshold),
            "ComparisonOperator": rule.condition.operator,
            "TreatMissingData": rule.treat_missing
            or ctx.config.project.defaults.alarms.treat_missing,
        }
        actions = actions_of(ctx, rule.severity)
        params["AlarmActions"] = actions["alarm_actions"]
        params["OKActions"] = actions["ok_actions"]
        params["InsufficientDataActions"] = actions["insufficient_data_actions"]
        if rule.logs is not None:
            # The metric of the rule's metric filter (sync/metric_filters.py), summed.
            namespace, metric = log_metric(ctx.project, rule)
            params.update(Namespace=namespace, MetricName=metric, Dimensions=[], Period=period)
            params["Statistic"] = rule.statistic or "Sum"
        elif rule.condition.band is not None:
            del params["Threshold"]
            params["ThresholdMetricId"] = BAND_ID
            params["Metrics"] = band_queries(rule, resource, source, period)
        elif rule.ratio is not None:
            params["Metrics"] = _ratio(rule, resource, source, period)
        elif rule.expression is None:
            assert rule.metric is not None and rule.namespace is not None
            statistic = rule.statistic or "Average"
            params.update(
                Namespace=rule.namespace,
                MetricName=rule.metric,
                Dimensions=_dimensions(fill_mapping(rule.dimensions, resource, source)),
                Period=period,
            )
            if is_extended_statistic(statistic):
                params["ExtendedStatistic"] = statistic
            else:
                params["Statistic"] = statistic
            if rule.unit:
                params["Unit"] = rule.unit
        else:
            params["Metrics"] = _metric_math(rule, resource, source, period)
        tags = {**ctx.tags, **rule.tags}
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        return State(KIND, name, normalise_alarm(params), source=source, payload={"params": params})

    def actual(self, ctx: SyncContext) -> list[State]:
        return [
            State(KIND, alarm["AlarmName"], normalise_alarm(alarm), arn=alarm.get("AlarmArn"))
            for alarm in describe_alarms(ctx, "MetricAlarm")
        ]

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").put_metric_alarm(**state.payload["params"])

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        # PutMetricAlarm ignores Tags when the alarm exists: tag it separately.
        params = desired.payload["params"]
        cloudwatch = ctx.client("cloudwatch")
        cloudwatch.put_metric_alarm(**params)
        if actual.arn:
            cloudwatch.tag_resource(ResourceARN=actual.arn, Tags=params["Tags"])

    def delete(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").delete_alarms(AlarmNames=[state.key])

    def adopt(self, ctx: SyncContext, state: State) -> None:
        tag_alarm(ctx, state)


def tag_alarm(ctx: SyncContext, state: State) -> None:
    """The project's tags on an alarm (metric or composite), and nothing else."""
    arn = state.arn or alarm_arn(ctx, state.key)
    ctx.client("cloudwatch").tag_resource(ResourceARN=arn, Tags=tag_list(ctx.tags))


def _dimensions(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in sorted(values.items())]


def band_metric(
    rule: AlarmRule, resource: Resource | None, source: str, period: int
) -> dict[str, Any]:
    """The MetricStat a band alarm watches; its anomaly detector models the same metric."""
    assert rule.metric is not None and rule.namespace is not None
    stat: dict[str, Any] = {
        "Metric": {
            "Namespace": rule.namespace,
            "MetricName": rule.metric,
            "Dimensions": _dimensions(fill_mapping(rule.dimensions, resource, source)),
        },
        "Period": period,
        "Stat": rule.statistic or "Average",
    }
    if rule.unit:
        stat["Unit"] = rule.unit
    return stat


def band_queries(
    rule: AlarmRule, resource: Resource | None, source: str, period: int
) -> list[dict[str, Any]]:
    """``Metrics=`` of a band alarm: the metric and its band, both returned, as AWS requires."""
    assert rule.condition.band is not None
    return [
        {
            "Id": BAND_METRIC_ID,
            "MetricStat": band_metric(rule, resource, source, period),
            "ReturnData": True,
        },
        {
            "Id": BAND_ID,
            "Expression": f"ANOMALY_DETECTION_BAND({BAND_METRIC_ID}, {rule.condition.band:g})",
            "Label": rule.label or rule.name,
            "ReturnData": True,
        },
    ]


def _ratio(
    rule: AlarmRule, resource: Resource | None, source: str, period: int
) -> list[dict[str, Any]]:
    """``Metrics=`` of an error rate: errors over total in percent, the rule's dimensions
    shared by both (a metric's own dimensions add to them)."""
    assert rule.ratio is not None
    queries: list[dict[str, Any]] = [
        {
            "Id": EXPRESSION_ID,
            "Expression": RATIO_EXPRESSION,
            "Label": rule.label or rule.name,
            "ReturnData": True,
        }
    ]
    for metric_id, ref in (("errors", rule.ratio.errors), ("total", rule.ratio.total)):
        dimensions = {**rule.dimensions, **ref.dimensions}
        queries.append(_metric_query(metric_id, ref, dimensions, resource, source, period))
    return queries


def _metric_math(
    rule: AlarmRule, resource: Resource | None, source: str, period: int
) -> list[dict[str, Any]]:
    """``Metrics=``: the expression returns the data, each metric it uses does not."""
    assert rule.expression is not None
    expression_id = EXPRESSION_ID
    while expression_id in rule.metrics:
        expression_id = f"{expression_id}_"
    queries: list[dict[str, Any]] = [
        {
            "Id": expression_id,
            "Expression": rule.expression,
            "Label": rule.label or rule.name,
            "ReturnData": True,
        }
    ]
    for metric_id, ref in sorted(rule.metrics.items()):
        queries.append(_metric_query(metric_id, ref, ref.dimensions, resource, source, period))
    return queries


def _metric_query(
    metric_id: str,
    ref: MetricRef,
    dimensions: Mapping[str, str],
    resource: Resource | None,
    source: str,
    period: int,
) -> dict[str, Any]:
    """One metric an expression uses: it returns no data of its own."""
    stat: dict[str, Any] = {
        "Metric": {
            "Namespace": ref.namespace,
            "MetricName": ref.metric,
            "Dimensions": _dimensions(fill_mapping(dict(dimensions), resource, source)),
        },
        "Period": ref.period or period,
        "Stat": ref.stat,
    }
    query: dict[str, Any] = {"Id": metric_id, "MetricStat": stat, "ReturnData": False}
    if ref.label:
        query["Label"] = fill(ref.label, resource, source)
    return query


def normalise_alarm(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """PutMetricAlarm parameters or a DescribeAlarms entry -> the fields a plan compares."""
    periods = int(alarm.get("EvaluationPeriods") or 1)
    fields: dict[str, Any] = {
        "description": alarm.get("AlarmDescription") or "",
        "actions_enabled": bool(alarm.get("ActionsEnabled", True)),
    }
    metrics = alarm.get("Metrics") or []
    if metrics:
        fields["metrics"] = {str(q["Id"]): _normalise_query(q) for q in metrics}
    else:
        fields.update(
            namespace=alarm.get("Namespace"),
            metric=alarm.get("MetricName"),
            dimensions={d["Name"]: str(d["Value"]) for d in alarm.get("Dimensions") or []},
            statistic=alarm.get("ExtendedStatistic") or alarm.get("Statistic"),
            period=int(alarm.get("Period") or 0),
        )
        if alarm.get("Unit"):
            fields["unit"] = alarm["Unit"]
    fields.update(
        comparison=alarm.get("ComparisonOperator"),
        threshold=float(alarm.get("Threshold") or 0.0),
    )
    if alarm.get("ThresholdMetricId"):
        fields["threshold_metric_id"] = alarm["ThresholdMetricId"]
    fields.update(
        evaluation_periods=periods,
        datapoints_to_alarm=int(alarm.get("DatapointsToAlarm") or periods),
        treat_missing=alarm.get("TreatMissingData") or DEFAULT_TREAT_MISSING,
        alarm_actions=sorted(alarm.get("AlarmActions") or []),
        ok_actions=sorted(alarm.get("OKActions") or []),
        insufficient_data_actions=sorted(alarm.get("InsufficientDataActions") or []),
    )
    return fields


def _normalise_query(query: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"return_data": bool(query.get("ReturnData", True))}
    if query.get("Expression"):
        fields["expression"] = query["Expression"]
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric", {})
        fields.update(
            namespace=metric.get("Namespace"),
            metric=metric.get("MetricName"),
            dimensions={d["Name"]: str(d["Value"]) for d in metric.get("Dimensions") or []},
            stat=stat.get("Stat"),
            period=int(stat.get("Period") or 0),
        )
        if stat.get("Unit"):
            fields["unit"] = stat["Unit"]
    if query.get("Label"):
        fields["label"] = query["Label"]
    if query.get("Period"):
        fields["period"] = int(query["Period"])
    return fields
