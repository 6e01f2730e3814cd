"""Reports published to a severity topic: the router posts them to its Slack and email routes.

A report (the daily cost report, the right-sizing report, the SLO review) sent to a severity is
published to its SNS topic with one body per protocol: the text for email subscribers, and for
the router's queue this versioned JSON::

    {"sentinel": {"version": 1, "kind": "report"}, "report": "cost", "project": "ips",
     "title": "Daily cost, 01 Dec 2026", "text": "..."}

A report is not an alarm: nothing pages, nothing is held, threaded or escalated; the router
posts it to the severity's Slack channels and mails it to its email destinations, once each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

VERSION = 1
KIND = "report"
TITLE_LIMIT = 150
# At most 120 KB in UTF-8, under Slack's 40,000-character text; delivery.topic cuts the text
# by lines to it, and the email bodies beside it so the whole SNS Message fits 262,144 bytes.
TEXT_LIMIT = 30_000


@dataclass(frozen=True)
class Report:
    report: str
    project: str
    title: str
    text: str


def report_message(report: str, project: str, title: str, text: str) -> str:
    """The JSON body of a report for the router's queue."""
    body = {
        "sentinel": {"version": VERSION, "kind": KIND},
        "report": report,
        "project": project,
        "title": title[:TITLE_LIMIT],
        "text": text[:TEXT_LIMIT],
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def parse_report(message: str) -> Report | None:
    """The report in a message, or None when the message is not one."""
    try:
        data: Any = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    marker = data.get("sentinel")
    if not isinstance(marker, dict) or marker.get("kind") != KIND:
        return None
    fields = [data.get(k) for k in ("report", "project", "title", "text")]
    strings = [f for f in fields if isinstance(f, str)]
    if len(strings) != len(fields):
        return None
    return Report(*strings)
