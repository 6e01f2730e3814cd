"""Escalation: a page still in ALARM, unacknowledged after its time, reaches the contact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.routing.destinations.pagerduty import dedup_key
from sentinel.routing.router import ACKNOWLEDGED, DELIVERED, ESCALATED
from sentinel.routing.standins import StandIns

from .conftest import World, make_world
from .scenario import ACCOUNT, REGION, ROUTING_YAML, metric_alarm, write_project
from .test_router import DAY, EARLIER, actions, sent_emails

ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:shop-rds-cpu-high"


def test_unacknowledged_page_escalates_once_after_escalate_after(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(minutes=14, seconds=59))
        world.drain()
        assert actions(world) == [DELIVERED]
        clock.shift(timedelta(seconds=1))  # critical escalates after 15m
        world.drain()
        clock.shift(timedelta(minutes=30))
        world.drain()
    assert actions(world) == [DELIVERED, ESCALATED]
    post, escalation = world.slack()
    assert post["channel"] == "#incidents"
    assert escalation["thread_ts"] == "1700000000.000001" and escalation["reply_broadcast"] is True
    assert escalation["text"].startswith(
        ":rotating_light: Escalated to Duty Manager: shop-rds-cpu-high"
    )
    assert "15m without acknowledgement" in escalation["text"]
    [mail] = sent_emails()
    assert mail.destinations["ToAddresses"] == ["manager@shop.example"]
    assert mail.subject.startswith("[shop] ESCALATED [critical] ALARM shop-rds-cpu-high")


def test_resolved_before_escalate_after_never_escalates(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(minutes=10))
        world.publish(
            "critical", metric_alarm("rds-cpu-high", "critical", "OK", DAY + timedelta(minutes=9))
        )
        world.drain()
        clock.shift(timedelta(hours=1))
        world.drain()
    assert actions(world) == [DELIVERED, DELIVERED]
    assert sent_emails() == []


def test_non_paging_severities_never_escalate(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("medium", metric_alarm("queue-backlog", "medium", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(hours=2))
        world.drain()
    assert actions(world) == [DELIVERED]


def test_acknowledged_in_pagerduty_is_not_escalated(
    aws: SessionFactory,
    standins: StandIns,
    secrets: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_PD_REST", "rest-token")
    routing = ROUTING_YAML.replace(
        "  escalation: {contact: Duty Manager",
        "  pagerduty_token: env:TEST_PD_REST\n  escalation: {contact: Duty Manager",
    )
    world = make_world(write_project(tmp_path / "shop", routing), aws, standins, tmp_path)
    standins.pagerduty.acknowledged.add(dedup_key(ARN))
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(minutes=16))
        world.drain()
        clock.shift(timedelta(minutes=16))
        world.drain()
    assert actions(world) == [DELIVERED, ACKNOWLEDGED]
    assert len(world.slack()) == 1 and sent_emails() == []
    [check] = [r for r in standins.pagerduty.requests if r.path == "/incidents"]
    assert check.query["incident_key"] == [ARN]
