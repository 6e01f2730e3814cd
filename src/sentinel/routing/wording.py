"""The words of a notification, shared by PagerDuty, Slack and email so they tell one story."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sentinel.routing.alert import Alert, AlertKind, AlertState
from sentinel.routing.destinations.base import Notification

PAGERDUTY_SUMMARY_LIMIT = 1024
_KIND_NAMES = {
    AlertKind.METRIC: "metric alarm",
    AlertKind.METRIC_MATH: "metric math alarm",
    AlertKind.COMPOSITE: "composite alarm",
    AlertKind.BUDGET: "budget",
    AlertKind.ANOMALY: "cost anomaly",
    AlertKind.SLO: "SLO",
    AlertKind.EVENT: "AWS event",
}
STATE_WORDS = {
    AlertState.ALARM: "ALARM",
    AlertState.OK: "OK",
    AlertState.INSUFFICIENT_DATA: "INSUFFICIENT DATA",
}


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def headline(n: Notification) -> str:
    """``[critical] ALARM p2p-rds-cpu-high-p2p-db``: what changed, in one line; in a project
    of several accounts, where: ``... in production (111111111111) us-east-1``."""
    text = f"[{n.severity}] {STATE_WORDS[n.alert.state]} {n.alert.name}"
    return text + (f" in {where}" if (where := place(n.alert)) else "")


def place(alert: Alert) -> str | None:
    """``production (111111111111) us-east-1`` for an alert of a named account, else None."""
    if not alert.account_name:
        return None
    return " ".join(
        part for part in (alert.account_name, f"({alert.account})", alert.region) if part
    )


def summary(n: Notification, limit: int = PAGERDUTY_SUMMARY_LIMIT) -> str:
    """The headline and the reason, within ``limit`` characters (PagerDuty allows 1,024)."""
    return clip(f"{headline(n)}: {n.alert.reason}", limit)


def kind_name(kind: AlertKind) -> str:
    return _KIND_NAMES[kind]


def when(moment: datetime, tz: ZoneInfo | None = None) -> str:
    local = moment.astimezone(tz) if tz else moment
    return local.strftime("%Y-%m-%d %H:%M:%S %Z")


def facts(n: Notification) -> list[tuple[str, str]]:
    """Labelled facts in reading order; empty ones left out."""
    alert = n.alert
    rows: list[tuple[str, str | None]] = [
        ("Severity", n.severity + (" (pages)" if n.page else "")),
        (
            "State",
            STATE_WORDS[alert.state]
            + (f" (was {STATE_WORDS[alert.previous_state]})" if alert.previous_state else ""),
        ),
        ("Alarm" if alert.kind.resolvable else "Alert", f"{alert.name} ({kind_name(alert.kind)})"),
        ("Description", alert.description),
        ("Metric", alert.metric),
        ("Threshold", alert.threshold),
        (
            "Account",
            f"{alert.account_name} ({alert.account})" if alert.account_name else alert.account,
        ),
        (
            "Region",
            alert.region
            + (
                f" ({alert.region_name})"
                if alert.region_name and alert.region_name != alert.region
                else ""
            )
            if alert.region
            else None,
        ),
        ("Changed", when(alert.event_time)),
        ("On call", n.oncall.name if n.oncall else None),
    ]
    rows.extend((key.capitalize(), value) for key, value in alert.details.items())
    return [(label, value) for label, value in rows if value]


def custom_details(n: Notification) -> dict[str, str]:
    """PagerDuty ``custom_details``: reason, metric, threshold, account, region and the rest."""
    details = {"reason": n.alert.reason}
    details.update({label.lower(): value for label, value in facts(n)})
    if n.rule:
        details["rule"] = n.rule
    return details


def plain_text(n: Notification) -> str:
    """An email body: the facts, the reason and the links."""
    lines = [headline(n), "", n.alert.reason, ""]
    lines.extend(f"{label}: {value}" for label, value in facts(n))
    if n.links:
        lines.append("")
        lines.extend(f"{link.text}: {link.href}" for link in n.links)
    return "\n".join(lines) + "\n"
