"""Sentinel reads the wall clock in one place, so pinning it there moves the whole program."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from sentinel import clock

SRC = Path(__file__).resolve().parents[1] / "src" / "sentinel"
WALL_CLOCK = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|datetime\.today|time\.time)\("
)


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    readers = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "clock.py" or path.parent != SRC
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WALL_CLOCK.search(line)
    ]
    assert readers == [], "read the time through sentinel.clock:\n" + "\n".join(readers)


def test_now_and_today_follow_a_pinned_clock_in_any_zone() -> None:
    # 23:30 UTC on 31 December is already 1 January in Auckland, still 31 December in New York.
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        assert clock.now().tzinfo is UTC
        assert clock.today() == date(2026, 12, 31)
        assert clock.today(ZoneInfo("Pacific/Auckland")) == date(2027, 1, 1)
        assert clock.today(ZoneInfo("America/New_York")) == date(2026, 12, 31)
        london = clock.now(ZoneInfo("Europe/London"))
        assert (london.hour, london.utcoffset()) == (23, UTC.utcoffset(None))
