"""Recurring maintenance windows in alarms/routing.yaml: what parses, each mistake at its line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from sentinel.config import load_config
from sentinel.errors import ConfigError

from .cases import RESOURCE_TYPES

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

ROUTING = """\
severities:
  high:
    notify:
      - email: ops@shop.example
router:
  group_wait: 1m
maintenance:
"""


def load(tmp_path: Path, windows: str, timezone: str = "UTC") -> object:
    (tmp_path / "alarms").mkdir(exist_ok=True)
    (tmp_path / "sentinel.yaml").write_text(f"project: shop\ntimezone: {timezone}\n")
    (tmp_path / "alarms" / "routing.yaml").write_text(ROUTING + windows)
    with time_machine.travel(NOW, tick=False):
        return load_config(tmp_path, known_resource_types=RESOURCE_TYPES)


def problems(tmp_path: Path, windows: str, timezone: str = "UTC") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, windows, timezone)
    prefix = str(tmp_path / "alarms" / "routing.yaml") + ":"
    return [str(p).removeprefix(prefix) for p in caught.value.problems]


def window(name: str, *fields: str) -> str:
    """A block-style window holding every alarm, one ``key: value`` line a field."""
    return f'  - name: {name}\n    alarms: ["*"]\n' + "".join(f"    {field}\n" for field in fields)


def test_cron_and_rrule_windows_parse(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
  - name: sunday-updates
    alarms: ["ips-*"]
    every: "0 2 * * SUN"
    duration: 2h
    timezone: UTC
    notice: {before: 30m, slack: "#ips-ops"}
    reason: Major updates
  - name: monthly-patching
    alarms: ["*"]
    rrule: "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=2;BYMINUTE=0"
    duration: 2h
  - name: db-upgrade
    alarms: ["db-*"]
    start: "2026-03-10T01:00:00+00:00"
    end: "2026-03-10T03:00:00+00:00"
""",
    )
    routing = config.routing  # type: ignore[attr-defined]
    sunday, monthly, dated = routing.maintenance
    assert sunday.every == "0 2 * * SUN" and sunday.duration == 7200
    assert sunday.notice.before == 1800 and sunday.notice.slack == "#ips-ops"
    assert monthly.timezone is None and monthly.recurring
    assert not dated.recurring
    first = monthly.recurrence("UTC").next_start(NOW)
    assert first == datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # the first Sunday of December


def test_crontab_weekday_numbers_are_crontab_ones(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '  - {name: w, alarms: ["*"], every: "0 2 * * 0", duration: 2h}\n',
    )
    window = config.routing.maintenance[0]  # type: ignore[attr-defined]
    start = window.recurrence("UTC").next_start(NOW)
    assert start == datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    assert start.strftime("%A") == "Sunday"


def test_a_duration_longer_than_the_period_overlaps(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        '  - {name: w, alarms: ["*"], every: "0 2 * * *", duration: 25h, timezone: UTC}\n',
    ) == [
        "8:5: duration 25h is longer than the 1d between two starts of every '0 2 * * *' on "
        "UTC's clock: the occurrences would overlap (maintenance[0])"
    ]


def test_the_overlap_counts_the_short_day_of_the_project_timezone(tmp_path: Path) -> None:
    # 02:00 to 02:00 across the spring-forward night in New York is 23 hours.
    window = '  - {name: w, alarms: ["*"], every: "0 2 * * *", duration: 24h}\n'
    load(tmp_path, window)  # on UTC's clock every day has 24 hours
    assert problems(tmp_path, window, timezone="America/New_York") == [
        "8:37: duration 1d is longer than the 23h between two starts of every '0 2 * * *' on "
        "America/New_York's clock: the occurrences would overlap"
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "DTSTART:20260104T020000\\nRRULE:FREQ=WEEKLY;UNTIL=20250101T000000",
    ],
)
def test_an_rrule_that_never_fires(tmp_path: Path, rule: str) -> None:
    assert problems(
        tmp_path,
        f'  - {{name: w, alarms: ["*"], rrule: "{rule}", duration: 2h, timezone: UTC}}\n',
    ) == [f"8:5: rrule '{rule}' never fires (maintenance[0])"]


