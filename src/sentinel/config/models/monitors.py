"""``monitors/*.yaml``: what the daemon watches: SLOs, cost report, anomalies, right-sizing."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sentinel.config.models.base import MetricRef, Model, Name
from sentinel.config.models.routing import Slack
from sentinel.config.units import Duration, Latency, MoneyAmount, Objective, Percent

_CRON_FIELDS = (
    ("minute", "minute"),
    ("hour", "hour"),
    ("day", "day"),
    ("month", "month"),
    ("weekday", "day_of_week"),
)
_OUT_OF_RANGE = re.compile(r"(higher|lower) than the (maximum|minimum) value \((\d+)\)")


def _check_cron(value: str) -> str:
    """A crontab line; the message names the field that is wrong."""
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"invalid schedule {value!r}: expected five fields, minute hour day month weekday, "
            "like '0 9 * * *'"
        )
    for text, (label, keyword) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            CronTrigger(**{keyword: text})
        except ValueError as exc:
            bound = _OUT_OF_RANGE.search(str(exc))
            why = f"{bound.group(2)} is {bound.group(3)}" if bound else str(exc).rstrip(".").lower()
            raise ValueError(f"invalid schedule {value!r}: {label} {text!r}: {why}") from None
    return value


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


class LatencySli(Model):
    """Share of requests at or under ``threshold``, or a period-based percentile."""

    metric: MetricRef
    threshold: Latency
    percentile: str | None = Field(
        default=None, pattern=r"^p\d{1,2}(\.\d+)?$", description="period-based, e.g. p95"
    )
    total: MetricRef | None = Field(default=None, description="request count, for weighting")


class SloAlerting(Model):
    page: str | None = Field(default=None, description="severity for fast burn")
    ticket: str | None = Field(default=None, description="severity for slow burn")
    min_requests: int = Field(default=0, ge=0, description="no page below this many requests")


class Slo(Model):
    name: Name
    service: str | None = None
    description: str | None = None
    objective: Objective
    window: Literal["7d", "28d", "30d"] = "30d"
    availability: AvailabilitySli | None = None
    latency: LatencySli | None = None
    alerting: SloAlerting | None = None

    @model_validator(mode="after")
    def _one_sli(self) -> Slo:
        if (self.availability is None) == (self.latency is None):
            raise ValueError("an SLO measures exactly one of `availability` or `latency`")
        return self


class CostReport(Model):
    schedule: Cron = "0 9 * * *"
    slack: Slack | None = None
    top_services: int = Field(default=8, ge=1, le=40)
    group_by_tags: list[str] = Field(default=[], description="default: the tagging rules' keys")


class AnomalyDetection(Model):
    schedule: Cron = "30 8 * * *"
    min_impact: MoneyAmount = "50 USD"  # type: ignore[assignment]
    min_percent: Percent = "20%"  # type: ignore[assignment]
    min_history: Duration = 14 * 86400
    severity: str | None = None
    slack: Slack | None = None


class RightSizing(Model):
    schedule: Cron = "0 9 * * 1"
    lookback: Literal["14d", "32d", "93d"] = "14d"
    headroom: Percent = "20%"  # type: ignore[assignment]
    slack: Slack | None = None


class SloReview(Model):
    schedule: Cron = "0 9 * * 1"
    slack: Slack | None = None


class MonitorsFile(Model):
    slos: list[Slo] = []
    cost_report: CostReport | None = None
    anomaly_detection: AnomalyDetection | None = None
    rightsizing: RightSizing | None = None
    slo_review: SloReview | None = None


__all__ = ["Cron", "Duration", "MonitorsFile", "Name", "Slo"]
