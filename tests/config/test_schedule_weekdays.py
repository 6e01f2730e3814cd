"""Crontab weekdays mean what crontab says (0 and 7 are Sunday) under APScheduler too."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from sentinel.config.models.monitors import SloReview, crontab_weekdays

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon-fri"),
        ("0-4", "sun,mon-thu"),
        ("5-7", "fri-sun"),
        ("*/2", "sun,tue,thu,sat"),
        ("1,3", "mon,wed"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
    ],
)
def test_crontab_weekday_numbers_become_names(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names


def test_monday_review_fires_on_monday_0900_local() -> None:
    review = SloReview(schedule="0 9 * * 1")
    trigger = CronTrigger.from_crontab(review.schedule, timezone=LONDON)
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)
    fire = trigger.get_next_fire_time(None, sunday)
    assert fire == datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    assert fire.strftime("%A") == "Monday"


def test_sunday_as_seven_is_accepted() -> None:
    assert SloReview(schedule="0 9 * * 7").schedule == "0 9 * * sun"
