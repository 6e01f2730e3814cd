"""When a recurring maintenance window starts: a crontab line or an RFC 5545 RRULE.

Both are read on the window's wall clock: ``0 2 * * sun`` starts at 02:00 local time every Sunday,
before and after a daylight-saving change alike. The schedule is first worked out on the naive
wall clock and each start is then placed in the time zone by Python's ``zoneinfo`` with
``fold=0``, which settles the two days a year where the wall clock is not one-to-one:

- a local time that does not exist (02:30 on a spring-forward night in New York) starts at the
  instant it would have had under the offset before the change, i.e. 03:30 EDT (APScheduler's
  own cron trigger places it there too);
- a local time that happens twice (01:30 on a fall-back night) starts once, at its first
  instance (EDT), not twice (APScheduler's trigger in the window's zone would fire at both,
  an hour apart, and the two occurrences would overlap).

A window lasts its ``duration`` of elapsed time from each start.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import HOURLY, rrule, rrulestr

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

# An RRULE without DTSTART counts from here (local wall clock); only INTERVAL and COUNT would
# depend on it, and those need a DTSTART of their own (see rrule_problem).
DEFAULT_DTSTART = datetime(2000, 1, 1)
# How far a rule is searched for its first start, and how far ahead gaps are measured.
NEVER_HORIZON = timedelta(days=366 * 30)
GAP_HORIZON = timedelta(days=366)
# Wall-clock bounds are widened by this much so no offset change drops a start at the edge.
_SLACK = timedelta(hours=3)
_CRON_KEYWORDS = ("minute", "hour", "day", "month", "day_of_week")

Kind = Literal["cron", "rrule"]


# Validation, the first start and every year's starts all read the same rule: parsed once.
@lru_cache(maxsize=256)
def _parse_rrule(text: str) -> rrule:
    parsed = rrulestr(text.strip(), dtstart=DEFAULT_DTSTART, forceset=False)
    if not isinstance(parsed, rrule):
        raise ValueError("expected one RRULE (with an optional DTSTART), not a set of rules")
    return parsed


def rrule_problem(text: str) -> str | None:
    """What is wrong with an RRULE as a maintenance schedule; None when it is usable."""
    try:
        rule = _parse_rrule(text)
    except (ValueError, TypeError) as exc:
        if "UNTIL" in str(exc):
            # dateutil's wording assumes an aware DTSTART; here both are local wall time.
            return (
                f"invalid rrule {text!r}: UNTIL is read on the window's timezone: "
                "write it without Z, like UNTIL=20270101T000000"
            )
        return (
            f"invalid rrule {text!r}: {exc}; expected an RFC 5545 rule like "
            "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"
        )
    # dateutil keeps a parsed rule's parts only in these attributes.
    if rule._dtstart.tzinfo is not None:
        return (
            f"invalid rrule {text!r}: DTSTART is read on the window's timezone: "
            "write it without Z or TZID, like DTSTART:20260104T020000"
        )
    if rule._freq > HOURLY:
        return f"invalid rrule {text!r}: a maintenance window recurs at most hourly"
    explicit = "DTSTART" in text.upper()
    if not explicit and (rule._count is not None or rule._interval != 1):
        return (
            f"invalid rrule {text!r}: COUNT and INTERVAL count from DTSTART: "
            "give one, like DTSTART:20260104T020000 on the line before RRULE:"
        )
    return None


def _impossible_days(rule: rrule) -> bool:
    """BYMONTHDAY days that none of the BYMONTH months has (31 in February).

    dateutil would search such a rule day by day up to year 9999 before finding nothing, so it is
    recognised here instead; UNTIL does not stop that search, as it is checked only on a match.
    """
    days = [d for d in rule._bymonthday or ()] + [-d for d in rule._bynmonthday or ()]
    if not days or rule._byyearday or rule._byweekno:
        return False
    months = rule._bymonth or tuple(range(1, 13))
    longest = max(29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31 for m in months)
    return all(day > longest for day in days)


def _placed(wall_times: list[datetime], zone: str) -> tuple[datetime, ...]:
    """Naive wall times placed in ``zone`` as UTC instants, sorted so that they can be bisected:
    a skipped wall time (02:30 placed at 03:30 EDT) may land after the next one (03:00 EDT)."""
    tz = ZoneInfo(zone)
    return tuple(sorted({start.replace(tzinfo=tz).astimezone(UTC) for start in wall_times}))


def _counting_start(rule: rrule, year: int) -> datetime:
    """Where iterating ``rule`` for ``year`` may begin without changing a start of that year.

    dateutil counts every rule from its DTSTART, so a rule on the default one (2000-01-01) would
    walk through every hour since 2000. Without COUNT and with INTERVAL 1, each period's starts
    depend only on the period and on what DTSTART lends the rule (its month, day, weekday and
    time of day): a later 1 January on the same weekday, before ``year``, lends the same.
    """
    origin = rule._dtstart
    if origin != DEFAULT_DTSTART or rule._count is not None or rule._interval != 1:
        return origin
    later = year - 1
    while later > origin.year and datetime(later, 1, 1).weekday() != origin.weekday():
        later -= 1
    return max(origin, datetime(later, 1, 1))


@lru_cache(maxsize=256)
def _rrule_starts(text: str, zone: str, year: int) -> tuple[datetime, ...]:
    """The rule's starts (aware, as UTC instants) whose wall clock falls in ``year`` (± slack).

    The rule is cut at the end of that year before iterating, so a rule that never fires
    (BYMONTH=2;BYMONTHDAY=31) ends instead of searching to year 9999; COUNT then keeps the
    first occurrences counted from DTSTART, as RFC 5545 counts them.
    """
    rule = _parse_rrule(text)
    low = datetime(year, 1, 1) - _SLACK
    high = datetime(year + 1, 1, 1) + _SLACK
    until = rule._until if rule._until is not None and rule._until < high else high
    bounded = rule.replace(dtstart=_counting_start(rule, year), count=None, until=until)
    starts: list[datetime] = []
    for number, start in enumerate(bounded, start=1):
        if rule._count is not None and number > rule._count:
            break
        if start >= low:
            starts.append(start)
    return _placed(starts, zone)


@lru_cache(maxsize=256)
def _cron_trigger(fields: str) -> CronTrigger:
    """The crontab line on the naive wall clock (as UTC, which has no offset changes), so each
    wall time fires once; zoneinfo then places it (see the module docstring)."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(**dict(zip(_CRON_KEYWORDS, fields.split(), strict=True)), timezone=UTC)


