"""Month-end forecast: Cost Explorer's when it answers, Sentinel's own projection otherwise.

GetCostForecast fails for new accounts and in the first days of a month (too little history),
and does not exist in every environment. The projection then spends, on each remaining day,
today's level with each weekday's usual distance from it: seasonal, and robust to a one-day
spike (an ongoing increase is assumed to go on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from sentinel.cost.cache import CostCache
from sentinel.cost.data import CostData
from sentinel.cost.sources import Forecast, next_month

ZERO = Decimal(0)


@dataclass(frozen=True)
class MonthForecast:
    month: date  # first day of the month
    actual: Decimal  # month to date, through the report's day
    remaining: Decimal
    daily: dict[date, Decimal]  # forecast per remaining day
    source: Literal["Cost Explorer", "Sentinel projection", "month complete"]
    note: str = ""

    @property
    def total(self) -> Decimal:
        return self.actual + self.remaining


def month_end_forecast(
    data: CostData, day: date, actual: Decimal, today: date, cache: CostCache | None
) -> MonthForecast:
    """The forecast of ``day``'s month, with ``actual`` spent through ``day``."""
    month = day.replace(day=1)
    month_end = next_month(day)
    if day + timedelta(days=1) >= month_end:
        return MonthForecast(month, actual, ZERO, {}, "month complete")
    start = day + timedelta(days=1)
    note = ""
    # Cost Explorer forecasts from today on; a report on an older day projects on its own.
    if cache is not None and start >= today:
        answer = cache.forecast(start, month_end, made_on=today)
        if isinstance(answer, Forecast):
            return MonthForecast(month, actual, answer.total, answer.daily, "Cost Explorer")
        note = f"Cost Explorer forecast unavailable ({_short(answer)})"
    daily = project(data.total_series(), day, month_end)
    remaining = sum(daily.values(), ZERO)
    return MonthForecast(month, actual, remaining, daily, "Sentinel projection", note)


def project(history: pd.Series, last: date, until: date) -> dict[date, Decimal]:
    """Expected cost of each day after ``last`` up to ``until`` (exclusive) from ``history``.

    Today's level (the median of the last seven days) carries on, shaped by each weekday's
    median distance from its week's level over the last four weeks. With under two weeks of
    history, the mean of what there is.
    """
    known = history[history.index <= pd.Timestamp(last)].to_numpy(dtype=float)[-28:]
    if known.size == 0:
        return {}
    weekdays = [(last - timedelta(days=len(known) - 1 - i)).weekday() for i in range(len(known))]
    offsets: dict[int, float] = {}
    if known.size >= 14:
        level = float(np.median(known[-7:]))
        by_weekday: dict[int, list[float]] = {}
        for end in range(len(known), 6, -7):
            week = known[end - 7 : end]
            center = float(np.median(week))
            for i, value in enumerate(week):
                by_weekday.setdefault(weekdays[end - 7 + i], []).append(float(value) - center)
        offsets = {wd: float(np.median(v)) for wd, v in by_weekday.items()}
    else:
        level = float(known.mean())
    out: dict[date, Decimal] = {}
    day = last + timedelta(days=1)
    while day < until:
        value = max(level + offsets.get(day.weekday(), 0.0), 0.0)
        out[day] = Decimal(str(round(value, 2)))
        day += timedelta(days=1)
    return out


def _short(reason: str) -> str:
    return reason.split(":", 1)[0] if reason else "no answer"
