"""Cost anomalies: series anomalies grouped into incidents, each with what drove it.

One extra line item shows in many series at once (the total, its service, its environment,
its owner's cost centre). Those are one ``CostAnomaly``: rooted at its most specific series
that explains most of the extra spend, listing the others as ``related``, with the services
(or, for a service, the usage types) that drove it. A drop (spend that stopped) is grouped the
same way, with the services that fell as its drivers; a spike and a drop are never one incident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from sentinel.cost.baseline import same_weekday_median
from sentinel.cost.data import CostData
from sentinel.cost.detection import (
    DROP,
    SPIKE,
    DetectionSettings,
    Direction,
    SeriesAnomaly,
    detect,
)
from sentinel.cost.groupings import SERVICE, TOTAL, USAGE_TYPE, CostPlan, Dimension, SeriesKey
from sentinel.cost.money import signed_usd

# Days of history the baseline needs before the first day scanned.
BASELINE_DAYS = 8 * 7
# Drivers: the services (or usage types) that make up at least this share of the impact.
DRIVER_SHARE = 0.2
MAX_DRIVERS = 5
# Days before an anomaly's first day that its drivers are compared with (one request page).
DRIVER_BASELINE_DAYS = 4

# (dimension of the breakdown, filter, first day, last day) -> daily amount per value.
Breakdown = Callable[[Dimension, tuple[Dimension, str] | None, date, date], pd.DataFrame]


@dataclass(frozen=True)
class Driver:
    kind: str  # "service" or "usage type"
    name: str
    impact: Decimal  # change of spend on the anomaly's first day from the days before

    def __str__(self) -> str:
        return f"{self.name} ({signed_usd(self.impact)})"


@dataclass
class CostAnomaly:
    series: SeriesKey
    start: date
    end: date
    ongoing: bool
    daily: list[tuple[date, Decimal, Decimal]]  # (day, actual, expected)
    score: float
    drivers: list[Driver] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    services: set[str] = field(default_factory=set)
    direction: Direction = SPIKE

    @property
    def id(self) -> str:
        return f"{self.series.id}@{self.start.isoformat()}" + (
            "/drop" if self.direction == DROP else ""
        )

    @property
    def is_drop(self) -> bool:
        return self.direction == DROP

    @property
    def days(self) -> int:
        return len(self.daily)

    @property
    def actual(self) -> Decimal:
        """Cost on the anomaly's latest day."""
        return self.daily[-1][1]

    @property
    def expected(self) -> Decimal:
        return self.daily[-1][2]

    @property
    def impact(self) -> Decimal:
        """Extra spend over all its days (below zero for a drop)."""
        return sum((a - e for _, a, e in self.daily), Decimal(0))

    @property
    def daily_impact(self) -> Decimal:
        return self.actual - self.expected

    @property
    def percent(self) -> float:
        expected = sum((e for _, _, e in self.daily), Decimal(0))
        return float("inf") if expected <= 0 else float(100 * self.impact / expected)


def series_matrix(data: CostData, plan: CostPlan) -> tuple[pd.DataFrame, list[SeriesKey]]:
    """Every series the scan watches, as columns: the total, each value of each dimension."""
    columns: dict[str, pd.Series] = {TOTAL.id: data.total_series()}
    keys = [TOTAL]
    for dimension in plan.daily_dimensions:
        matrix = data.matrix(dimension)
        for value in matrix.columns:
            key = SeriesKey(dimension, str(value))
            columns[key.id] = matrix[value]
            keys.append(key)
    return pd.DataFrame(columns, index=data.days), keys


def find_anomalies(
    data: CostData,
    plan: CostPlan,
    settings: DetectionSettings,
    start: date,
    end: date,
    breakdown: Breakdown | None = None,
) -> list[CostAnomaly]:
    """Anomalies from ``start`` to ``end`` (inclusive), newest first."""
    matrix, keys = series_matrix(data, plan)
    # Days the source could not answer are unknown, not zero: never scan across them.
    missing = set(data.missing_days(data.start, data.end))
    if missing:
        end = min([end, *(d - timedelta(days=1) for d in missing if d >= start)])
        if end < start:
            return []
    found = detect(matrix, keys, settings, start, end)
    incidents = _group(found, data, matrix)
    for incident in incidents:
        incident.drivers = _drivers(incident, data, breakdown)
    return sorted(incidents, key=lambda a: (a.end, abs(a.impact)), reverse=True)


def _group(found: list[SeriesAnomaly], data: CostData, matrix: pd.DataFrame) -> list[CostAnomaly]:
    incidents: list[tuple[CostAnomaly, SeriesAnomaly]] = []

    def overlapping(anomaly: SeriesAnomaly) -> list[tuple[CostAnomaly, SeriesAnomaly]]:
        return [
            (i, root)
            for i, root in incidents
            if anomaly.start <= root.end
            and root.start <= anomaly.end
            and anomaly.direction == root.direction
        ]

    def attach(target: CostAnomaly, anomaly: SeriesAnomaly) -> None:
        target.related.append(anomaly.series.label)

    ordered = sorted(found, key=lambda a: (a.series.dimension != SERVICE, a.mean_expected))
    for anomaly in ordered:
        if anomaly.series.dimension == SERVICE:
            incidents.append((_incident(anomaly, {anomaly.series.value}), anomaly))
            continue
        shares = _service_shares(anomaly, data)
        candidates = overlapping(anomaly)
        if shares is not None:
            top = {s for s, share in shares.items() if share >= 0.5} or set(list(shares)[:1])
            match = [(i, r) for i, r in candidates if i.services & top]
            if match:
                attach(match[0][0], anomaly)
            else:
                services = {s for s, share in shares.items() if share >= DRIVER_SHARE}
                incidents.append((_incident(anomaly, services), anomaly))
            continue
        # No service breakdown in the cache: the same extra spend on the same days is the same
        # incident; otherwise it stands alone and its drivers are fetched.
        similar = [
            (i, r)
            for i, r in candidates
            if 0.67 <= abs(anomaly.peak_impact) / max(abs(r.peak_impact), 1e-9) <= 1.5
        ]
        if similar:
            attach(
                min(similar, key=lambda ir: abs(ir[1].peak_impact - anomaly.peak_impact))[0],
                anomaly,
            )
        else:
            incidents.append((_incident(anomaly, set()), anomaly))
    return [incident for incident, _ in incidents]


