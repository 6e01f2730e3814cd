"""Sentinel's own alert messages: cost anomalies and SLO burn rates, published to a severity topic.

Two shapes arrive. The daemon's cost-anomaly notices (``sentinel.cost.notices``) publish an event
with ``"source": "sentinel.cost-anomaly"`` for machine subscribers (SQS, Lambda, https); any other
producer can use the versioned format below, built by ``sentinel_message``.

The daemon publishes these to the topic of the severity the config names
(``anomaly_detection.severity``, ``slos[].alerting.page/ticket``); the router reads them like a
CloudWatch alarm. The format is versioned JSON under a ``sentinel`` key::

    {"sentinel": {"version": 1, "kind": "slo"}, "key": "slo:api-availability:fast-burn",
     "name": "api-availability", "state": "ALARM", "severity": "critical",
     "reason": "burning error budget 14.4x over 1h", "time": "2026-03-02T10:00:00+00:00", ...}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sentinel.routing.alert import Alert, AlertKind, AlertState, Link

VERSION = 1
KINDS = (AlertKind.ANOMALY, AlertKind.SLO)


class SentinelMessageError(ValueError):
    """A message that claims to be Sentinel's but does not follow the format."""


def sentinel_message(
    kind: AlertKind | str,
    key: str,
    name: str,
    state: AlertState | str,
    reason: str,
    time: datetime,
    severity: str | None = None,
    account: str | None = None,
    region: str | None = None,
    metric: str | None = None,
    threshold: str | None = None,
    details: Mapping[str, Any] | None = None,
    links: Sequence[Link] = (),
    description: str | None = None,
) -> str:
    """The JSON body to publish to a severity topic for an anomaly or SLO alert."""
    kind = AlertKind(kind)
    if kind not in KINDS:
        raise ValueError(f"Sentinel messages are {', '.join(KINDS)}; not {kind}")
    if time.tzinfo is None:
        raise ValueError("time must be timezone-aware")
    body: dict[str, Any] = {
        "sentinel": {"version": VERSION, "kind": kind.value},
        "key": key,
        "name": name,
        "state": AlertState(state).value,
        "reason": reason,
        "time": time.isoformat(),
    }
    optional = {
        "severity": severity,
        "account": account,
        "region": region,
        "metric": metric,
        "threshold": threshold,
        "description": description,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    if details:
        body["details"] = {str(k): str(v) for k, v in details.items()}
    if links:
        body["links"] = [{"text": link.text, "href": link.href} for link in links]
    return json.dumps(body)


COST_ANOMALY_SOURCE = "sentinel.cost-anomaly"


def is_sentinel_message(data: Mapping[str, Any]) -> bool:
    return isinstance(data.get("sentinel"), Mapping) or data.get("source") == COST_ANOMALY_SOURCE


def parse_cost_anomaly(
    data: Mapping[str, Any],
    message_id: str,
    topic_arn: str | None,
    raw: bool,
    received_at: datetime,
) -> Alert:
    """The daemon's cost-anomaly event: one anomaly of one cost series, first notice or update."""
    missing = [f for f in ("project", "series", "start", "actual", "expected") if not data.get(f)]
    if missing:
        raise SentinelMessageError(f"cost anomaly event without {', '.join(missing)}")
    series, start, end = (
        str(data["series"]),
        str(data["start"]),
        str(data.get("end") or data["start"]),
    )
    when = (
        f"since {start} (ongoing)"
        if data.get("ongoing")
        else (f"on {start}" if start == end else f"{start} to {end}")
    )
    drop = data.get("direction") == "drop"  # spend that fell; events before it are spikes
    if drop:
        reason = (
            f"{series} {when}: spend dropped to ${data['actual']} from ${data['expected']} "
            "expected a day"
        )
    else:
        reason = f"{series} {when}: ${data['actual']} vs ${data['expected']} expected a day"
    if data.get("impact"):
        reason += f", impact {_dollars(data['impact'])}"
    drivers = [
        f"{d.get('name')} ({_dollars(d.get('impact'))})"
        for d in data.get("drivers") or []
        if isinstance(d, Mapping) and d.get("name")
    ]
    details = {"period": f"{start} to {end}", "ongoing": "yes" if data.get("ongoing") else "no"}
    if drivers:
        details["driven by"] = ", ".join(drivers)
    if data.get("update"):
        details["notice"] = "update"
    return Alert(
        message_id=message_id,
        kind=AlertKind.ANOMALY,
        key=f"anomaly:{data['project']}:{series}@{start}" + ("/drop" if drop else ""),
        name=f"{'spend drop' if drop else 'cost anomaly'}: {series}",
        state=AlertState.ALARM,
        reason=reason,
        event_time=received_at,
        topic_arn=topic_arn,
        metric=f"{series} daily cost: ${data['actual']}",
        threshold=f"expected ${data['expected']}",
        details=details,
        severity=data.get("severity") or None,
        raw_delivery=raw,
    )


def _dollars(amount: Any) -> str:
    """An event's amount ("212.40", "-90.00") as $212.40 or -$90.00."""
    text = str(amount)
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


def parse_sentinel_message(
    data: Mapping[str, Any],
    message_id: str,
    topic_arn: str | None,
    raw: bool,
    received_at: datetime,
) -> Alert:
    if data.get("source") == COST_ANOMALY_SOURCE:
        return parse_cost_anomaly(data, message_id, topic_arn, raw, received_at)
    header = data["sentinel"]
    if header.get("version") != VERSION:
        raise SentinelMessageError(
            f"Sentinel message version {header.get('version')!r} is not {VERSION}"
        )
    try:
        kind = AlertKind(header.get("kind"))
    except ValueError:
        raise SentinelMessageError(
            f"unknown Sentinel message kind {header.get('kind')!r}"
        ) from None
    if kind not in KINDS:
        raise SentinelMessageError(f"unknown Sentinel message kind {kind.value!r}")
    missing = [f for f in ("key", "name", "state", "reason", "time") if not data.get(f)]
    if missing:
        raise SentinelMessageError(f"Sentinel {kind.value} message without {', '.join(missing)}")
    try:
        state = AlertState(data["state"])
        time = datetime.fromisoformat(str(data["time"]))
    except ValueError as exc:
        raise SentinelMessageError(f"Sentinel {kind.value} message: {exc}") from None
    if time.tzinfo is None:
        raise SentinelMessageError(f"Sentinel {kind.value} message: time has no time zone")
    links = tuple(
        Link(str(link["text"]), str(link["href"]))
        for link in data.get("links", [])
        if isinstance(link, Mapping) and link.get("href")
    )
    details = data.get("details") or {}
    return Alert(
        message_id=message_id,
        kind=kind,
        key=str(data["key"]),
        name=str(data["name"]),
        state=state,
        reason=str(data["reason"]),
        event_time=time,
        description=data.get("description"),
        account=data.get("account"),
        region=data.get("region"),
        region_name=data.get("region"),
        topic_arn=topic_arn,
        metric=data.get("metric"),
        threshold=data.get("threshold"),
        details={str(k): str(v) for k, v in details.items()}
        if isinstance(details, Mapping)
        else {},
        links=links,
        severity=data.get("severity"),
        raw_delivery=raw,
    )
