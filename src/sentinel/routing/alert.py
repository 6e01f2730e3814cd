"""What the router reasons about: one alert, whatever format it arrived in.

CloudWatch metric, metric-math and composite alarms, AWS Budgets notifications and Sentinel's
own anomaly and SLO messages all become an ``Alert``: a key that identifies the thing that
alerts (the alarm ARN), its new state, why, and where it lives. Held alerts are stored as JSON,
so an ``Alert`` round-trips through ``to_json``/``from_json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any


class AlertState(StrEnum):
    ALARM = "ALARM"
    OK = "OK"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class AlertKind(StrEnum):
    METRIC = "metric"
    METRIC_MATH = "metric-math"
    COMPOSITE = "composite"
    BUDGET = "budget"
    ANOMALY = "anomaly"
    SLO = "slo"
    EVENT = "event"

    @property
    def resolvable(self) -> bool:
        """Kinds that send OK when the condition clears (budgets, anomalies and AWS events
        never do)."""
        return self not in (AlertKind.BUDGET, AlertKind.ANOMALY, AlertKind.EVENT)


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Alert:
    """One state change of one alarm (or one budget/anomaly/SLO notification)."""

    message_id: str
    kind: AlertKind
    key: str
    name: str
    state: AlertState
    reason: str
    event_time: datetime
    previous_state: AlertState | None = None
    description: str | None = None
    account: str | None = None
    # The account's name in sentinel.yaml, for a project of several accounts (else None).
    account_name: str | None = None
    region: str | None = None
    region_name: str | None = None
    topic_arn: str | None = None
    actions: tuple[str, ...] = ()
    metric: str | None = None
    threshold: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    severity: str | None = None
    subject: str | None = None
    raw_delivery: bool = False

    @property
    def resolvable(self) -> bool:
        return self.kind.resolvable

    def to_json(self) -> dict[str, Any]:
        # Field by field, not dataclasses.asdict: that deep-copies every value, and this runs
        # for every message the router delivers.
        data = {name: getattr(self, name) for name in _ALERT_FIELDS}
        data["details"] = dict(self.details)
        data["kind"] = self.kind.value
        data["state"] = self.state.value
        data["previous_state"] = self.previous_state.value if self.previous_state else None
        data["event_time"] = self.event_time.isoformat()
        data["actions"] = list(self.actions)
        data["links"] = [{"text": link.text, "href": link.href} for link in self.links]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        values = dict(data)
        values["kind"] = AlertKind(values["kind"])
        values["state"] = AlertState(values["state"])
        previous = values.get("previous_state")
        values["previous_state"] = AlertState(previous) if previous else None
        values["event_time"] = datetime.fromisoformat(values["event_time"])
        values["actions"] = tuple(values.get("actions", ()))
        values["links"] = tuple(Link(**link) for link in values.get("links", ()))
        return cls(**values)


_ALERT_FIELDS = tuple(f.name for f in fields(Alert))

# PagerDuty Events v2 knows four severities; Sentinel's tiers map onto them by name.
_PAGERDUTY_SEVERITY = {
    "critical": "critical",
    "high": "error",
    "error": "error",
    "medium": "warning",
    "warning": "warning",
    "low": "info",
    "info": "info",
}


def pagerduty_severity(severity: str, page: bool) -> str:
    """critical -> critical, high -> error, medium/warning -> warning, low/info -> info.

    A tier with another name maps by whether it pages: paging tiers are errors, others info.
    """
    return _PAGERDUTY_SEVERITY.get(severity.lower(), "error" if page else "info")
