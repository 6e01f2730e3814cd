"""Destinations by the hour: PagerDuty outside business hours, Slack always, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.models.routing import BusinessHours
from sentinel.errors import ConfigError
from sentinel.routing.delivery_hours import in_business_hours, open_at
from sentinel.routing.standins import StandIns

from .conftest import World, make_world
from .scenario import ROUTING_YAML, metric_alarm, write_project

NEW_YORK = ZoneInfo("America/New_York")
HOURS = BusinessHours(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00")
# High pages PagerDuty only outside business hours; Slack hears everything.
BY_THE_HOUR = ROUTING_YAML.replace(
    """  high:
    page: true
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
""",
    """  high:
    page: true
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
        when: outside business hours
""",
).replace(
    "maintenance:\n",
    "business_hours: {days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00'}\n"
    "maintenance:\n",
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_business_hours_keep_the_wall_clock_across_dst() -> None:
    # Friday 2026-10-30 09:00 EDT is 13:00 UTC; Monday 2026-11-02 09:00 EST is 14:00 UTC.
    assert not in_business_hours(HOURS, utc(2026, 10, 30, 12, 59), NEW_YORK)
    assert in_business_hours(HOURS, utc(2026, 10, 30, 13, 0), NEW_YORK)
    assert not in_business_hours(HOURS, utc(2026, 11, 2, 13, 30), NEW_YORK)
    assert in_business_hours(HOURS, utc(2026, 11, 2, 14, 0), NEW_YORK)
    assert not in_business_hours(HOURS, utc(2026, 11, 2, 22, 0), NEW_YORK)  # 17:00 EST
    assert not in_business_hours(HOURS, utc(2026, 10, 31, 15, 0), NEW_YORK)  # a Saturday
    assert open_at("outside business hours", HOURS, utc(2026, 10, 31, 15, 0), NEW_YORK)
    assert not open_at("business hours", HOURS, utc(2026, 10, 31, 15, 0), NEW_YORK)
    assert open_at("always", HOURS, utc(2026, 10, 31, 15, 0), NEW_YORK)


@pytest.fixture
def hours_world(aws: SessionFactory, standins: StandIns, secrets: None, tmp_path: Path) -> World:
    return make_world(write_project(tmp_path / "shop", BY_THE_HOUR), aws, standins, tmp_path)


def _fire(world: World, at: datetime, state: str = "ALARM") -> None:
    with time_machine.travel(at, tick=False):
        alarm = metric_alarm("db-replica-lag", "high", state, at - timedelta(minutes=5))
        world.publish("high", alarm)
        world.drain()


def test_pagerduty_hears_only_outside_business_hours_and_slack_always(
    hours_world: World,
) -> None:
    world = hours_world
    # Monday 2026-11-02 10:00 EST (15:00 UTC, the day after the clocks went back): Slack only.
    _fire(world, utc(2026, 11, 2, 15, 0))
    assert world.events == []
    assert len(world.slack()) == 1
    # Resolved during business hours: Slack replies in its thread; PagerDuty gets the resolve
    # (it ignores one for an incident it never opened), so nothing stays open there.
    _fire(world, utc(2026, 11, 2, 15, 10), "OK")
    assert [e["event_action"] for e in world.events] == ["resolve"]
    assert world.slack()[1]["thread_ts"]  # a reply in the alarm's thread
    assert len(world.slack()) == 2
    # 17:30 EST the same day (22:30 UTC): PagerDuty pages too.
    _fire(world, utc(2026, 11, 2, 22, 30))
    assert [e["event_action"] for e in world.events] == ["resolve", "trigger"]
    assert len(world.slack()) == 3


def test_a_destination_by_the_hour_needs_business_hours_and_the_router(tmp_path: Path) -> None:
    routing = BY_THE_HOUR.replace(
        "business_hours: {days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00'}\n",
        "",
    ).replace(
        "      - sqs: arn:aws:sqs:us-east-1:123456789012:shop-archive\n",
        "      - sqs: arn:aws:sqs:us-east-1:123456789012:shop-archive\n"
        "        when: business hours\n",
    )
    root = write_project(tmp_path / "shop", routing)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    problems = [str(p).removeprefix(f"{root}/") for p in caught.value.problems]

    assert [p.split(": ", 1)[0] for p in problems] == [
        "alarms/routing.yaml:12:15",
        "alarms/routing.yaml:26:15",
        "alarms/routing.yaml:26:15",
    ]
    assert "needs `business_hours:`" in problems[0]
    sqs = sorted(problems[1:])
    assert "needs `business_hours:`" in sqs[0]
    assert "on a sqs destination: SNS delivers it at any hour" in sqs[1]


def test_business_hours_start_before_they_end(tmp_path: Path) -> None:
    routing = BY_THE_HOUR.replace("start: '09:00', end: '17:00'", "start: '18:00', end: '09:00'")
    root = write_project(tmp_path / "shop", routing)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "the day starts before it ends" in str(caught.value.problems[0])
