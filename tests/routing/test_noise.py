"""Quiet hours across midnight in a non-UTC zone, digests, maintenance windows, group wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sentinel.config.models.routing import MaintenanceWindow, QuietHours
from sentinel.routing.alert import Alert, AlertKind, AlertState
from sentinel.routing.noise import (
    GROUP_WAIT,
    Hold,
    digest_time,
    group_wait_hold,
    in_quiet_hours,
    maintenance_hold,
    quiet_hold,
    settled,
)

LA = ZoneInfo("America/Los_Angeles")
QUIET = QuietHours(start="22:00", end="07:00")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_quiet_hours_span_midnight_in_local_time() -> None:
    # Los Angeles is UTC-8 in January: 22:00 local is 06:00 UTC, 07:00 local is 15:00 UTC.
    assert not in_quiet_hours(QUIET, utc("2026-01-15T05:59:00"), LA)
    assert in_quiet_hours(QUIET, utc("2026-01-15T06:00:00"), LA)
    assert in_quiet_hours(QUIET, utc("2026-01-15T08:30:00"), LA)  # 00:30 local, after midnight
    assert in_quiet_hours(QUIET, utc("2026-01-15T14:59:00"), LA)
    assert not in_quiet_hours(QUIET, utc("2026-01-15T15:00:00"), LA)


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(start="12:00", end="13:00")
    assert in_quiet_hours(lunch, utc("2026-01-15T20:30:00"), LA)
    assert not in_quiet_hours(lunch, utc("2026-01-15T21:00:00"), LA)


def test_held_overnight_until_the_morning_digest() -> None:
    # Held at 23:30 local on the 14th: the digest goes at 08:30 local on the 15th.
    at = utc("2026-01-15T07:30:00")
    assert digest_time(QUIET, at, LA, "08:30") == utc("2026-01-15T16:30:00")
    # Without a digest time, at the end of the quiet hours.
    assert digest_time(QUIET, at, LA, None) == utc("2026-01-15T15:00:00")
    # A digest time before the end of the quiet hours waits for their end.
    assert digest_time(QUIET, at, LA, "06:00") == utc("2026-01-15T15:00:00")
    # Held after midnight, the same morning.
    assert digest_time(QUIET, utc("2026-01-15T10:00:00"), LA, "08:30") == utc("2026-01-15T16:30:00")


def test_digest_time_across_the_daylight_saving_change() -> None:
    # US clocks go forward on Sunday 2026-03-08: 08:30 PDT is 15:30 UTC.
    at = utc("2026-03-08T07:00:00")  # 23:00 PST on the 7th
    assert digest_time(QUIET, at, LA, "08:30") == utc("2026-03-08T15:30:00")


def test_quiet_hold_is_a_digest() -> None:
    hold = quiet_hold(QUIET, utc("2026-01-15T07:30:00"), LA, "08:30")
    assert hold == Hold(utc("2026-01-15T16:30:00"), ("quiet hours",), digest=True)
    assert quiet_hold(QUIET, utc("2026-01-15T20:00:00"), LA, "08:30") is None
    assert quiet_hold(None, utc("2026-01-15T07:30:00"), LA, "08:30") is None


def window(**kwargs: object) -> MaintenanceWindow:
    data: dict[str, object] = {
        "name": "db-upgrade",
        "alarms": ["db-*", "api-latency"],
        "start": "2026-03-10T01:00:00+00:00",
        "end": "2026-03-10T03:00:00+00:00",
    }
    data.update(kwargs)
    return MaintenanceWindow.model_validate(data)


def test_maintenance_matches_rule_names_and_globs_while_active() -> None:
    windows = [window()]
    inside = utc("2026-03-10T02:00:00")
    hold = maintenance_hold(windows, ["shop-db-replica-lag", "db-replica-lag"], inside, LA)
    assert hold == Hold(utc("2026-03-10T03:00:00"), ("maintenance db-upgrade",))
    assert maintenance_hold(windows, ["api-latency"], inside, LA) is not None
    assert maintenance_hold(windows, ["api-latency-high"], inside, LA) is None
    assert maintenance_hold(windows, ["db-replica-lag"], utc("2026-03-10T03:00:00"), LA) is None


def test_maintenance_window_without_offset_is_project_local() -> None:
    windows = [window(start="2026-03-10T01:00:00", end="2026-03-10T03:00:00")]
    assert maintenance_hold(windows, ["db-x"], utc("2026-03-10T02:00:00"), LA) is None
    # 01:00-03:00 in Los Angeles (PDT since 8 March) is 08:00-10:00 UTC.
    assert maintenance_hold(windows, ["db-x"], utc("2026-03-10T09:00:00"), LA) is not None
    assert maintenance_hold(windows, ["db-x"], utc("2026-03-10T10:00:00"), LA) is None


def alert(state: AlertState, at: datetime, kind: AlertKind = AlertKind.METRIC) -> Alert:
    return Alert("m", kind, "arn:alarm", "shop-x", state, "why", at)


def test_group_wait_counts_from_the_state_change() -> None:
    changed = utc("2026-03-10T12:00:00")
    hold = group_wait_hold(
        alert(AlertState.ALARM, changed), None, 60, changed + timedelta(seconds=5)
    )
    assert hold == Hold(changed + timedelta(seconds=60), (GROUP_WAIT,))
    # Already older than the wait (a backlog): no hold.
    assert (
        group_wait_hold(alert(AlertState.ALARM, changed), None, 60, changed + timedelta(minutes=2))
        is None
    )


def test_group_wait_holds_only_new_alarms_that_can_recover() -> None:
    now = utc("2026-03-10T12:00:00")
    assert group_wait_hold(alert(AlertState.OK, now), AlertState.ALARM, 60, now) is None
    assert group_wait_hold(alert(AlertState.ALARM, now), AlertState.ALARM, 60, now) is None
    assert group_wait_hold(alert(AlertState.ALARM, now, AlertKind.BUDGET), None, 60, now) is None
    assert group_wait_hold(alert(AlertState.ALARM, now), None, 0, now) is None


def test_a_message_dated_in_the_future_waits_from_its_receipt() -> None:
    now = utc("2026-03-10T12:00:00")
    hold = group_wait_hold(alert(AlertState.ALARM, now + timedelta(hours=1)), None, 60, now)
    assert hold is not None and hold.until == now + timedelta(seconds=60)


def test_merged_holds_wait_for_the_longest() -> None:
    a = Hold(utc("2026-03-10T12:01:00"), (GROUP_WAIT,))
    b = Hold(utc("2026-03-10T16:30:00"), ("quiet hours",), digest=True)
    assert a.merge(b) == Hold(b.until, (GROUP_WAIT, "quiet hours"), digest=True)


def test_settled_means_nothing_new_to_tell() -> None:
    assert settled(AlertState.OK, None)
    assert settled(AlertState.ALARM, AlertState.ALARM)
    assert not settled(AlertState.ALARM, None)
