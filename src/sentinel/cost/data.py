"""Cost data as loaded for a report or a scan: per grouping, daily amounts as ``Decimal``.

Sums that a person reads (yesterday, month to date, budgets) are exact ``Decimal`` sums.
Statistics (anomaly baselines, projections) and the chart work on float matrices derived here;
their results are rounded back to cents for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

import numpy as np
import pandas as pd

from sentinel.cost.groupings import SERVICE, Dimension, Grouping, SeriesKey, grouping_label

ZERO = Decimal(0)


@dataclass(frozen=True)
class MissingData:
    """Days of one grouping that could not be fetched: the report says so, never guesses."""

    what: str
    start: date
    end: date  # inclusive
    reason: str

    def __str__(self) -> str:
        span = self.start.isoformat() if self.start == self.end else f"{self.start} to {self.end}"
        return f"{self.what}: {span} ({self.reason})"


@dataclass
class GroupedCosts:
    """Daily rows of one grouping: columns ``day`` (date), ``k0``, ``k1``..., ``amount``."""

    grouping: Grouping
    frame: pd.DataFrame
    days: set[date] = field(default_factory=set)  # days the source answered for

    @property
    def label(self) -> str:
        return grouping_label(self.grouping)

    def column(self, dimension: Dimension) -> str:
        return f"k{self.grouping.index(dimension)}"


@dataclass
class CostData:
    start: date
    end: date  # inclusive: the last day wanted
    groupings: dict[str, GroupedCosts]
    monthly: dict[str, list[tuple[date, tuple[str, ...], Decimal]]] = field(default_factory=dict)
    estimated: set[date] = field(default_factory=set)
    missing: list[MissingData] = field(default_factory=list)
    fetched_at: datetime | None = None
    account_names: dict[str, str] = field(default_factory=dict)

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")

    def with_dimension(self, dimension: Dimension) -> GroupedCosts | None:
        return next((g for g in self.groupings.values() if dimension in g.grouping), None)

    def with_pair(self, first: Dimension, second: Dimension) -> GroupedCosts | None:
        return next(
            (g for g in self.groupings.values() if first in g.grouping and second in g.grouping),
            None,
        )

    @property
    def primary(self) -> GroupedCosts | None:
        """The grouping holding SERVICE, whose sum over all keys is the total."""
        return self.with_dimension(SERVICE) or next(iter(self.groupings.values()), None)

    def covered(self, day: date, dimension: Dimension | None = None) -> bool:
        """Whether the source answered for ``day`` (for the grouping holding ``dimension``)."""
        grouped = self.with_dimension(dimension) if dimension else self.primary
        return grouped is not None and day in grouped.days

    def missing_days(
        self, start: date, end: date, dimension: Dimension | None = None
    ) -> list[date]:
        day, gaps = start, []
        while day <= end:
            if not self.covered(day, dimension):
                gaps.append(day)
            day += timedelta(days=1)
        return gaps

    # --- exact sums -------------------------------------------------------------------------

    def amount(self, start: date, end: date, series: SeriesKey | None = None) -> Decimal:
        """Exact sum from ``start`` to ``end`` inclusive, of the total or one series."""
        series = series or SeriesKey()
        grouped = (
            self.primary if series.dimension is None else self.with_dimension(series.dimension)
        )
        if grouped is None:
            return ZERO
        frame = grouped.frame
        mask = (frame["day"] >= start) & (frame["day"] <= end)
        if series.dimension is not None:
            mask &= frame[grouped.column(series.dimension)] == series.value
        return sum(frame.loc[mask, "amount"], ZERO)

    def amounts_by(self, dimension: Dimension, start: date, end: date) -> dict[str, Decimal]:
        """Exact sum per value of ``dimension`` over the days."""
        grouped = self.with_dimension(dimension)
        if grouped is None:
            return {}
        frame = grouped.frame
        rows = frame[(frame["day"] >= start) & (frame["day"] <= end)]
        sums: dict[str, Decimal] = {}
        for value, amount in zip(rows[grouped.column(dimension)], rows["amount"], strict=True):
            sums[value] = sums.get(value, ZERO) + amount
        return sums

    # --- float matrices for statistics and charts --------------------------------------------

    @cached_property
    def _float_frames(self) -> dict[str, pd.DataFrame]:
        out = {}
        for label, grouped in self.groupings.items():
            frame = grouped.frame
            out[label] = frame.assign(value=np.asarray(frame["amount"].to_numpy(), dtype=float))
        return out

    def matrix(
        self, dimension: Dimension, where: tuple[Dimension, str] | None = None
    ) -> pd.DataFrame:
        """Daily cost, one column per value of ``dimension``, every day of the window a row.

        ``where`` keeps the rows of one value of the grouping's other key (services of
        Environment=production, say).
        """
        grouped = self.with_pair(dimension, where[0]) if where else self.with_dimension(dimension)
        if grouped is None:
            return pd.DataFrame(index=self.days, dtype=float)
        frame = self._float_frames[grouped.label]
        if where is not None:
            frame = frame[frame[grouped.column(where[0])] == where[1]]
        table = frame.pivot_table(
            index="day", columns=grouped.column(dimension), values="value", aggfunc="sum"
        )
        table.index = pd.to_datetime(table.index)
        table.columns.name = None
        return table.reindex(self.days).fillna(0.0)

    def total_series(self) -> pd.Series:
        grouped = self.primary
        if grouped is None:
            return pd.Series(0.0, index=self.days)
        frame = self._float_frames[grouped.label]
        series = frame.groupby("day")["value"].sum()
        series.index = pd.to_datetime(series.index)
        return series.reindex(self.days).fillna(0.0)
