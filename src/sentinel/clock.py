"""The one place Sentinel reads the wall clock.

Every "now" and "today" in the code comes from here, so a test pins time in one spot
(time-machine, or libfaketime around the whole process) and the whole program follows.
Durations are measured with ``time.monotonic`` / ``time.perf_counter`` and do not belong here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo


def now(tz: tzinfo = UTC) -> datetime:
    """The current moment, aware, in ``tz`` (UTC unless told)."""
    return datetime.now(tz)


def today(tz: tzinfo = UTC) -> date:
    """Today's date as seen in ``tz`` (UTC unless told)."""
    return datetime.now(tz).date()
