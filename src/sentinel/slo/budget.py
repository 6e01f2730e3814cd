"""Error budget, burn rates and status of one SLO from its good and total events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sentinel.config.models.monitors import Slo
from sentinel.config.units import format_duration, parse_duration
from sentinel.slo.sli import SliSeries, Unit
from sentinel.slo.windows import burn_rate_windows, status_windows

# Below this share of budget left an SLO is WARNING even while nothing burns fast.
WARNING_REMAINING_PERCENT = 25.0


class SloState(StrEnum):
    OK = "OK"
    WARNING = "WARNING"
    BREACHED = "BREACHED"
    NO_DATA = "NO DATA"


@dataclass(frozen=True)
class ErrorBudget:
    """Bad events the window allows and bad events it had, in requests or minutes."""

    allowed: float
    consumed: float

    @property
    def remaining(self) -> float:
        return self.allowed - self.consumed

    @property
    def consumed_percent(self) -> float | None:
        if self.allowed <= 0:
            return None
        return 100.0 * self.consumed / self.allowed

    @property
    def remaining_percent(self) -> float | None:
        consumed = self.consumed_percent
        return None if consumed is None else 100.0 - consumed


@dataclass(frozen=True)
class BurnRate:
    """How fast the budget burned over ``window`` seconds: 1.0 spends it exactly in the period.

    ``threshold`` is the factor at which the window's burn-rate alarm fires (for windows that
    are a long window of the windows table).
    """

    window: int
    rate: float | None
    threshold: float | None = None
    alert: str | None = None

    @property
    def label(self) -> str:
        return format_duration(self.window)

    @property
    def alerting(self) -> bool:
        return self.rate is not None and self.threshold is not None and self.rate >= self.threshold


@dataclass(frozen=True)
class SloStatus:
    name: str
    service: str | None
    description: str | None
    objective: float
    window: int
    unit: Unit
    sli: float | None
    good: float
    total: float
    budget: ErrorBudget
    burn_rates: tuple[BurnRate, ...]
    state: SloState
    as_of: datetime

    @property
    def window_label(self) -> str:
        return format_duration(self.window)

    def as_dict(self) -> dict[str, Any]:
        budget = self.budget
        return {
            "name": self.name,
            "service": self.service,
            "objective_percent": self.objective,
            "window": self.window_label,
            "as_of": self.as_of.isoformat(),
            "sli_percent": self.sli,
            "unit": self.unit,
            "good": self.good,
            "total": self.total,
            "error_budget": {
                "total": budget.allowed,
                "consumed": budget.consumed,
                "remaining": budget.remaining,
                "consumed_percent": budget.consumed_percent,
                "remaining_percent": budget.remaining_percent,
            },
            "burn_rates": {b.label: b.rate for b in self.burn_rates},
            "status": self.state.value,
        }


def burn_rate(good: float, total: float, objective: float) -> float | None:
    """Error rate over the budget's rate: (bad / total) / (1 - objective)."""
    if total <= 0:
        return None
    return ((total - good) / total) / (1.0 - objective / 100.0)


def evaluate(
    slo: Slo, series: SliSeries, as_of: datetime, end_index: int | None = None
) -> SloStatus:
    """The SLO's status over its window ending at period ``end_index`` (the grid's end)."""
    end = len(series.grid) if end_index is None else end_index
    period = parse_duration(slo.window)
    objective = float(slo.objective)
    good, total = series.until(end, period)
    allowed = total * (1.0 - objective / 100.0)
    budget = ErrorBudget(allowed=allowed, consumed=total - good)
    thresholds = {w.long: w for w in burn_rate_windows()}
    rates = []
    for window in status_windows():
        row = thresholds.get(window)
        rates.append(
            BurnRate(
                window=window,
                rate=burn_rate(*series.until(end, window), objective),
                threshold=row.factor(period) if row else None,
                alert=row.alert if row else None,
            )
        )
    sli = 100.0 * good / total if total > 0 else None
    return SloStatus(
        name=slo.name,
        service=slo.service,
        description=slo.description,
        objective=objective,
        window=period,
        unit=series.unit,
        sli=sli,
        good=good,
        total=total,
        budget=budget,
        burn_rates=tuple(rates),
        state=_state(sli, objective, budget, rates),
        as_of=as_of,
    )


def _state(
    sli: float | None, objective: float, budget: ErrorBudget, rates: list[BurnRate]
) -> SloState:
    if sli is None:
        return SloState.NO_DATA
    if sli < objective:
        return SloState.BREACHED
    remaining = budget.remaining_percent
    if (remaining is not None and remaining < WARNING_REMAINING_PERCENT) or any(
        r.alerting for r in rates
    ):
        return SloState.WARNING
    return SloState.OK
