"""An SLO's good and total events per hour, from the CloudWatch statistics that make them exact.

Request-based SLIs count requests: availability from the Sum of errors (or good) and of
requests; latency from the percentile rank ``PR(:threshold)`` (the share of requests at or
under the threshold) times the requests of the same period. Sums of counts per hour add up to
the window's counts exactly, so the SLI over any window is request-weighted, never an average
of hourly ratios. A period-based percentile SLI (``percentile: p95``) counts good minutes: the
periods whose percentile is at or under the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sentinel.config.models.base import MetricRef
from sentinel.config.models.monitors import Slo
from sentinel.slo.metric_data import Grid, MetricQuery, Series

RESOLUTION = 3600  # request counts are read per hour; every window is whole hours
PERCENTILE_PERIOD = 300  # a period-based SLI's default period (1-minute data lasts 15 days)

Unit = Literal["requests", "minutes"]


@dataclass(frozen=True)
class SliSeries:
    """Good and total events per period of ``grid``; total is 0 where nothing was measured."""

    grid: Grid
    good: np.ndarray
    total: np.ndarray
    unit: Unit

    @property
    def bad(self) -> np.ndarray:
        return self.total - self.good

    def last(self, seconds: int) -> tuple[float, float]:
        """(good, total) over the last ``seconds`` of the grid."""
        count = min(len(self.grid), max(1, seconds // self.grid.period))
        return float(self.good[-count:].sum()), float(self.total[-count:].sum())

    def until(self, index: int, seconds: int) -> tuple[float, float]:
        """(good, total) over ``seconds`` ending just before period ``index``."""
        count = max(1, seconds // self.grid.period)
        start = max(0, index - count)
        return float(self.good[start:index].sum()), float(self.total[start:index].sum())


def sli_unit(slo: Slo) -> Unit:
    return "minutes" if slo.latency is not None and slo.latency.percentile else "requests"


def count_stat(ref: MetricRef) -> str:
    """The statistic that counts events: Sum, unless the config names another (SampleCount)."""
    return ref.stat if "stat" in ref.model_fields_set else "Sum"


def rank_stat(threshold: float) -> str:
    """``PR(:0.2)``: the percentage of values at or under ``threshold`` (in the metric's unit)."""
    return f"PR(:{threshold:g})"


def _query(ref: MetricRef, stat: str, period: int) -> MetricQuery:
    return MetricQuery.of(ref.namespace, ref.metric, ref.dimensions, stat, period)


def sli_queries(slo: Slo) -> dict[str, MetricQuery]:
    """The statistics an SLO's SLI is computed from, by role."""
    if slo.availability is not None:
        sli = slo.availability
        counted = sli.errors if sli.errors is not None else sli.good
        assert counted is not None
        role = "errors" if sli.errors is not None else "good"
        return {
            role: _query(counted, count_stat(counted), RESOLUTION),
            "total": _query(sli.total, count_stat(sli.total), RESOLUTION),
        }
    latency = slo.latency
    assert latency is not None
    if latency.percentile:
        period = latency.metric.period or PERCENTILE_PERIOD
        return {"percentile": _query(latency.metric, latency.percentile, period)}
    total = (
        _query(latency.total, count_stat(latency.total), RESOLUTION)
        if latency.total is not None
        else _query(latency.metric, "SampleCount", RESOLUTION)
    )
    return {
        "rank": _query(latency.metric, rank_stat(latency.metric_threshold), RESOLUTION),
        "total": total,
    }


def sli_series(slo: Slo, series: Mapping[str, Series], grid: Grid) -> SliSeries:
    """Good and total per period of ``grid`` (hours) from the series of ``sli_queries``."""
    if "percentile" in series:
        return _good_minutes(slo, series["percentile"], grid)
    total = series["total"].filled(0.0)
    if "rank" in series:
        rank = series["rank"]
        # Requests without a latency sample in the hour cannot be judged: no data.
        total = np.where(rank.present, total, 0.0)
        good = np.clip(rank.filled(0.0) / 100.0, 0.0, 1.0) * total
    elif "errors" in series:
        # CloudWatch publishes no 5xx datapoint in a period without errors: absent is zero.
        good = total - np.minimum(series["errors"].filled(0.0), total)
    else:
        good = np.minimum(series["good"].filled(0.0), total)
    return SliSeries(grid, good, total, "requests")


def _good_minutes(slo: Slo, percentile: Series, grid: Grid) -> SliSeries:
    assert slo.latency is not None
    step = percentile.grid.period
    minutes = step / 60.0
    index = (percentile.grid.starts - grid.start) // grid.period
    inside = (index >= 0) & (index < len(grid)) & percentile.present
    ok = percentile.values <= slo.latency.metric_threshold
    total = np.bincount(index[inside], minlength=len(grid)) * minutes
    good = np.bincount(index[inside], weights=ok[inside].astype(float), minlength=len(grid))
    return SliSeries(grid, good * minutes, total.astype(float), "minutes")
