"""A report published to a severity topic: Slack and email routes get it, PagerDuty does not."""

from __future__ import annotations

from pathlib import Path

from moto.ses.models import ses_backends

from sentinel.delivery.sns import SnsSender
from sentinel.delivery.topic import TopicPost, publish_once
from sentinel.routing.report_messages import parse_report, report_message
from sentinel.routing.router import DELIVERED
from sentinel.store import Store

from .conftest import World
from .scenario import ACCOUNT, REGION, topic_arn

POST = TopicPost("cost", "shop", "Daily cost, 01 Dec 2026", "Yesterday: *$41.20* (+3%)")


def test_a_report_on_a_severity_goes_to_its_slack_and_email_once(
    world: World, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'reports.db'}")
    sender = SnsSender(world.factory)
    key = "cost-report:shop:2026-12-01:severity:low"

    first = publish_once(topic_arn("low"), key, lambda: POST, store, sender)
    again = publish_once(topic_arn("low"), key, lambda: POST, store, sender)
    world.drain()
    world.drain()

    assert (first.status, again.status) == ("posted", "already posted")
    assert [d.action for d in world.decisions] == [DELIVERED]
    assert world.decisions[0].reason == "cost report"
    assert world.events == []  # PagerDuty is for alarms
    posts = world.slack()
    assert [(p["channel"], p["text"]) for p in posts] == [
        ("#alerts", "*Daily cost, 01 Dec 2026*\n```\nYesterday: *$41.20* (+3%)\n```")
    ]
    mails = ses_backends[ACCOUNT][REGION].sent_messages
    assert [(m.destinations, m.subject) for m in mails] == [
        ({"ToAddresses": ["team@shop.example"]}, "[shop] Daily cost, 01 Dec 2026")
    ]
    store.dispose()


def test_a_report_reads_back_and_anything_else_is_not_one() -> None:
    body = report_message("cost", "shop", "Daily cost", "text")
    parsed = parse_report(body)
    assert parsed is not None and (parsed.report, parsed.title) == ("cost", "Daily cost")
    assert parse_report('{"sentinel": {"version": 1, "kind": "slo"}}') is None
    assert parse_report('{"sentinel": {"kind": "report"}, "title": 3}') is None
    assert parse_report("Daily cost") is None
