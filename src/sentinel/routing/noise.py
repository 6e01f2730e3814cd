"""Noise control: quiet hours, maintenance windows and the group wait that absorbs flapping.

Each rule answers one question for an alert at a moment: should it wait, and until when. The
router keeps one hold per alarm; later changes of a held alarm join its hold, and on release only
a state that differs from what people were last told is sent (so ALARM then OK within the group
wait sends nothing). Quiet-hour holds are delivered together as one digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

from sentinel.config.models.routing import MaintenanceWindow, QuietHours
from sentinel.routing.alert import Alert, AlertState

GROUP_WAIT = "group wait"
QUIET_HOURS = "quiet hours"
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class Hold:
    """Wait until ``until``; ``digest`` when the release goes out as part of a digest."""

    until: datetime
    reasons: tuple[str, ...]
    digest: bool = False

    def merge(self, other: Hold | None) -> Hold:
        if other is None:
            return self
        reasons = tuple(dict.fromkeys(self.reasons + other.reasons))
        return Hold(max(self.until, other.until), reasons, self.digest or other.digest)


def _clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def in_quiet_hours(quiet: QuietHours, at: datetime, tz: ZoneInfo) -> bool:
    """Whether ``at`` falls in the quiet hours; a window like 22:00-08:00 spans midnight."""
    now = at.astimezone(tz).time()
    start, end = _clock(quiet.start), _clock(quiet.end)
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_hours_end(quiet: QuietHours, at: datetime, tz: ZoneInfo) -> datetime:
    """The first end of the quiet hours after ``at`` (wall clock, so DST-safe)."""
    local = at.astimezone(tz)
    end = _clock(quiet.end)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz)


def digest_time(quiet: QuietHours, at: datetime, tz: ZoneInfo, digest_at: str | None) -> datetime:
    """When alerts held at ``at`` are delivered: the digest time on the morning the quiet
    hours end, or the end itself when the digest time is earlier than that."""
    end = quiet_hours_end(quiet, at, tz)
    if digest_at is None:
        return end
    digest = datetime.combine(end.date(), _clock(digest_at), tzinfo=tz)
    return max(end, digest)


def quiet_hold(
    quiet: QuietHours | None, at: datetime, tz: ZoneInfo, digest_at: str | None
) -> Hold | None:
    if quiet is None or not in_quiet_hours(quiet, at, tz):
        return None
    return Hold(digest_time(quiet, at, tz, digest_at), (QUIET_HOURS,), digest=True)


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


@dataclass(frozen=True)
class Occurrence:
    """One opening of a maintenance window: a dated window has one, a recurring one many."""

    window: MaintenanceWindow
    start: datetime
    end: datetime


def occurrence_at(window: MaintenanceWindow, at: datetime, tz: ZoneInfo) -> Occurrence | None:
    """The occurrence of ``window`` open at ``at`` (start included, end excluded).

    ``tz`` is the project's zone: it places a dated window written without an offset and is
    the clock of a recurring window that names no timezone of its own.
    """
    if not window.recurring:
        assert window.start is not None and window.end is not None
        start, end = _aware(window.start, tz), _aware(window.end, tz)
        return Occurrence(window, start, end) if start <= at < end else None
    assert window.duration is not None
    length = timedelta(seconds=window.duration)
    began = window.recurrence(tz.key).last_start(at, length)
    return None if began is None else Occurrence(window, began, began + length)


def next_occurrence(window: MaintenanceWindow, after: datetime, tz: ZoneInfo) -> Occurrence | None:
    """The first occurrence of ``window`` that starts after ``after``; None when none is left."""
    if not window.recurring:
        assert window.start is not None and window.end is not None
        start, end = _aware(window.start, tz), _aware(window.end, tz)
        return Occurrence(window, start, end) if start > after else None
    assert window.duration is not None
    begins = window.recurrence(tz.key).next_start(after)
    if begins is None:
        return None
    return Occurrence(window, begins, begins + timedelta(seconds=window.duration))


def upcoming_occurrences(
    window: MaintenanceWindow, after: datetime, tz: ZoneInfo, count: int
) -> list[Occurrence]:
    """The next ``count`` occurrences starting after ``after``, earliest first."""
    found: list[Occurrence] = []
    moment = after
    while len(found) < count:
        occurrence = next_occurrence(window, moment, tz)
        if occurrence is None:
            break
        found.append(occurrence)
        moment = occurrence.start
    return found


def active_occurrences(
    windows: Sequence[MaintenanceWindow], at: datetime, tz: ZoneInfo
) -> list[Occurrence]:
    """Every maintenance occurrence open at ``at``, whichever alarms it names."""
    return [o for o in (occurrence_at(w, at, tz) for w in windows) if o is not None]


def window_zone(window: MaintenanceWindow, tz: ZoneInfo) -> ZoneInfo:
    """The clock a window is shown on: its own timezone, else the project's."""
    return ZoneInfo(window.timezone) if window.timezone else tz


def _names_window(window: MaintenanceWindow, names: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in window.alarms for name in names)


def matching_occurrence(
    windows: Sequence[MaintenanceWindow], names: Iterable[str], at: datetime, tz: ZoneInfo
) -> Occurrence | None:
    """The open maintenance occurrence naming one of ``names`` (rule or alarm names, globs);
    of several, the one that lasts longest."""
    candidates = [n for n in names if n]
    # Patterns first: they are cheap, and most alarms are in no window.
    named = [w for w in windows if _names_window(w, candidates)]
    active = [o for o in (occurrence_at(w, at, tz) for w in named) if o is not None]
    return max(active, key=lambda o: o.end, default=None)


def maintenance_hold(
    windows: Sequence[MaintenanceWindow], names: Iterable[str], at: datetime, tz: ZoneInfo
) -> Hold | None:
    occurrence = matching_occurrence(windows, names, at, tz)
    if occurrence is None:
        return None
    return Hold(occurrence.end, (f"{MAINTENANCE} {occurrence.window.name}",))


def group_wait_hold(
    alert: Alert, notified: AlertState | None, group_wait: int, received_at: datetime
) -> Hold | None:
    """Hold a new ALARM for the group wait, counted from when the alarm changed state.

    A resolvable alarm that returns to OK before the wait is over is never sent. An alarm whose
    state change is already older than the wait (a late delivery, a backlog) goes at once.
    """
    if group_wait <= 0 or not alert.resolvable or alert.state is not AlertState.ALARM:
        return None
    if notified is AlertState.ALARM:
        return None
    wait = timedelta(seconds=group_wait)
    until = min(alert.event_time + wait, received_at + wait)
    if until <= received_at:
        return None
    return Hold(until, (GROUP_WAIT,))


def settled(state: AlertState, notified: AlertState | None) -> bool:
    """True when ``state`` is what people were last told (never told counts as OK)."""
    return state is (notified or AlertState.OK)
