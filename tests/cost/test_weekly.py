"""The weekly cost report: the last full ISO week on any date, its figures against a known bill,
the month-end outlook across month and year ends, Cost Explorer requests through the cache,
posting once per week, and the daemon's job."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.cost.jobs import WEEKLY_REPORT
from sentinel.cost.render_weekly import weekly_message
from sentinel.cost.runs import run_report, run_weekly_report
from sentinel.cost.sources import ce_requests
from sentinel.cost.weekly import iso_week, last_full_week, week_of
from sentinel.daemon.registry import JobContext
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import bill as make_bill
from .bills import expected_total
from .project import MONITORS, write_config
from .slack_standin import SlackStandIn

S3 = "Amazon Simple Storage Service"
S3_TAGS = {"Environment": "production", "Service": "storage", "Owner": "team-web"}
WEEKLY = MONITORS.replace(
    "  top_services: 4\n",
    '  top_services: 4\n  weekly: {day: monday, at: "08:30", timezone: America/New_York}\n',
)


def close(value: Decimal | None, expected: float) -> bool:
    return value is not None and float(value) == pytest.approx(expected, abs=1e-6)


def test_the_last_full_week_on_every_day_of_five_years() -> None:
    day = date(2024, 1, 1)
    while day < date(2029, 1, 1):
        monday, sunday = last_full_week(day)
        assert monday.weekday() == 0 and sunday == monday + timedelta(days=6)
        assert 1 <= (day - sunday).days <= 7
        assert week_of(day)[0] == sunday + timedelta(days=1)
        day += timedelta(days=1)
    assert last_full_week(date(2024, 3, 4)) == (date(2024, 2, 26), date(2024, 3, 3))
    assert last_full_week(date(2027, 1, 4)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert iso_week(date(2026, 12, 28)) == "2026-W53"
    assert iso_week(date(2024, 12, 30)) == "2025-W01"


@pytest.fixture
def weekly_config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path / "config", monitors=WEEKLY))


# Mondays whose last full week spans a month end, a year end (a 53-week year), 29 February,
# and the week of a DST change (Europe/London, 29 March 2026), and a week inside one month.
MONDAYS = [
    date(2026, 3, 2),
    date(2027, 1, 4),
    date(2028, 3, 6),
    date(2026, 4, 6),
    date(2026, 6, 22),
]


@pytest.mark.parametrize("today", MONDAYS, ids=str)
def test_weekly_figures_and_outlook(
    aws: SessionFactory, weekly_config: Config, store: Store, today: date
) -> None:
    extra = [(ago, S3, "Requests-Tier1", 30.0, S3_TAGS) for ago in range(1, 8)]
    table = make_bill(today, extra=extra)
    load_cost_table(table)
    monday, sunday = last_full_week(today)
    with time_machine.travel(
        datetime.combine(today, datetime.min.time(), UTC).replace(hour=10), tick=False
    ):
        report = run_weekly_report(weekly_config, aws, store, deliver=False).report

    assert (report.start, report.end) == (monday, sunday) and report.complete
    assert close(report.total.current, expected_total(table, monday, sunday))
    week_before = expected_total(table, monday - timedelta(days=7), sunday - timedelta(days=7))
    assert close(report.total.previous, week_before)
    assert [d for d, _ in report.days] == [monday + timedelta(days=n) for n in range(7)]
    assert close(
        report.days[2][1],
        expected_total(table, monday + timedelta(days=2), monday + timedelta(days=2)),
    )

    by = {m.dimension: m for m in report.movers}
    top = by["service"].moves[0]
    assert top.name == S3
    assert close(
        top.change.amount,
        210.0
        + expected_total(table, monday, sunday, service=S3)
        - 210.0
        - expected_total(table, monday - timedelta(days=7), sunday - timedelta(days=7), service=S3),
    )
    assert top.change.percent is not None and top.change.percent > 0
    assert "Environment" in by  # the other groupings too

    month = sunday.replace(day=1)
    months = report.months
    if monday < month:  # the week began in the month before: that month closed in it
        closed = months[0]
        assert closed.closed and closed.month == monday.replace(day=1)
        assert close(closed.actual, expected_total(table, closed.month, month - timedelta(days=1)))
    current = months[-1]
    assert current.month == month and not current.closed
    assert close(current.actual, expected_total(table, month, sunday))
    assert current.forecast is not None and current.forecast.total > current.forecast.actual
    # One text for Slack within its limits, naming the week.
    message = weekly_message(report)
    assert report.week in message["blocks"][0]["text"]["text"]


def test_a_weekly_report_after_the_daily_one_asks_cost_explorer_nothing(
    aws: SessionFactory, bill: CostTable, weekly_config: Config, store: Store, today: date
) -> None:
    monday, sunday = last_full_week(today)
    run_report(weekly_config, aws, store, sunday, deliver=False)
    before = ce_requests(aws)
    report = run_weekly_report(weekly_config, aws, store, monday, deliver=False).report
    assert report.ce_requests == 0 and ce_requests(aws) == before

    # Cold: the first weekly run pays, the second is all cache.
    other = Store(f"sqlite:///{store.engine.url.database}-cold")
    try:
        first = run_weekly_report(weekly_config, aws, other, monday, deliver=False).report
        assert first.ce_requests > 0
        before = ce_requests(aws)
        second = run_weekly_report(weekly_config, aws, other, monday, deliver=False).report
        assert second.ce_requests == 0 and ce_requests(aws) == before
    finally:
        other.dispose()


def test_posted_once_a_week_under_its_own_key(
    aws: SessionFactory,
    bill: CostTable,
    weekly_config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    run = run_weekly_report(weekly_config, aws, store)
    assert run.deliveries is not None and run.deliveries[0].status == "posted"
    [posted] = slack.calls("chat.postMessage")
    assert posted.params["channel"] == "#shop-finops"
    assert posted.params["blocks"] == weekly_message(run.report)["blocks"]

    again = run_weekly_report(weekly_config, aws, store)
    assert again.deliveries is not None and again.deliveries[0].status == "already posted"
    # The daily report of the same days is another message.
    daily = run_report(weekly_config, aws, store, run.report.end)
    assert daily.deliveries is not None and daily.deliveries[0].status == "posted"
    assert len(slack.calls("chat.postMessage")) == 2


def test_the_daemon_job_runs_monday_morning_in_its_own_time_zone(
    aws: SessionFactory, bill: CostTable, weekly_config: Config, store: Store, today: date
) -> None:
    assert WEEKLY_REPORT.schedule(weekly_config) == "30 8 * * mon"
    assert WEEKLY_REPORT.zone(weekly_config) == "America/New_York"
    assert WEEKLY_REPORT.period == "week"
    # Monday 08:30 in New York; the project's zone (London) is already Monday afternoon.
    monday = week_of(today)[0]
    scheduled = datetime.combine(monday, datetime.min.time(), ZoneInfo("America/New_York"))
    scheduled = scheduled.replace(hour=8, minute=30).astimezone(ZoneInfo("Europe/London"))
    context = JobContext(weekly_config, aws, store, scheduled, "week")
    summary = WEEKLY_REPORT.run(context)
    expected = last_full_week(scheduled.astimezone(ZoneInfo("America/New_York")).date())
    assert f"weekly report for {iso_week(expected[0])}" in summary
    assert "not posted, Slack not configured" in summary


def test_without_weekly_there_is_no_weekly_job(config: Config) -> None:
    assert WEEKLY_REPORT.schedule(config) is None
    assert WEEKLY_REPORT.zone(config) == "Europe/London"


def test_the_schedule_keeps_its_local_time_across_daylight_saving_changes(
    weekly_config: Config,
) -> None:
    from sentinel.daemon.scheduler import trigger_for

    zone = ZoneInfo("America/New_York")
    trigger = trigger_for(
        WEEKLY_REPORT.schedule(weekly_config) or "", WEEKLY_REPORT.zone(weekly_config)
    )
    # Clocks change on Sunday 8 March and Sunday 1 November 2026 in New York.
    for after, expected in [
        (datetime(2026, 3, 3, tzinfo=zone), datetime(2026, 3, 9, 8, 30, tzinfo=zone)),
        (datetime(2026, 10, 27, tzinfo=zone), datetime(2026, 11, 2, 8, 30, tzinfo=zone)),
    ]:
        fire = trigger.get_next_fire_time(None, after)
        assert fire is not None and fire == expected
        assert fire.astimezone(zone).hour == 8 and fire.utcoffset() == expected.utcoffset()
        monday, sunday = last_full_week(fire.astimezone(zone).date())
        assert (sunday - monday).days == 6 and sunday < fire.date()