def _incident(anomaly: SeriesAnomaly, services: set[str]) -> CostAnomaly:
    return CostAnomaly(
        series=anomaly.series,
        start=anomaly.start,
        end=anomaly.end,
        ongoing=anomaly.ongoing,
        daily=[
            (day, _cents(actual), _cents(expected))
            for day, actual, expected in zip(
                anomaly.days, anomaly.actual, anomaly.expected, strict=True
            )
        ],
        score=anomaly.score,
        services=services,
        direction=anomaly.direction,
    )


def _service_shares(anomaly: SeriesAnomaly, data: CostData) -> dict[str, float] | None:
    """Share of the anomaly's change of spend per service (of the fall, for a drop), when the
    cache holds that breakdown."""
    dimension = anomaly.series.dimension
    if dimension is None:
        services = data.matrix(SERVICE)
    elif data.with_pair(SERVICE, dimension) is not None:
        services = data.matrix(SERVICE, where=(dimension, anomaly.series.value))
    else:
        return None
    sign = -1.0 if anomaly.direction == DROP else 1.0
    extra = {k: sign * v for k, v in _extra(services, anomaly.start, anomaly.end).items()}
    total = sum(v for v in extra.values() if v > 0)
    if total <= 0:
        return {}
    return {k: v / total for k, v in sorted(extra.items(), key=lambda kv: -kv[1]) if v > 0}


def _extra(matrix: pd.DataFrame, start: date, end: date) -> dict[str, float]:
    """Per column: spend from ``start`` to ``end`` over the same weekdays of the weeks before."""
    if matrix.empty:
        return {}
    days = [d.date() for d in pd.to_datetime(matrix.index)]
    if start not in days:
        return {}
    values = matrix.to_numpy(dtype=float).T
    begin = days.index(start)
    stop = days.index(end) if end in days else len(days) - 1
    extra = np.zeros(values.shape[0])
    for d in range(begin, stop + 1):
        before = same_weekday_median(values, begin, d)
        extra += values[:, d] - np.nan_to_num(before)
    return dict(zip(map(str, matrix.columns), extra.tolist(), strict=True))


def _drivers(anomaly: CostAnomaly, data: CostData, breakdown: Breakdown | None) -> list[Driver]:
    dimension = anomaly.series.dimension
    drivers: list[Driver] = []
    if dimension == SERVICE:
        if breakdown is not None:
            drivers = _from_breakdown(
                "usage type",
                breakdown,
                USAGE_TYPE,
                (SERVICE, anomaly.series.value),
                anomaly.start,
                anomaly.direction,
            )
        return drivers
    where = None if dimension is None else (dimension, anomaly.series.value)
    if dimension is None or data.with_pair(SERVICE, dimension) is not None:
        services = data.matrix(SERVICE, where=where)
        window = services.loc[
            pd.Timestamp(anomaly.start - timedelta(days=DRIVER_BASELINE_DAYS)) : pd.Timestamp(
                anomaly.start
            )
        ]
        drivers = _ranked("service", window, anomaly.start, anomaly.direction)
    elif breakdown is not None:
        drivers = _from_breakdown(
            "service", breakdown, SERVICE, where, anomaly.start, anomaly.direction
        )
    anomaly.services |= {d.name for d in drivers}
    return drivers


def _from_breakdown(
    kind: str,
    breakdown: Breakdown,
    dimension: Dimension,
    where: tuple[Dimension, str] | None,
    day: date,
    direction: Direction,
) -> list[Driver]:
    try:
        window = breakdown(dimension, where, day - timedelta(days=DRIVER_BASELINE_DAYS), day)
    except LookupError:
        return []
    return _ranked(kind, window, day, direction)


def _ranked(kind: str, window: pd.DataFrame, day: date, direction: Direction) -> list[Driver]:
    """Values that rose (fell, for a drop) most on ``day`` against the median of the days
    before it."""
    if window.empty:
        return []
    if pd.Timestamp(day) in window.index:
        on_day = window.loc[pd.Timestamp(day)]
    elif direction == DROP:
        on_day = window.iloc[0] * 0  # nothing was spent that day: every value stopped
    else:
        return []
    before = window.loc[window.index < pd.Timestamp(day)]
    base = before.median() if len(before) else on_day * 0
    change = on_day - base
    sign = -1.0 if direction == DROP else 1.0
    moved = (sign * change).sort_values(ascending=False)
    total = float(moved[moved > 0].sum())
    if total <= 0:
        return []
    return [
        Driver(kind, str(name), _cents(sign * float(value)))
        for name, value in moved.items()
        if value > 0 and value / total >= DRIVER_SHARE
    ][:MAX_DRIVERS]


def _cents(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))
