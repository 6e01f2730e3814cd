"""Block Kit for alerts: the alarm message, its thread replies, escalations and the digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sentinel.routing.alert import AlertState
from sentinel.routing.destinations.base import DigestEntry, Notification
from sentinel.routing.wording import STATE_WORDS, clip, facts, headline, when

# Slack's limits: a header 150 characters, a section text 3,000, a field 2,000, 10 fields.
HEADER_LIMIT, TEXT_LIMIT, FIELD_LIMIT, FIELDS = 150, 3000, 2000, 10
_ICONS = {
    AlertState.ALARM: ":red_circle:",
    AlertState.OK: ":large_green_circle:",
    AlertState.INSUFFICIENT_DATA: ":white_circle:",
}


def mention(n: Notification) -> str | None:
    """The on-call person: pinged (``<@U…>``) for paging severities, only named otherwise."""
    if n.oncall is None:
        return None
    return f"<@{n.oncall.slack}>" if n.page and n.oncall.slack else n.oncall.name


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, TEXT_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, TEXT_LIMIT)}]}


def fallback_text(n: Notification) -> str:
    """The notification text (push notifications, screen readers)."""
    who = mention(n)
    return f"{_ICONS[n.alert.state]} {headline(n)}" + (f" (on call: {who})" if who else "")


def alarm_blocks(n: Notification) -> list[dict[str, Any]]:
    """The alarm's message; updated in place with the latest state on every change."""
    alert = n.alert
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(f"{STATE_WORDS[alert.state]}: {alert.name}", HEADER_LIMIT),
            },
        },
        _section(f"{_ICONS[alert.state]} *{STATE_WORDS[alert.state]}*: {alert.reason}"),
    ]
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{label}*\n{value}", FIELD_LIMIT)}
        for label, value in facts(n)
        if label not in ("State", "On call")
    ][:FIELDS]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    who = mention(n)
    if who:
        blocks.append(_context(f":pager: On call: {who}"))
    if n.links:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": link.text},
                        "url": link.href,
                        "action_id": f"link-{i}",
                    }
                    for i, link in enumerate(n.links[:5])
                ],
            }
        )
    return blocks


def reply_text(n: Notification) -> str:
    state = n.alert.state
    return f"{_ICONS[state]} {STATE_WORDS[state]} at {when(n.alert.event_time)}: {n.alert.reason}"


def reply_blocks(n: Notification) -> list[dict[str, Any]]:
    blocks = [_section(reply_text(n))]
    who = mention(n)
    if who and n.alert.state is AlertState.ALARM:
        blocks.append(_context(f":pager: On call: {who}"))
    return blocks


def escalation_text(n: Notification, contact: str, after: str) -> str:
    who = mention(n)
    return (
        f":rotating_light: Escalated to {contact}: {n.alert.name} has been in ALARM for {after} "
        f"without acknowledgement" + (f" (on call: {who})" if who else "")
    )


def digest_blocks(severity: str, entries: list[DigestEntry], at: datetime) -> list[dict[str, Any]]:
    """One message for everything held overnight: each alarm once, where it ended up."""
    firing = sum(1 for e in entries if e.notification.alert.state is AlertState.ALARM)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(
                    f"Digest: {len(entries)} {severity} alert(s) held during quiet hours",
                    HEADER_LIMIT,
                ),
            },
        },
        _context(f"{firing} still in ALARM at {when(at)}"),
    ]
    lines = []
    for entry in entries:
        alert = entry.notification.alert
        path = (
            f"{STATE_WORDS[entry.first_state]} → {STATE_WORDS[alert.state]}"
            if entry.transitions > 1
            else STATE_WORDS[alert.state]
        )
        changes = f", {entry.transitions} changes" if entry.transitions > 1 else ""
        lines.append(f"{_ICONS[alert.state]} *{alert.name}*: {path}{changes} — {alert.reason}")
    # Sections hold 3,000 characters: split the list over as many as needed (Slack allows 50).
    chunk: list[str] = []
    for line in lines:
        line = clip(line, 600)
        if sum(len(x) + 1 for x in chunk) + len(line) > TEXT_LIMIT:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    return blocks[:50]