@lru_cache(maxsize=256)
def _cron_starts(fields: str, zone: str, year: int) -> tuple[datetime, ...]:
    trigger = _cron_trigger(fields)
    moment = datetime(year, 1, 1, tzinfo=UTC) - _SLACK
    high = datetime(year + 1, 1, 1, tzinfo=UTC) + _SLACK
    starts: list[datetime] = []
    while True:
        fire = trigger.get_next_fire_time(None, moment)
        if fire is None or fire >= high:
            break
        starts.append(fire.replace(tzinfo=None))
        moment = fire + timedelta(seconds=1)
    return _placed(starts, zone)


@dataclass(frozen=True)
class Recurrence:
    """The start times of a schedule: ``cron`` holds crontab fields with weekday names."""

    kind: Kind
    expression: str
    zone: str

    def _year(self, year: int) -> tuple[datetime, ...]:
        """The year's starts, sorted; worked out once per schedule and year (the router asks
        on every message)."""
        if year < 1 or year > 9998:
            return ()
        if self.kind == "cron":
            return _cron_starts(self.expression, self.zone, year)
        return _rrule_starts(self.expression, self.zone, year)

    def starts_between(self, low: datetime, high: datetime) -> list[datetime]:
        """Starts ``s`` with ``low <= s < high`` (aware moments, compared as instants)."""
        tz = ZoneInfo(self.zone)
        first = (low.astimezone(tz) - _SLACK).year
        last = (high.astimezone(tz) + _SLACK).year
        found: list[datetime] = []
        for year in range(first, last + 1):
            starts = self._year(year)
            found.extend(starts[bisect_left(starts, low) : bisect_left(starts, high)])
        return sorted(dict.fromkeys(found))

    def last_start(self, at: datetime, within: timedelta) -> datetime | None:
        """The latest start at or before ``at`` and later than ``at - within``."""
        tick = timedelta(microseconds=1)
        starts = self.starts_between(at - within + tick, at + tick)
        return starts[-1] if starts else None

    def next_start(self, after: datetime, horizon: timedelta = NEVER_HORIZON) -> datetime | None:
        """The first start strictly after ``after``, searched one year at a time."""
        tz = ZoneInfo(self.zone)
        year = (after.astimezone(tz) - _SLACK).year
        end = after + horizon
        while True:
            starts = self._year(year)
            later = bisect_right(starts, after)
            if later < len(starts):
                return starts[later]
            year += 1
            if datetime(year, 1, 1, tzinfo=tz) > end:
                return None

    def first_start(self) -> datetime | None:
        """The first start there is (from DTSTART for an RRULE); None when it never fires."""
        tz = ZoneInfo(self.zone)
        if self.kind == "cron":
            origin = DEFAULT_DTSTART.replace(tzinfo=UTC)
            fire = _cron_trigger(self.expression).get_next_fire_time(None, origin)
            return None if fire is None else fire.replace(tzinfo=tz).astimezone(UTC)
        rule = _parse_rrule(self.expression)
        if _impossible_days(rule):
            return None
        horizon = rule._dtstart + NEVER_HORIZON
        until = rule._until if rule._until is not None and rule._until < horizon else horizon
        first = next(iter(rule.replace(count=None, until=until)), None)
        if first is None or rule._count == 0:
            return None
        return first.replace(tzinfo=tz).astimezone(UTC)

    def minimum_gap(self, since: datetime, horizon: timedelta = GAP_HORIZON) -> timedelta | None:
        """The shortest time between consecutive starts over ``horizon`` from ``since``."""
        starts = self.starts_between(since, since + horizon)
        gaps = [b - a for a, b in pairwise(starts)]
        return min(gaps) if gaps else None