def test_until_is_local_time_like_dtstart(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        '  - {name: w, alarms: ["*"], rrule: "FREQ=WEEKLY;UNTIL=20270101T000000Z", duration: 2h}\n',
    ) == [
        "8:5: invalid rrule 'FREQ=WEEKLY;UNTIL=20270101T000000Z': UNTIL is read on the window's "
        "timezone: write it without Z, like UNTIL=20270101T000000 (maintenance[0])"
    ]


def test_a_cron_that_never_fires(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        '  - {name: w, alarms: ["*"], every: "0 2 30 2 *", duration: 2h, timezone: UTC}\n',
    ) == ["8:5: every '0 2 30 2 *' never fires (maintenance[0])"]


@pytest.mark.parametrize("every", ["*/5 * * * *", "* * * * *", "0,30 2 * * *"])
def test_a_cron_more_often_than_hourly_is_refused_before_any_start_is_worked_out(
    tmp_path: Path, every: str
) -> None:
    [problem] = problems(
        tmp_path,
        f'  - {{name: w, alarms: ["*"], every: "{every}", duration: 1m, timezone: UTC}}\n',
    )
    assert problem.startswith("8:")
    assert "recurs at most hourly" in problem


def test_each_mistake_at_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        window("bad-cron", 'every: "0 25 * * *"', "duration: 2h")
        + window("four-fields", 'every: "0 2 * *"', "duration: 2h")
        + window("bad-rrule", 'rrule: "FREQ=FORTNIGHTLY"', "duration: 2h")
        + window("no-time", 'every: "0 2 * * *"', "duration: 0s")
        + window(
            "both",
            'every: "0 2 * * *"',
            "duration: 2h",
            'start: "2026-03-10T01:00:00+00:00"',
            'end: "2026-03-10T03:00:00+00:00"',
        )
        + window("nowhere", 'every: "0 2 * * *"', "duration: 2h", "timezone: Mars/Olympus")
        + window("how-long", 'every: "0 2 * * *"')
        + window("count-from-when", 'rrule: "FREQ=WEEKLY;COUNT=4"', "duration: 2h"),
    )
    assert found == [
        "10:12: invalid schedule '0 25 * * *': hour '25': maximum is 23 (maintenance[0].every)",
        "14:12: invalid schedule '0 2 * *': expected five fields, minute hour day month "
        "weekday, like '0 9 * * *' (maintenance[1].every)",
        "16:5: invalid rrule 'FREQ=FORTNIGHTLY': invalid 'FREQ': FORTNIGHTLY; expected an RFC "
        "5545 rule like FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0 (maintenance[2])",
        "23:15: invalid duration '0s': must be positive (maintenance[3].duration)",
        "24:5: a maintenance window has exactly one of: start and end, every, rrule; this one "
        "has start/end and every (maintenance[4])",
        "34:15: unknown time zone 'Mars/Olympus': expected an IANA name like Europe/London "
        "(maintenance[5].timezone)",
        "35:5: a recurring maintenance window needs a duration, like 2h (maintenance[6])",
        "38:5: invalid rrule 'FREQ=WEEKLY;COUNT=4': COUNT and INTERVAL count from DTSTART: "
        "give one, like DTSTART:20260104T020000 on the line before RRULE: (maintenance[7])",
    ]


def test_a_notice_names_a_channel_or_a_severity(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        window(
            "both",
            'every: "0 2 * * SUN"',
            "duration: 2h",
            'notice: {before: 30m, slack: "#ops", severity: high}',
        ),
    ) == ["12:13: a notice has exactly one of: slack (a channel), severity (maintenance[0].notice)"]


def test_a_notice_severity_is_defined_and_has_slack(tmp_path: Path) -> None:
    sunday = ('every: "0 2 * * SUN"', "duration: 2h")
    found = problems(
        tmp_path,
        window("unknown-severity", *sunday, "notice: {before: 30m, severity: hihg}")
        + window("no-slack", *sunday, "notice: {before: 30m, severity: high}"),
    )
    assert found == [
        "12:37: unknown severity 'hihg'; did you mean 'high'?",
        "17:37: severity 'high' has no Slack destination to post the notice to: name a "
        "channel with `slack:`",
    ]
