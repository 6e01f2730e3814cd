"""``monitors/*.yaml``: what the daemon watches: SLOs, cost report, anomalies, right-sizing."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, Field, model_validator

from sentinel.config.models.base import ForEach, MetricRef, Model, Name, Placed
from sentinel.config.models.cost_exports import CurExport
from sentinel.config.models.log_groups import LogGroups
from sentinel.config.models.routing import Slack
from sentinel.config.models.uptime import UptimeCheck, UptimeDefaults
from sentinel.config.models.weekly_report import WeeklyReport
from sentinel.config.units import Duration, Latency, MoneyAmount, Objective, Percent

_CRON_FIELDS = (
    ("minute", "minute"),
    ("hour", "hour"),
    ("day", "day"),
    ("month", "month"),
    ("weekday", "day_of_week"),
)
_OUT_OF_RANGE = re.compile(r"(higher|lower) than the (maximum|minimum) value \((\d+)\)")


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_weekdays(field: str) -> str:
    """Crontab weekdays (0 and 7 are Sunday) as names, which APScheduler reads unambiguously.

    APScheduler 3 numbers weekdays from Monday = 0, so a crontab ``1`` (Monday) given to it as a
    number would run on Tuesday. Names mean the same to both.
    """
    items: list[str] = []
    for item in field.split(","):
        base, slash, step = item.partition("/")
        if base == "*" and slash:
            items.extend(_DAY_NAMES[day] for day in range(0, 7, int(step)) if step.isdigit())
            continue
        first, dash, last = base.partition("-")
        if not (first.isdigit() and (not dash or last.isdigit())) or slash:
            items.append(item)  # names, '*', or a form the validator will explain
            continue
        start, end = int(first), int(last) if dash else int(first)
        if not dash:
            items.append(_DAY_NAMES[start] if start <= 7 else item)
        elif start == 0 and end >= 1:
            items.extend(["sun", f"mon-{_DAY_NAMES[end]}" if end > 1 else "mon"])
        elif end <= 7 and start <= end:
            items.append(f"{_DAY_NAMES[start]}-{_DAY_NAMES[end]}")
        else:
            items.append(item)
    return ",".join(dict.fromkeys(items))


def _check_cron(value: str) -> str:
    """A crontab line; the message names the field that is wrong. Weekdays become names."""
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"invalid schedule {value!r}: expected five fields, minute hour day month weekday, "
            "like '0 9 * * *'"
        )
    fields[4] = crontab_weekdays(fields[4])
    for text, (label, keyword) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            CronTrigger(**{keyword: text})
        except ValueError as exc:
            bound = _OUT_OF_RANGE.search(str(exc))
            why = f"{bound.group(2)} is {bound.group(3)}" if bound else str(exc).rstrip(".").lower()
            raise ValueError(f"invalid schedule {value!r}: {label} {text!r}: {why}") from None
    return " ".join(fields)


Cron = Annotated[str, AfterValidator(_check_cron)]


class AvailabilitySli(Model):
    """Request-based: errors/total or good/total."""

    errors: MetricRef | None = None
    good: MetricRef | None = None
    total: MetricRef

    @model_validator(mode="after")
    def _errors_or_good(self) -> AvailabilitySli:
        if (self.errors is None) == (self.good is None):
            raise ValueError("availability needs exactly one of `errors` or `good`, and `total`")
        return self


LatencyUnit = Literal["ms", "s"]
_LATENCY_UNIT_FACTOR = {"ms": 1000.0, "s": 1.0}


@cache
def _latency_units() -> dict[tuple[str, str], str]:
    text = resources.files("sentinel").joinpath("data", "latency_units.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return {(ns, metric): unit for ns, metrics in raw.items() for metric, unit in metrics.items()}


def latency_unit(namespace: str, metric: str) -> LatencyUnit | None:
    """The unit AWS publishes a latency metric in (API Gateway ``Latency``: ms), if known."""
    unit = _latency_units().get((namespace, metric))
    return "ms" if unit == "ms" else "s" if unit == "s" else None


class LatencySli(Model):
    """Share of requests at or under ``threshold``, or a period-based percentile.

    ``threshold`` is written with its unit (``200ms``, ``2s``); ``unit`` is the unit the metric
    is published in (ALB ``TargetResponseTime`` in seconds, API Gateway ``Latency`` and Lambda
    ``Duration`` in milliseconds), known for AWS's metrics and required for any other.
    """

    metric: MetricRef
    threshold: Latency
    unit: LatencyUnit | None = Field(
        default=None, description="unit of the metric's values: ms or s (AWS metrics: inferred)"
    )
    percentile: str | None = Field(
        default=None, pattern=r"^p\d{1,2}(\.\d+)?$", description="period-based, e.g. p95"
    )
    total: MetricRef | None = Field(default=None, description="request count, for weighting")

    @model_validator(mode="after")
    def _unit_known(self) -> LatencySli:
        if self.unit is None and latency_unit(self.metric.namespace, self.metric.metric) is None:
            raise ValueError(
                f"the unit of {self.metric.namespace} {self.metric.metric} is not known: "
                "add `unit: ms` or `unit: s` (the unit the metric's values are in)"
            )
        return self

    @property
    def metric_unit(self) -> LatencyUnit:
        inferred = latency_unit(self.metric.namespace, self.metric.metric)
        unit = self.unit or inferred
        assert unit is not None  # checked on load
        return unit

    @property
    def metric_threshold(self) -> float:
        """The threshold in the metric's unit: 200ms is 0.2 for ALB, 200 for API Gateway."""
        return round(self.threshold * _LATENCY_UNIT_FACTOR[self.metric_unit], 9)


