"""``alarms/*.yaml``: alarm rules, each with a severity or none (dashboard-only), and composite
alarms."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from sentinel.config.models.base import (
    AwsName,
    ForEach,
    MetricRef,
    Model,
    Name,
    Period,
    Placed,
    Statistic,
)
from sentinel.config.models.events import EventRule
from sentinel.config.models.log_metrics import LogMetric
from sentinel.config.units import ConditionExpr, Duration

_METRIC_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")


class Ratio(Model):
    """An error rate in percent: ``errors`` over ``total``, the rule's dimensions on both."""

    errors: MetricRef
    total: MetricRef


class AlarmRule(Placed):
    """A metric alarm: one metric (``metric``) or metric math (``expression`` + ``metrics``)."""

    name: Name
    aws_name: AwsName | None = Field(
        default=None, description="the alarm's full name; placeholders with for_each"
    )
    severity: str | None = Field(
        default=None, description="the tier it notifies; none: an alarm for dashboards only"
    )
    description: str | None = None
    runbook: str | None = Field(default=None, pattern=r"^https?://\S+$")
    namespace: str | None = None
    metric: str | None = None
    dimensions: dict[str, str] = {}
    statistic: Statistic | None = Field(default=None, description="Average, Sum, ... or p95")
    unit: str | None = None
    expression: str | None = Field(default=None, description="metric math over `metrics` ids")
    metrics: dict[str, MetricRef] = {}
    ratio: Ratio | None = Field(
        default=None, description="errors over total in percent, for a condition like > 5%"
    )
    label: str | None = Field(
        default=None, min_length=1, description="the expression's label; default: the rule name"
    )
    condition: ConditionExpr
    period: Period | None = Field(default=None, description="default from sentinel.yaml (5m)")
    for_: Duration | None = Field(default=None, alias="for", description="how long before alarm")
    datapoints_to_alarm: int | None = Field(default=None, ge=1)
    treat_missing: str | None = Field(
        default=None, pattern="^(breaching|notBreaching|ignore|missing)$"
    )
    for_each: ForEach | None = None
    tags: dict[str, str] = {}
    logs: LogMetric | None = Field(
        default=None, description="count the metric from a log group (a metric filter)"
    )

    @model_validator(mode="after")
    def _metric_or_expression(self) -> AlarmRule:
        if self.logs is not None:
            given = [k for k in ("namespace", "metric", "expression") if getattr(self, k)]
            if given or self.metrics or self.dimensions:
                raise ValueError(
                    "`logs` makes the rule's metric: leave out "
                    + ", ".join(f"`{k}`" for k in given or ["metrics", "dimensions"])
                )
            if self.for_each is not None:
                raise ValueError("`logs` counts one log group: it takes no for_each")
            if self.ratio is not None or self.condition.band is not None or self.condition.percent:
                raise ValueError(
                    "`logs` counts matching log events: its condition is a number of them, "
                    "not a ratio, a percentage or an anomaly band"
                )
            return self
        if self.ratio is not None:
            if self.metric or self.statistic or self.expression or self.metrics:
                raise ValueError(
                    "`ratio` is its own metric math: drop `metric`/`statistic`/`expression`/"
                    "`metrics`"
                )
            if self.condition.band is not None:
                raise ValueError("an anomaly band needs one metric, not a `ratio`")
            return self
        if self.condition.percent:
            raise ValueError(
                f"condition {str(self.condition)!r}: a percentage is only for a `ratio` "
                "(errors over total); write the number without %"
            )
        if self.condition.band is not None and self.expression is not None:
            raise ValueError(
                "an anomaly band needs one metric (`namespace` and `metric`), not metric math"
            )
        if self.expression is None:
            if not (self.metric and self.namespace):
                raise ValueError(
                    "an alarm needs `namespace` and `metric`, or `expression` and `metrics`"
                )
            if self.metrics:
                raise ValueError("`metrics` is only for metric math: add an `expression` over them")
        else:
            if self.metric or self.statistic:
                raise ValueError("use either `metric`/`statistic` or `expression`, not both")
            if not self.metrics:
                raise ValueError("`expression` needs `metrics`: the ids it computes with")
            bad = [key for key in self.metrics if not _METRIC_ID.match(key)]
            if bad:
                raise ValueError(f"metric id {bad[0]!r} must start with a lower-case letter")
        return self


class CompositeAlarm(Placed):
    """Alarm on a rule over other alarms: ``ALARM(a) AND NOT OK(b)``; names are rule names.

    With ``accounts:`` and ``regions:``, made in those places only: every alarm its rule names
    is made in each of them (``sentinel.config.checks_placement``).

    With ``for_each``, one composite per resource: the rule's templated alarms (the same
    ``for_each``) are that resource's alarms, the others the same for every composite.
    ``ALARM(any x)``, ``ALARM(all x)`` and ``count(ALARM(x)) >= 2`` aggregate every alarm of
    a templated rule ``x`` (``sentinel.config.composite_aggregates``).
    """

    name: Name
    aws_name: AwsName | None = Field(
        default=None, description="the alarm's full name; placeholders with for_each"
    )
    severity: str
    description: str | None = None
    runbook: str | None = Field(default=None, pattern=r"^https?://\S+$")
    rule: str = Field(
        description="ALARM(a) AND NOT OK(b); over a templated rule's alarms: ALARM(any x), "
        "ALARM(all x), count(ALARM(x)) >= 2 or >= 50%",
        examples=["ALARM(api-errors) AND ALARM(api-latency)", "count(ALARM(ecs-cpu-high)) >= 2"],
    )
    for_each: ForEach | None = Field(
        default=None,
        description="one composite per resource, over the alarms templated the same way",
    )
    tags: dict[str, str] = {}


class AlarmsFile(Model):
    alarms: list[AlarmRule] = []
    composites: list[CompositeAlarm] = []
    events: list[EventRule] = []
