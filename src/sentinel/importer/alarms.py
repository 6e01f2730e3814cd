"""Metric alarms as alarm rules: the fields of one alarm, as a rule with no name yet.

The reverse of sentinel.sync.alarms: a rule written from these fields plans to the same
normalised alarm. What a rule cannot say (disabled actions, anomaly-detection thresholds,
actions that are not a severity's topic, a metric-math label other than the rule's name) is
refused with the reason, and the alarm is listed as not represented.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sentinel.config.models.base import STANDARD_STATISTICS
from sentinel.config.units import SYMBOLS, format_duration
from sentinel.sync.alarms import EXPRESSION_ID, alarm_description

RUNBOOK = "Runbook: "


class Unrepresentable(Exception):
    """An alarm (or composite, dashboard, budget) no config can reproduce; the reason."""


@dataclass(frozen=True)
class AlarmDefaults:
    period: int = 300
    treat_missing: str = "missing"
    for_: int | None = None


def choose_defaults(alarms: list[dict[str, Any]]) -> AlarmDefaults:
    """The most common period and treat_missing, so that most rules need neither."""
    periods = Counter(int(a["Period"]) for a in alarms if a.get("Period"))
    missing = Counter(a.get("TreatMissingData") or "missing" for a in alarms)
    return AlarmDefaults(
        period=periods.most_common(1)[0][0] if periods else 300,
        treat_missing=missing.most_common(1)[0][0] if missing else "missing",
    )


def number_text(value: float) -> str:
    """A threshold as the config writes it: ``90``, ``0.5``, ``10737418240``, never ``1e10``."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def split_description(text: str) -> tuple[str | None, str | None]:
    """(description, runbook) whose alarm description is ``text`` exactly."""
    head, found, runbook = text.rpartition(RUNBOOK)
    if found and runbook and " " not in runbook and runbook.startswith(("http://", "https://")):
        for cut in (". ", " "):
            if head.endswith(cut):
                description = head[: -len(cut)]
                if alarm_description(description, runbook) == text:
                    return description or None, runbook
        if not head and alarm_description(None, runbook) == text:
            return None, runbook
    if alarm_description(text, None) == text:
        return text or None, None
    raise Unrepresentable("its description has leading or trailing spaces")


def describe_fields(description: str) -> dict[str, Any]:
    text, runbook = split_description(description)
    fields: dict[str, Any] = {}
    if text is not None:
        fields["description"] = text
    if runbook is not None:
        fields["runbook"] = runbook
    return fields


def rule_fields(alarm: dict[str, Any], defaults: AlarmDefaults) -> dict[str, Any]:
    """The rule's fields but for name, severity and for_each, in the order people write them."""
    if not alarm.get("ActionsEnabled", True):
        raise Unrepresentable("its actions are disabled; Sentinel's alarms always act")
    if alarm.get("ThresholdMetricId"):
        raise Unrepresentable("an anomaly-detection band has no alarm rule form")
    operator = alarm.get("ComparisonOperator")
    if operator not in SYMBOLS:
        raise Unrepresentable(f"comparison {operator} has no condition form")
    if alarm.get("EvaluateLowSampleCountPercentile"):
        raise Unrepresentable("EvaluateLowSampleCountPercentile has no alarm rule field")
    fields = describe_fields(alarm.get("AlarmDescription") or "")
    metrics = alarm.get("Metrics") or []
    if metrics:
        period = _metric_math(metrics, fields)
    else:
        period = int(alarm.get("Period") or 0)
        fields["namespace"] = alarm["Namespace"]
        fields["metric"] = alarm["MetricName"]
        dimensions = {d["Name"]: str(d["Value"]) for d in alarm.get("Dimensions") or []}
        if dimensions:
            fields["dimensions"] = dimensions
        statistic = alarm.get("ExtendedStatistic") or alarm.get("Statistic") or "Average"
        if statistic != "Average":
            fields["statistic"] = statistic
        if alarm.get("Unit"):
            fields["unit"] = alarm["Unit"]
    fields["condition"] = f"{SYMBOLS[operator]} {number_text(alarm.get('Threshold') or 0.0)}"
    periods = int(alarm.get("EvaluationPeriods") or 1)
    if period != defaults.period:
        fields["period"] = format_duration(period)
    default_periods = -(-defaults.for_ // period) if defaults.for_ else 1
    if periods != default_periods:
        fields["for"] = format_duration(period * periods)
    datapoints = int(alarm.get("DatapointsToAlarm") or periods)
    if datapoints != periods:
        fields["datapoints_to_alarm"] = datapoints
    treat_missing = alarm.get("TreatMissingData") or "missing"
    if treat_missing != defaults.treat_missing:
        fields["treat_missing"] = treat_missing
    return fields


def expression_label(alarm: dict[str, Any]) -> str | None:
    """The label of a metric-math alarm's expression: Sentinel labels it with the rule name."""
    for query in alarm.get("Metrics") or []:
        if query.get("Expression"):
            return str(query.get("Label") or "")
    return None


def _metric_math(queries: list[dict[str, Any]], fields: dict[str, Any]) -> int:
    expressions = [q for q in queries if q.get("Expression")]
    stats = [q for q in queries if not q.get("Expression")]
    if len(expressions) != 1 or not expressions[0].get("ReturnData", True):
        raise Unrepresentable("metric math with more than one expression, or none returning data")
    expression = expressions[0]
    ids = {str(q["Id"]) for q in stats}
    wanted_id = EXPRESSION_ID
    while wanted_id in ids:
        wanted_id = f"{wanted_id}_"
    if not expression.get("Label"):
        raise Unrepresentable("its expression has no label; Sentinel always writes one")
    if expression["Id"] != wanted_id or expression.get("Period"):
        raise Unrepresentable(
            f"its expression's id is {expression['Id']!r}; Sentinel writes {wanted_id!r}"
        )
    refs: dict[str, dict[str, Any]] = {}
    periods = Counter(int(q.get("MetricStat", {}).get("Period") or 0) for q in stats)
    period = periods.most_common(1)[0][0] if periods else 0
    for query in sorted(stats, key=lambda q: str(q["Id"])):
        stat = query.get("MetricStat")
        if not stat or query.get("ReturnData", True) or query.get("AccountId"):
            raise Unrepresentable(f"metric query {query['Id']!r} has no metric rule form")
        if stat.get("Unit"):
            raise Unrepresentable(f"metric query {query['Id']!r} has a unit")
        metric = stat["Metric"]
        ref: dict[str, Any] = {"namespace": metric["Namespace"], "metric": metric["MetricName"]}
        dimensions = {d["Name"]: str(d["Value"]) for d in metric.get("Dimensions") or []}
        if dimensions:
            ref["dimensions"] = dimensions
        ref["stat"] = stat["Stat"]
        if int(stat.get("Period") or 0) != period:
            ref["period"] = format_duration(int(stat["Period"]))
        if query.get("Label"):
            ref["label"] = query["Label"]
        refs[str(query["Id"])] = ref
    fields["expression"] = expression["Expression"]
    fields["metrics"] = refs
    return period


def is_percentile(statistic: str) -> bool:
    return statistic not in STANDARD_STATISTICS