class SloAlerting(Model):
    page: str | None = Field(default=None, description="severity for fast burn")
    ticket: str | None = Field(default=None, description="severity for slow burn")
    min_requests: int = Field(default=0, ge=0, description="no page below this many requests")


class Slo(Placed):
    name: Name
    service: str | None = None
    description: str | None = None
    objective: Objective
    window: Literal["7d", "28d", "30d"] = "30d"
    availability: AvailabilitySli | None = None
    latency: LatencySli | None = None
    alerting: SloAlerting | None = None
    for_each: ForEach | None = Field(
        default=None, description="one SLO per discovered resource, named <name>-<resource id>"
    )

    @model_validator(mode="after")
    def _one_sli(self) -> Slo:
        if (self.availability is None) == (self.latency is None):
            raise ValueError("an SLO measures exactly one of `availability` or `latency`")
        return self


EmailAddress = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]


class ReportTargets(Model):
    """Where a report goes besides Slack: email addresses (SES), a severity's SNS topic."""

    email: list[EmailAddress] = Field(default=[], description="addresses mailed through SES")
    severity: str | None = Field(
        default=None, description="a severity whose SNS topic gets the report (its email, ...)"
    )


class CostReport(ReportTargets):
    schedule: Cron = "0 9 * * *"
    slack: Slack | None = None
    top_services: int = Field(default=8, ge=1, le=40)
    group_by_tags: list[str] = Field(default=[], description="default: the tagging rules' keys")
    weekly: WeeklyReport | None = None
    # Where cost comes from: Cost Explorer, or the Data Exports export under `cur:`.
    source: Literal["cost-explorer", "cur"] = "cost-explorer"
    cur: CurExport | None = None


class AnomalyDetection(Model):
    schedule: Cron = "30 8 * * *"
    min_impact: MoneyAmount = "50 USD"  # type: ignore[assignment]
    min_percent: Percent = "20%"  # type: ignore[assignment]
    min_history: Duration = 14 * 86400
    drops: bool = Field(
        default=True, description="also report spend that falls by the same impact and percent"
    )
    # The severity whose topic (and router routes) anomaly notices go to.
    severity: str | None = None
    slack: Slack | None = None


class RightSizing(ReportTargets):
    # Validated like a written schedule: the crontab weekday 1 becomes "mon" for APScheduler.
    schedule: Cron = Field(default="0 9 * * 1", validate_default=True)
    lookback: Literal["14d", "32d", "93d"] = "14d"
    headroom: Percent = "20%"  # type: ignore[assignment]
    slack: Slack | None = None


class SloReview(ReportTargets):
    schedule: Cron = Field(default="0 9 * * 1", validate_default=True)
    slack: Slack | None = None


class MonitorsFile(Model):
    slos: list[Slo] = []
    cost_report: CostReport | None = None
    anomaly_detection: AnomalyDetection | None = None
    rightsizing: RightSizing | None = None
    slo_review: SloReview | None = None
    # None when the file has no `uptime:` key; `uptime: []` means none (and deletes them).
    uptime: list[UptimeCheck] | None = None
    uptime_defaults: UptimeDefaults | None = None
    log_groups: list[LogGroups] = []


__all__ = ["Cron", "Duration", "MonitorsFile", "Name", "Slo"]
