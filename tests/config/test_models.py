"""Model checks whose words users see: schedules, time zones, periods, destinations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sentinel.config.models.base import _check_cloudwatch_period, _check_timezone
from sentinel.config.models.monitors import _check_cron
from sentinel.config.models.routing import Destination


@pytest.mark.parametrize(
    ("schedule", "normalised"),
    [
        ("0 9 * * *", "0 9 * * *"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("30 8 1 * *", "30 8 1 * *"),
        ("0 9 * * 1-5", "0 9 * * mon-fri"),
    ],
)
def test_schedules(schedule: str, normalised: str) -> None:
    assert _check_cron(schedule) == normalised


@pytest.mark.parametrize(
    ("schedule", "why"),
    [
        ("0 25 * * *", "hour '25': maximum is 23"),
        ("61 * * * *", "minute '61': maximum is 59"),
        ("0 0 0 * *", "day '0': minimum is 1"),
        ("0 0 1 13 *", "month '13': maximum is 12"),
        ("0 9 * * mon-fry", "weekday 'mon-fry': invalid weekday name \"fry\""),
        ("*/0 * * * *", "minute '*/0': increment must be higher than 0"),
        ("every monday", "expected five fields, minute hour day month weekday, like '0 9 * * *'"),
        ("0 9 * * 1 2", "expected five fields"),
    ],
)
def test_schedule_errors_name_the_field(schedule: str, why: str) -> None:
    with pytest.raises(ValueError) as caught:
        _check_cron(schedule)

    assert str(caught.value).startswith(f"invalid schedule {schedule!r}: {why}")


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("Europe/Londn", "unknown time zone 'Europe/Londn': did you mean 'Europe/London'?"),
        (
            "america/new_york",
            "unknown time zone 'america/new_york': did you mean 'America/New_York'?",
        ),
        ("utc", "unknown time zone 'utc': did you mean 'UTC'?"),
        (
            "Mars/Olympus",
            "unknown time zone 'Mars/Olympus': expected an IANA name like Europe/London",
        ),
    ],
)
def test_unknown_time_zones(zone: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        _check_timezone(zone)

    assert str(caught.value) == message


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York"])
def test_time_zones(zone: str) -> None:
    assert _check_timezone(zone) == zone


@pytest.mark.parametrize("seconds", [10, 20, 30, 60, 300, 86400])
def test_cloudwatch_periods(seconds: int) -> None:
    assert _check_cloudwatch_period(seconds) == seconds


@pytest.mark.parametrize("seconds", [5, 15, 45, 90])
def test_cloudwatch_refuses_other_periods(seconds: int) -> None:
    with pytest.raises(ValueError, match="CloudWatch allows 10s, 20s, 30s or a multiple of 1m"):
        _check_cloudwatch_period(seconds)


def test_a_destination_has_one_kind() -> None:
    assert Destination.model_validate({"email": "a@example.com"}).kind == "email"
    lam = "arn:aws:lambda:us-east-1:123456789012:function:notify"
    assert Destination.model_validate({"lambda": lam}).kind == "lambda"


@pytest.mark.parametrize(
    ("data", "has"),
    [
        ({}, "none"),
        (
            {"email": "a@example.com", "https": "env:HOOK"},
            "email and https: write each as its own list item",
        ),
    ],
)
def test_a_destination_says_what_it_holds(data: dict[str, str], has: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Destination.model_validate(data)

    [error] = caught.value.errors(include_url=False)
    assert error["msg"].endswith(f"; this one has {has}")
