"""A weekly maintenance window on New York's clock holds alarms across both DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import MaintenanceWindow
from sentinel.routing.noise import (
    Hold,
    maintenance_hold,
    next_occurrence,
    occurrence_at,
    upcoming_occurrences,
)
from sentinel.routing.router import DELIVERED, HELD
from sentinel.routing.standins import StandIns

from .conftest import World, make_world
from .scenario import ACCOUNT, REGION, ROUTING_YAML, metric_alarm, write_project

NEW_YORK = ZoneInfo("America/New_York")
ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
WEEKLY = """\
maintenance:
  - name: sunday-patching
    alarms: ["db-*"]
    every: "0 1 * * SUN"
    duration: 2h
    timezone: America/New_York
    reason: Weekly patching
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def weekly(**changes: object) -> MaintenanceWindow:
    data: dict[str, object] = {
        "name": "sunday-patching",
        "alarms": ["db-*"],
        "every": "0 1 * * SUN",
        "duration": "2h",
        "timezone": "America/New_York",
    }
    data.update(changes)
    return MaintenanceWindow.model_validate(data)


def test_the_occurrence_keeps_local_time_and_lasts_two_hours_of_elapsed_time() -> None:
    window = weekly()
    # Summer: 01:00 EDT is 05:00 UTC.
    summer = occurrence_at(window, utc(2026, 10, 25, 6, 0), NEW_YORK)
    assert summer is not None and (summer.start, summer.end) == (
        utc(2026, 10, 25, 5, 0),
        utc(2026, 10, 25, 7, 0),
    )
    # Fall back (1 November 2026): 01:00 happens twice; the window opens at the first (EDT),
    # and two hours later it is 02:00 EST.
    fall = occurrence_at(window, utc(2026, 11, 1, 5, 0), NEW_YORK)
    assert fall is not None and (fall.start, fall.end) == (
        utc(2026, 11, 1, 5, 0),
        utc(2026, 11, 1, 7, 0),
    )
    assert fall.end.astimezone(NEW_YORK).strftime("%H:%M %Z") == "02:00 EST"
    # Winter: 01:00 EST is 06:00 UTC.
    after = next_occurrence(window, fall.start, NEW_YORK)
    assert after is not None and after.start == utc(2026, 11, 8, 6, 0)
    # Spring forward (14 March 2027): 01:00 EST, ending at 04:00 EDT.
    spring = occurrence_at(window, utc(2027, 3, 14, 7, 59), NEW_YORK)
    assert spring is not None and (spring.start, spring.end) == (
        utc(2027, 3, 14, 6, 0),
        utc(2027, 3, 14, 8, 0),
    )
    assert occurrence_at(window, utc(2027, 3, 14, 8, 0), NEW_YORK) is None
    assert occurrence_at(window, utc(2027, 3, 14, 5, 59), NEW_YORK) is None


def test_a_local_time_that_does_not_exist_starts_an_hour_later_by_the_clock() -> None:
    # 02:30 on 14 March 2027 never shows on a New York clock: the window opens at 07:30 UTC,
    # which is 03:30 EDT, and a week later at 02:30 EDT (06:30 UTC).
    window = weekly(every="30 2 * * SUN")
    [gap, normal] = upcoming_occurrences(window, utc(2027, 3, 13), NEW_YORK, 2)
    assert gap.start == utc(2027, 3, 14, 7, 30)
    assert gap.start.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"
    assert normal.start == utc(2027, 3, 21, 6, 30)


def test_an_rrule_window_is_the_same_window() -> None:
    window = weekly(every=None, rrule="FREQ=WEEKLY;BYDAY=SU;BYHOUR=1;BYMINUTE=0")
    hold = maintenance_hold([window], ["shop-db-cpu", "db-cpu"], utc(2027, 3, 14, 7), NEW_YORK)
    assert hold == Hold(utc(2027, 3, 14, 8, 0), ("maintenance sunday-patching",))
    assert maintenance_hold([window], ["api-latency"], utc(2027, 3, 14, 7), NEW_YORK) is None


def test_a_window_on_the_project_clock() -> None:
    # No timezone of its own: the project's zone (here New York) is its clock.
    window = weekly(timezone=None)
    found = occurrence_at(window, utc(2026, 11, 1, 5, 30), NEW_YORK)
    assert found is not None and found.start == utc(2026, 11, 1, 5, 0)
    assert occurrence_at(window, utc(2026, 11, 1, 5, 30), ZoneInfo("UTC")) is None


@pytest.fixture
def weekly_world(aws: SessionFactory, standins: StandIns, secrets: None, tmp_path: Path) -> World:
    routing = ROUTING_YAML[: ROUTING_YAML.index("maintenance:")] + WEEKLY
    root = write_project(tmp_path / "shop", routing=routing)
    return make_world(root, aws, standins, tmp_path)


@pytest.mark.parametrize(
    ("arrives", "ends"),
    [
        # Fall back: opened 01:00 EDT (05:00 UTC), ends 02:00 EST (07:00 UTC).
        (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7, 0)),
        # Spring forward: opened 01:00 EST (06:00 UTC), ends 04:00 EDT (08:00 UTC).
        (utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 8, 0)),
    ],
)
def test_the_router_holds_and_releases_at_the_occurrence_end(
    weekly_world: World, arrives: datetime, ends: datetime
) -> None:
    world = weekly_world
    changed = arrives - timedelta(minutes=5)  # older than the group wait
    with time_machine.travel(arrives, tick=False) as clock:
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", changed))
        world.drain()
        assert [d.action for d in world.decisions] == [HELD]
        assert world.decisions[0].reason == "maintenance sunday-patching"
        clock.move_to(ends - timedelta(seconds=1))
        world.drain()
        assert world.events == []
        clock.move_to(ends)
        world.drain()
    assert [e["dedup_key"] for e in world.events] == [ARN + "shop-db-replica-lag"]
    assert world.decisions[-1].action == DELIVERED


def test_an_alarm_outside_the_window_goes_at_once(weekly_world: World) -> None:
    world = weekly_world
    before = utc(2027, 3, 14, 5, 59)
    with time_machine.travel(before, tick=False):
        world.publish(
            "high", metric_alarm("db-replica-lag", "high", "ALARM", before - timedelta(minutes=5))
        )
        world.drain()
    assert [d.action for d in world.decisions] == [DELIVERED]
    assert len(world.events) == 1
