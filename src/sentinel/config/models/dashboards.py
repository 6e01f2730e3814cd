"""``dashboards/*.yaml``: CloudWatch dashboards as rows of widgets on the 24-column grid."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sentinel.config.models.base import (
    AwsName,
    ForEach,
    MetricRef,
    Model,
    Name,
    Period,
    Placed,
    Region,
    Statistic,
)


class MetricLine(Model):
    """A line on a metric widget: a metric, or a math expression over other lines' ids."""

    namespace: str | None = None
    metric: str | None = None
    dimensions: dict[str, str] = {}
    stat: Statistic | None = None
    period: Period | None = None
    label: str | None = None
    id: str | None = Field(default=None, pattern=r"^[a-z][a-zA-Z0-9_]*$")
    expression: str | None = None
    visible: bool = True
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")

    @model_validator(mode="after")
    def _metric_or_expression(self) -> MetricLine:
        if (self.expression is None) == (self.metric is None):
            raise ValueError("a line has either `namespace` and `metric`, or an `expression`")
        if self.metric is not None and self.namespace is None:
            raise ValueError("a metric line needs `namespace`")
        return self


class YAxis(Model):
    min: float | None = None
    max: float | None = None
    label: str | None = None


class Annotation(Model):
    value: float
    label: str | None = None
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class _Widget(Model):
    width: int | None = Field(default=None, ge=1, le=24)
    height: int | None = Field(default=None, ge=1, le=1000)


class MetricWidget(_Widget):
    type: Literal["metric"]
    title: str
    view: Literal["line", "stacked", "number", "bar", "pie"] = "line"
    metrics: list[MetricLine] = Field(min_length=1)
    stat: Statistic | None = None
    period: Period | None = None
    region: Region | None = None
    y_axis: YAxis | None = None
    annotations: list[Annotation] = []
    for_each: ForEach | None = Field(default=None, description="repeat the lines per resource")


class TextWidget(_Widget):
    type: Literal["text"]
    markdown: str


class AlarmStatusWidget(_Widget):
    type: Literal["alarms"]
    title: str
    severity: str | None = Field(default=None, description="every alarm of this severity")
    alarms: list[str] = Field(default=[], description="alarm rule names")

    @model_validator(mode="after")
    def _has_alarms(self) -> AlarmStatusWidget:
        if not self.severity and not self.alarms:
            raise ValueError("an alarm status widget needs `severity` or `alarms`")
        return self


# GetQueryResults' logGroupName (botocore's logs model), with {placeholders} of a template row.
_LOG_GROUP = r"^[\.\-_/#A-Za-z0-9{}:]+$"


class LogsWidget(_Widget):
    type: Literal["logs"]
    title: str
    query: str = Field(pattern=r"\S", max_length=10000, description="a Logs Insights query")
    log_groups: list[Annotated[str, Field(pattern=_LOG_GROUP, max_length=512)]] = Field(
        min_length=1
    )
    view: Literal["table", "line", "bar", "stacked"] = "table"
    region: Region | None = None


class RawWidget(_Widget):
    """A CloudWatch widget with no YAML form, its properties as CloudWatch holds them."""

    type: Literal["raw"]
    widget: str = Field(description="CloudWatch widget type, e.g. explorer, metric")
    properties: dict[str, Any] = {}


Widget = Annotated[
    MetricWidget | TextWidget | AlarmStatusWidget | LogsWidget | RawWidget,
    Field(discriminator="type"),
]


class Row(Model):
    widgets: list[Widget] = Field(min_length=1)
    height: int | None = Field(default=None, ge=1, le=1000)
    for_each: ForEach | None = Field(default=None, description="repeat the row per resource")


class Dashboard(Placed):
    name: Name
    aws_name: AwsName | None = Field(default=None, description="the dashboard's full name")
    title: str | None = None
    period: Period | None = None
    rows: list[Row] = Field(min_length=1)


class DashboardsFile(Model):
    dashboards: list[Dashboard] = []


__all__ = ["Dashboard", "DashboardsFile", "MetricRef", "MetricWidget", "Row", "Widget"]
