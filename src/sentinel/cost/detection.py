"""Anomalous days of cost series: thresholds on impact, percent and robust score.

A day is a spike when it cost more than its baseline (``baseline.py``) by at least
``min_impact`` dollars and ``min_percent`` percent, and by ``min_score`` robust standard
deviations, on a series with ``min_history_days`` of history; it is a drop when it cost less by
as much (unless ``drops`` is off): spend that stops often means something stopped, a backup
job, a replica, a whole service. Consecutive anomalous days of one direction are one
``SeriesAnomaly``: once it has begun, later days are measured against what the series looked
like before it (the same weekdays of the weeks before), so a lasting change stays one ongoing
anomaly instead of fading as the baseline learns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

from sentinel.cost.baseline import compute_baseline, same_weekday_median
from sentinel.cost.groupings import SeriesKey

Direction = Literal["spike", "drop"]
SPIKE: Direction = "spike"
DROP: Direction = "drop"


@dataclass(frozen=True)
class DetectionSettings:
    min_impact: float = 50.0
    min_percent: float = 20.0
    min_history_days: int = 14
    min_score: float = 3.5
    # Spread never counts as less than this share of the expectation (flat series).
    min_relative_scale: float = 0.02
    # A longer change is the series' new level, no longer an anomaly.
    max_days: int = 30
    # Days that cost less than expected by the same thresholds.
    drops: bool = True

    @classmethod
    def from_config(cls, settings: Any | None) -> DetectionSettings:
        if settings is None:
            return cls()
        return cls(
            min_impact=float(settings.min_impact.amount),
            min_percent=float(settings.min_percent),
            min_history_days=max(1, int(settings.min_history) // 86400),
            drops=bool(settings.drops),
        )


@dataclass
class SeriesAnomaly:
    series: SeriesKey
    days: list[date]
    actual: list[float]
    expected: list[float]
    score: float
    ongoing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    direction: Direction = SPIKE

    @property
    def start(self) -> date:
        return self.days[0]

    @property
    def end(self) -> date:
        return self.days[-1]

    @property
    def impacts(self) -> list[float]:
        return [a - e for a, e in zip(self.actual, self.expected, strict=True)]

    @property
    def impact(self) -> Decimal:
        """Extra spend over all its days (below zero for a drop), to the cent."""
        return _cents(sum(self.impacts))

    @property
    def peak_impact(self) -> float:
        """The largest day's change in the anomaly's direction (below zero for a drop)."""
        return min(self.impacts) if self.direction == DROP else max(self.impacts)

    @property
    def mean_expected(self) -> float:
        return float(np.mean(self.expected))

    @property
    def percent(self) -> float:
        expected = sum(self.expected)
        return float("inf") if expected <= 0 else 100.0 * sum(self.impacts) / expected


def detect(
    matrix: pd.DataFrame,
    keys: list[SeriesKey],
    settings: DetectionSettings,
    start: date,
    end: date,
) -> list[SeriesAnomaly]:
    """Anomalies of the columns of ``matrix`` (days x series) that touch ``start``..``end``.

    ``matrix`` holds the history before ``start`` too: the baseline needs weeks of it.
    """
    if matrix.empty or not keys:
        return []
    values = matrix.to_numpy(dtype=float).T
    days = [d.date() for d in pd.to_datetime(matrix.index)]
    baseline = compute_baseline(values)
    expected, scale = baseline.expected, baseline.scale
    floor = np.maximum(settings.min_relative_scale * expected, 0.01)
    score = (values - expected) / np.fmax(np.nan_to_num(scale, nan=0.0), floor)
    impact = values - expected
    scanned = baseline.history >= settings.min_history_days
    share = settings.min_percent / 100.0 * expected
    spikes = (
        scanned
        & (impact >= settings.min_impact)
        & (impact >= share)
        & (score >= settings.min_score)
    )
    drops = (
        scanned
        & (-impact >= settings.min_impact)
        & (-impact >= share)
        & (score <= -settings.min_score)
    )
    flags = spikes | drops if settings.drops else spikes
    last = len(days) - 1
    # Anomalies that began up to max_days before the window may still run into it.
    first = max(0, _index(days, start) - settings.max_days)
    stop = _index(days, end)
    found: list[SeriesAnomaly] = []
    for row in map(int, np.flatnonzero(flags[:, first : stop + 1].any(axis=1))):
        d = first
        while d <= stop:
            if not flags[row, d]:
                d += 1
                continue
            direction = SPIKE if spikes[row, d] else DROP
            anomaly = _follow(
                values[row : row + 1], row, d, stop, days, expected, score, settings, direction
            )
            anomaly.series = keys[row]
            anomaly.ongoing = days.index(anomaly.end) == min(stop, last)
            if anomaly.end >= start:
                found.append(anomaly)
            d = days.index(anomaly.end) + 1
    return found


def _follow(
    values: np.ndarray,
    row: int,
    begin: int,
    stop: int,
    days: list[date],
    expected: np.ndarray,
    score: np.ndarray,
    settings: DetectionSettings,
    direction: Direction,
) -> SeriesAnomaly:
    """Extend an anomaly from day ``begin`` while it stays beyond its pre-anomaly baseline."""
    actual = [float(values[0, begin])]
    expect = [float(expected[row, begin])]
    d = begin + 1
    while d <= stop and d - begin < settings.max_days:
        before = float(same_weekday_median(values, begin, d)[0])
        if np.isnan(before):
            break
        value = float(values[0, d])
        change = before - value if direction == DROP else value - before
        if change < settings.min_impact or change < settings.min_percent / 100 * before:
            break
        actual.append(value)
        expect.append(before)
        d += 1
    return SeriesAnomaly(
        series=SeriesKey(),
        days=days[begin : begin + len(actual)],
        actual=actual,
        expected=expect,
        score=float(score[row, begin]),
        direction=direction,
    )


def _index(days: list[date], day: date) -> int:
    if day <= days[0]:
        return 0
    if day >= days[-1]:
        return len(days) - 1
    return days.index(day)


def _cents(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))
