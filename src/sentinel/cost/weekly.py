"""The weekly cost report as data: the last full ISO week against the week before.

A week is Monday to Sunday. The report gives the week's total and each day, the week's top
movers by service and by each of the report's other groupings (tag keys, accounts) with
their change in dollars and percent, the outlook of the month the week ends in (month to date
and the month-end forecast of ``sentinel.cost.forecast``) and of a month that closed inside the
week (its final total), the budgets at the week's end, and the utilization and coverage
budgets over the week against the week before.

Its data comes through the cost cache over the same window as the daily report of the week's
last day, so a weekly report run after that daily report asks Cost Explorer for no cost data
again (the forecast is one request a day, shared with the daily report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.cost.budgets import BudgetStatus, applied_budgets, budget_statuses
from sentinel.cost.cache import CostCache
from sentinel.cost.commitments import CommitmentStatus, commitment_statuses
from sentinel.cost.data import CostData, MissingData
from sentinel.cost.forecast import MonthForecast, month_end_forecast
from sentinel.cost.groupings import CostPlan, Dimension, plan_for
from sentinel.cost.report import Change
from sentinel.cost.sources import next_month, previous_month, source_label

ZERO = Decimal(0)
WEEK = timedelta(days=7)
MAX_MOVERS = 5


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def last_full_week(today: date) -> tuple[date, date]:
    """Monday and Sunday of the last ISO week that ended before ``today``."""
    return week_of(today - WEEK)


def iso_week(monday: date) -> str:
    """``2026-W48``: the week's name in outbox keys and titles."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Move:
    name: str
    change: Change


@dataclass(frozen=True)
class Movers:
    """The biggest changes, week on week, of one grouping (``service``, ``Environment``...)."""

    dimension: str
    moves: list[Move]


@dataclass(frozen=True)
class MonthOutlook:
    """A month the week touches: closed inside the week (``forecast`` None) or still open."""

    month: date  # its first day
    actual: Decimal | None  # through the week's end, or the whole month when closed
    forecast: MonthForecast | None
    closed: bool


@dataclass
class WeeklyReport:
    project: str
    start: date  # Monday
    end: date  # Sunday
    generated_at: datetime
    total: Change  # the week against the week before
    days: list[tuple[date, Decimal | None]]
    movers: list[Movers]
    months: list[MonthOutlook]
    budgets: list[BudgetStatus]
    commitments: list[CommitmentStatus] = field(default_factory=list)
    missing: list[MissingData] = field(default_factory=list)
    estimated: list[date] = field(default_factory=list)
    ce_requests: int = 0
    source: str = "Cost Explorer"  # where the figures come from

    @property
    def week(self) -> str:
        return iso_week(self.start)

    @property
    def complete(self) -> bool:
        return not self.missing


def build_weekly_report(
    config: Any,
    cache: CostCache,
    factory: SessionFactory | None,
    monday: date,
    today: date | None = None,
) -> WeeklyReport:
    """The report of the week starting ``monday`` for a loaded ``Config``."""
    today = today or clock.today()
    start, end = week_of(monday)
    plan = plan_for(config, cache.source.max_group_by)
    before = cache.stats.requests
    # The daily report's window of the week's last day: what it fetched is not fetched again.
    data = cache.load(plan, previous_month(end), end, today)
    applied: dict[str, dict[str, Any]] | str = (
        applied_budgets(factory) if factory is not None and config.budgets else {}
    )
    report = WeeklyReport(
        project=config.name,
        start=start,
        end=end,
        generated_at=clock.now(),
        total=Change(_sum(data, start, end), _sum(data, start - WEEK, end - WEEK)),
        days=[(d, _sum(data, d, d)) for d in _days(start, end)],
        movers=_movers(plan, data, start, end),
        months=_months(data, start, end, today, cache),
        budgets=budget_statuses(config, data, end, applied, today, source_label(cache.source)),
        commitments=commitment_statuses(
            config,
            cache,
            factory,
            lambda budget: start,
            end,
            today,
            previous=lambda budget: (start - WEEK, end - WEEK),
        ),
        missing=list(data.missing),
        estimated=sorted(d for d in data.estimated if start - WEEK <= d <= end),
        source=source_label(cache.source),
    )
    report.ce_requests = cache.stats.requests - before
    return report


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _sum(data: CostData, start: date, end: date) -> Decimal | None:
    if start < data.start or data.missing_days(start, end):
        return None
    return data.amount(start, end)


def _movers(plan: CostPlan, data: CostData, start: date, end: date) -> list[Movers]:
    """Per grouping, the values whose spend changed most, in dollars, week on week."""
    if start - WEEK < data.start or data.missing_days(start - WEEK, end):
        return []
    out = []
    for dimension in plan.daily_dimensions:
        current = data.amounts_by(dimension, start, end)
        previous = data.amounts_by(dimension, start - WEEK, end - WEEK)
        moves = [
            Move(_value_label(dimension, v), Change(current.get(v, ZERO), previous.get(v, ZERO)))
            for v in set(current) | set(previous)
        ]
        moves = [m for m in moves if m.change.amount]
        moves.sort(key=lambda m: (-abs(m.change.amount or ZERO), m.name))
        if moves:
            out.append(Movers(dimension.title, moves[:MAX_MOVERS]))
    return out


def _value_label(dimension: Dimension, value: str) -> str:
    return value if value != "" or dimension.kind != "TAG" else "(untagged)"


def _months(
    data: CostData, start: date, end: date, today: date, cache: CostCache
) -> list[MonthOutlook]:
    """The month that closed inside the week, if one did, then the month the week ends in."""
    out = []
    month = end.replace(day=1)
    if start < month:  # the week began in the month before
        closed = start.replace(day=1)
        out.append(MonthOutlook(closed, _sum(data, closed, month - timedelta(days=1)), None, True))
    actual = _sum(data, month, end)
    if end + timedelta(days=1) == next_month(end):
        out.append(MonthOutlook(month, actual, None, True))  # the week closed the month
        return out
    forecast = month_end_forecast(data, end, actual, today, cache) if actual is not None else None
    out.append(MonthOutlook(month, actual, forecast, False))
    return out
