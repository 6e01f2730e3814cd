"""On-call: weekly and daily rotations, Monday 09:00 handoffs across DST, overrides, PagerDuty."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sentinel.config.models.routing import OnCall
from sentinel.routing.endpoints import ServiceEndpoints
from sentinel.routing.oncall import OnCallError, PagerDutySchedule, Rotation, pagerduty_rest_client
from sentinel.routing.standins import StandIns


def oncall(**overrides: object) -> OnCall:
    data: dict[str, object] = {
        "timezone": "Europe/London",
        "rotation": "weekly",
        "handoff": "Monday 09:00",
        "start": "2026-01-05",
        "members": [
            {"name": "Ana", "email": "ana@shop.example", "slack": "U0ANA"},
            {"name": "Bo", "email": "bo@shop.example"},
            "Cy",
        ],
    }
    data.update(overrides)
    return OnCall.model_validate(data)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def who(rotation: Rotation, moment: datetime) -> str | None:
    shift = rotation.shift_at(moment)
    return shift.person.name if shift else None


def test_handoff_is_exactly_monday_0900_local() -> None:
    rotation = Rotation(oncall())
    # 2026-01-12 is a Monday; London is on GMT in January.
    assert who(rotation, utc("2026-01-12T08:59:59.999999")) == "Ana"
    assert who(rotation, utc("2026-01-12T09:00:00")) == "Bo"
    shift = rotation.shift_at(utc("2026-01-12T09:00:00"))
    assert shift is not None
    assert shift.start == utc("2026-01-12T09:00:00") and shift.end == utc("2026-01-19T09:00:00")


def test_handoff_across_the_spring_daylight_saving_change() -> None:
    rotation = Rotation(oncall())
    # Clocks go forward on Sunday 2026-03-29: Monday 30 March 09:00 BST is 08:00 UTC.
    before = rotation.shift_at(utc("2026-03-30T07:59:59"))
    after = rotation.shift_at(utc("2026-03-30T08:00:00"))
    assert before is not None and after is not None
    assert before.person.name != after.person.name
    assert before.end == after.start == utc("2026-03-30T08:00:00")
    assert before.end - before.start == timedelta(hours=7 * 24 - 1)  # one hour short


def test_handoff_across_the_autumn_change_in_new_york() -> None:
    rotation = Rotation(oncall(timezone="America/New_York", start="2026-10-26"))
    # EDT ends Sunday 2026-11-01: Monday 2 November 09:00 EST is 14:00 UTC (13:00 a week before).
    assert rotation.handoff(0) == utc("2026-10-26T13:00:00")
    assert rotation.handoff(1) == utc("2026-11-02T14:00:00")
    assert who(rotation, utc("2026-11-02T13:59:59")) == "Ana"
    assert who(rotation, utc("2026-11-02T14:00:00")) == "Bo"


def test_rotation_wraps_around_the_members() -> None:
    rotation = Rotation(oncall())
    names = [who(rotation, utc("2026-01-05T12:00:00") + timedelta(weeks=w)) for w in range(7)]
    assert names == ["Ana", "Bo", "Cy", "Ana", "Bo", "Cy", "Ana"]


def test_start_on_a_wednesday_runs_a_short_first_shift() -> None:
    rotation = Rotation(oncall(start=date(2026, 1, 7)))
    assert who(rotation, utc("2026-01-07T08:00:00")) is None
    assert who(rotation, utc("2026-01-07T09:00:00")) == "Ana"
    assert who(rotation, utc("2026-01-12T09:00:00")) == "Bo"


def test_daily_rotation_hands_off_every_day_at_the_time() -> None:
    rotation = Rotation(oncall(rotation="daily", handoff="Monday 08:30", timezone="Asia/Tokyo"))
    # 08:30 JST is 23:30 UTC the day before.
    assert who(rotation, utc("2026-01-05T23:29:00")) == "Ana"
    assert who(rotation, utc("2026-01-05T23:30:00")) == "Bo"
    assert who(rotation, utc("2026-01-06T23:30:00")) == "Cy"


def test_override_replaces_the_rotation_and_cuts_its_shift() -> None:
    rotation = Rotation(
        oncall(
            overrides=[
                {
                    "start": "2026-01-14T18:00:00+00:00",
                    "end": "2026-01-16T09:00:00+00:00",
                    "member": "Cy",
                }
            ]
        )
    )
    assert who(rotation, utc("2026-01-14T17:59:00")) == "Bo"
    assert who(rotation, utc("2026-01-15T12:00:00")) == "Cy"
    assert who(rotation, utc("2026-01-16T09:00:00")) == "Bo"
    before = rotation.shift_at(utc("2026-01-13T10:00:00"))
    assert before is not None and before.end == utc("2026-01-14T18:00:00")
    report = rotation.report(utc("2026-01-13T10:00:00"))
    assert report.next is not None and report.next.person.name == "Cy"
    assert report.next.source == "override"


def test_report_names_now_next_and_escalation() -> None:
    rotation = Rotation(oncall(escalation={"contact": "Duty Manager", "email": "dm@shop.example"}))
    report = rotation.report(utc("2026-02-03T10:00:00"))
    assert report.current is not None and report.next is not None
    # Week of Monday 2 February: the fifth shift, Ana, Bo, Cy, Ana, then Bo.
    assert (report.current.person.name, report.next.person.name) == ("Bo", "Cy")
    assert report.next.start == utc("2026-02-09T09:00:00")
    assert report.escalation == "Duty Manager <dm@shop.example>"


def test_before_the_first_shift_nobody_is_on_call_but_the_first_is_next() -> None:
    report = Rotation(oncall()).report(utc("2025-12-31T10:00:00"))
    assert report.current is None
    assert report.next is not None and report.next.person.name == "Ana"


def schedule(standins: StandIns, config: OnCall) -> PagerDutySchedule:
    endpoints: ServiceEndpoints = standins.endpoints()
    return PagerDutySchedule(
        "PSCHED1",
        config,
        lambda: pagerduty_rest_client("rest-token", endpoints.pagerduty_api, endpoints.ssl_context),
    )


def test_pagerduty_schedule_through_the_rest_api(standins: StandIns) -> None:
    standins.pagerduty.oncalls = [
        {
            "user": {"id": "P1", "summary": "Bo", "name": "Bo", "email": "bo@shop.example"},
            "start": "2026-02-02T09:00:00Z",
            "end": "2026-02-09T09:00:00Z",
            "escalation_level": 1,
        },
        {
            "user": {
                "id": "P9",
                "summary": "Dee Ng",
                "name": "Dee Ng",
                "email": "dee@shop.example",
            },
            "start": "2026-02-09T09:00:00Z",
            "end": "2026-02-16T09:00:00Z",
            "escalation_level": 1,
        },
    ]
    report = schedule(standins, oncall(pagerduty_schedule="PSCHED1")).report(
        utc("2026-02-03T10:00:00")
    )
    assert report.current is not None and report.next is not None
    assert report.current.person.name == "Bo" and report.current.source == "pagerduty"
    assert report.current.person.slack is None  # Bo has no Slack id in the config
    assert report.next.person.name == "Dee Ng" and report.next.start == utc("2026-02-09T09:00:00")
    request = standins.pagerduty.requests[-1]
    assert request.path == "/oncalls" and request.query["schedule_ids[]"] == ["PSCHED1"]
    assert request.headers["Authorization"] == "Token token=rest-token"


def test_pagerduty_schedule_maps_users_to_members_by_email(standins: StandIns) -> None:
    standins.pagerduty.oncalls = [
        {
            "user": {"id": "P1", "summary": "Ana L.", "email": "ANA@shop.example"},
            "start": "2026-02-02T09:00:00Z",
            "end": "2026-02-09T09:00:00Z",
        },
    ]
    shift = schedule(standins, oncall(pagerduty_schedule="PSCHED1")).shift_at(
        utc("2026-02-03T10:00:00")
    )
    assert shift is not None and shift.person.name == "Ana" and shift.person.slack == "U0ANA"


def test_pagerduty_schedule_unreachable_is_an_error(standins: StandIns) -> None:
    from sentinel.routing.standins import Scripted

    standins.pagerduty.respond(Scripted(401, body={"error": {"message": "Unauthorized"}}))
    with pytest.raises(OnCallError, match="PSCHED1"):
        schedule(standins, oncall(pagerduty_schedule="PSCHED1")).report(utc("2026-02-03T10:00:00"))
