"""The daemon's ``maintenance-notices`` job: a Slack post ahead of each maintenance occurrence.

Every minute the job looks for occurrences starting within their window's ``notice.before``
and posts one message per occurrence through the outbox. The outbox key names the window, the
occurrence's start and the channel, so a restart, a catch-up or a second daemon on the same
store never posts it twice (the outbox claims a key once, as the cost report's posts are).
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import MaintenanceWindow, Routing, Slack
from sentinel.config.units import format_duration
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost, post_once
from sentinel.routing.noise import Occurrence, next_occurrence, window_zone
from sentinel.store import Store

EVERY_MINUTE = "* * * * *"


def notice_key(project: str, occurrence: Occurrence, channel: str) -> str:
    start = occurrence.start.astimezone(ZoneInfo("UTC")).isoformat(timespec="minutes")
    return f"maintenance-notice:{project}:{occurrence.window.name}:{start}:{channel}"


def _in(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def notice_text(occurrence: Occurrence, tz: ZoneInfo, now: datetime) -> str:
    """``Maintenance sunday-updates starts at 02:00 UTC (in 30 min) for 2h: ips-* alerts are
    held``; a start on another day than ``now`` carries its date."""
    window = occurrence.window
    start = occurrence.start.astimezone(tz)
    when = (
        f"at {start:%H:%M %Z}"
        if start.date() == now.astimezone(tz).date()
        else f"on {start:%a %Y-%m-%d} at {start:%H:%M %Z}"
    )
    length = format_duration(int((occurrence.end - occurrence.start).total_seconds()))
    patterns = ", ".join(window.alarms)
    ahead = _in((occurrence.start - now).total_seconds())
    text = (
        f"Maintenance {window.name} starts {when} (in {ahead}) for {length}: "
        f"{patterns} alerts are held"
    )
    return text + (f". {window.reason}" if window.reason else "")


def due_notice(window: MaintenanceWindow, now: datetime, tz: ZoneInfo) -> Occurrence | None:
    """The occurrence whose notice is due at ``now``: it starts within ``notice.before``."""
    if window.notice is None:
        return None
    upcoming = next_occurrence(window, now, tz)
    if upcoming is None:
        return None
    ahead = (upcoming.start - now).total_seconds()
    return upcoming if ahead <= window.notice.before else None


def notice_channel(routing: Routing, window: MaintenanceWindow) -> Slack | None:
    """Where a window's notice goes: its channel, or its severity's first Slack destination
    (with that destination's token)."""
    notice = window.notice
    if notice is None:
        return None
    if notice.slack is not None:
        return Slack(channel=notice.slack, token=notice.token)
    tier = routing.severities.get(notice.severity or "")
    return next((d.slack for d in tier.notify if d.slack), None) if tier else None


def send_notices(
    config: Any, store: Store, factory: SessionFactory | None, now: datetime
) -> list[str]:
    """Post every notice due at ``now``; one line per notice said or kept for later."""
    if config.routing is None:
        return []
    project_tz = ZoneInfo(config.project.timezone)
    said: list[str] = []
    for window in config.routing.maintenance:
        occurrence = due_notice(window, now, project_tz)
        if occurrence is None:
            continue
        slack = notice_channel(config.routing, window)
        if slack is None:
            continue
        text = notice_text(occurrence, window_zone(window, project_tz), now)

        def build(text: str = text) -> SlackPost:
            block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
            return SlackPost({"text": text, "blocks": [block]})

        result: DeliveryResult = post_once(
            slack,
            partial(notice_key, config.name, occurrence),
            build,
            store,
            factory,
        )
        if result.status != "already posted":
            said.append(f"{window.name}: {result.status} to {slack.channel}")
    return said


def _notices(context: JobContext) -> str:
    said = send_notices(context.config, context.store, context.factory, clock.now())
    return "; ".join(said) if said else "no notice due"


def _schedule(config: Any) -> str | None:
    routing = config.routing
    if routing is None or not any(w.notice for w in routing.maintenance):
        return None
    return EVERY_MINUTE


MAINTENANCE_NOTICES = JobSpec(
    "maintenance-notices",
    "Slack notice ahead of each maintenance window",
    _schedule,
    _notices,
    period="run",
)
