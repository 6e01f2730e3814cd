"""The weekly SLO review: each SLO's attainment, budget left, its trend, and its burn-down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from sentinel.aws.session import SessionFactory
from sentinel.config.models.monitors import Slo
from sentinel.config.units import parse_duration
from sentinel.slo.budget import SloStatus, evaluate
from sentinel.slo.sli import SliSeries
from sentinel.slo.status import period_end, read_histories

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class BurnDown:
    """Error budget left (percent) at the end of each hour of the current window.

    The window's budget is what its whole traffic allows; bad events spend it from 100 % at the
    window's start down to what is left now (below 0 once the SLO is breached).
    """

    times: list[datetime]
    remaining: list[float]


@dataclass(frozen=True)
class BudgetSpend:
    """Consecutive hours that burned faster than the budget allows (burn rate above 1)."""

    start: datetime
    end: datetime
    bad: float
    share: float  # percent of the bad events of the whole window


@dataclass(frozen=True)
class SloReviewEntry:
    status: SloStatus
    last_week: SloStatus
    burn_down: BurnDown
    spends: list[BudgetSpend] = field(default_factory=list)

    @property
    def trend(self) -> float | None:
        """Change in budget left since a week ago, in percentage points."""
        now, before = self.status.budget.remaining_percent, self.last_week.budget.remaining_percent
        return None if now is None or before is None else now - before

    @property
    def attainment_change(self) -> float | None:
        now, before = self.status.sli, self.last_week.sli
        return None if now is None or before is None else now - before


@dataclass
class SloReviewReport:
    project: str
    as_of: datetime
    entries: list[SloReviewEntry] = field(default_factory=list)


def burn_down(slo: Slo, series: SliSeries) -> BurnDown:
    period = parse_duration(slo.window)
    count = min(len(series.grid), period // series.grid.period)
    good, total = series.good[-count:], series.total[-count:]
    allowed = float(total.sum()) * (1.0 - float(slo.objective) / 100.0)
    spent = np.cumsum(total - good)
    remaining = 100.0 * (1.0 - spent / allowed) if allowed > 0 else np.full(count, np.nan)
    start = len(series.grid) - count
    times = [series.grid.time(start + i + 1) for i in range(count)]
    return BurnDown(times, [float(v) for v in remaining])


def budget_spends(slo: Slo, series: SliSeries, top: int = 3) -> list[BudgetSpend]:
    """Where the window's budget went: its runs of fast-burning hours, largest first."""
    count = min(len(series.grid), parse_duration(slo.window) // series.grid.period)
    offset = len(series.grid) - count
    bad, total = series.bad[-count:], series.total[-count:]
    spent = float(bad.sum())
    if spent <= 0:
        return []
    allowed_rate = 1.0 - float(slo.objective) / 100.0
    hot = (total > 0) & (bad > allowed_rate * np.maximum(total, 1e-12))
    spends: list[BudgetSpend] = []
    start: int | None = None
    for index in range(count + 1):
        burning = index < count and bool(hot[index])
        if burning and start is None:
            start = index
        elif not burning and start is not None:
            episode = float(bad[start:index].sum())
            spends.append(
                BudgetSpend(
                    series.grid.time(offset + start),
                    series.grid.time(offset + index),
                    episode,
                    100.0 * episode / spent,
                )
            )
            start = None
    return sorted(spends, key=lambda s: s.bad, reverse=True)[:top]


def slo_review(
    project: str,
    slos: Sequence[Slo],
    factory: SessionFactory,
    now: datetime | None = None,
    region: str | None = None,
) -> SloReviewReport:
    """Every SLO now and a week ago, from one batched read of the window plus a week."""
    end = period_end(now)
    report = SloReviewReport(project=project, as_of=end)
    histories = read_histories(slos, factory, end, extra=WEEK, region=region)
    week_hours = int(WEEK.total_seconds()) // 3600
    for history in histories:
        series = history.series
        now_status = evaluate(history.slo, series, end)
        before = evaluate(history.slo, series, end - WEEK, end_index=len(series.grid) - week_hours)
        report.entries.append(
            SloReviewEntry(
                now_status,
                before,
                burn_down(history.slo, series),
                budget_spends(history.slo, series),
            )
        )
    return report
