"""The daily cost report as data: what a FinOps engineer reads every morning.

``build_report`` loads what it needs through the cache (a few Cost Explorer requests at steady
state), and returns a ``DailyReport``; rendering is elsewhere. Figures whose days Cost Explorer
did not deliver are ``None`` and the report lists what is missing: never a wrong total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.cost.anomalies import CostAnomaly
from sentinel.cost.budgets import BudgetStatus, applied_budgets, budget_statuses
from sentinel.cost.cache import CostCache
from sentinel.cost.commitments import CommitmentStatus, commitment_statuses, period_start
from sentinel.cost.data import CostData, MissingData
from sentinel.cost.detection import DetectionSettings
from sentinel.cost.forecast import MonthForecast, month_end_forecast
from sentinel.cost.groupings import SERVICE, CostPlan, Dimension, plan_for
from sentinel.cost.scan import history_start, scan_loaded
from sentinel.cost.sources import previous_month, source_label
from sentinel.cost.tagging import TagCoverage, tag_coverage

ZERO = Decimal(0)
# Anomalies of the last week are listed in the report.
ANOMALY_DAYS = 7
MOVER_DAYS = 7
CHART_DAYS = 30
MAX_MOVERS = 5


@dataclass(frozen=True)
class Change:
    current: Decimal | None
    previous: Decimal | None

    @property
    def amount(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        if self.amount is None or not self.previous:
            return None
        return float(100 * self.amount / self.previous)


@dataclass(frozen=True)
class ServiceMove:
    service: str
    change: Change


@dataclass(frozen=True)
class ChartData:
    days: list[date]
    services: dict[str, list[float]]  # top services then "Other", one value per day
    forecast: dict[date, float]


@dataclass
class DailyReport:
    project: str
    day: date
    generated_at: datetime
    yesterday: Change  # the day against the same weekday a week before
    seven_day_average: Decimal | None  # of the seven days before the day
    month_to_date: Change  # against the same days of the previous month
    forecast: MonthForecast | None
    budgets: list[BudgetStatus]
    movers: list[ServiceMove]
    tagging: list[TagCoverage]
    anomalies: list[CostAnomaly]
    chart: ChartData
    top_services: list[tuple[str, Decimal]]  # the day's biggest services
    missing: list[MissingData] = field(default_factory=list)
    estimated: list[date] = field(default_factory=list)
    ce_requests: int = 0
    source: str = "Cost Explorer"  # where the figures come from
    settings: DetectionSettings = field(default_factory=DetectionSettings)
    # Utilization and coverage budgets, their period to the report's day.
    commitments: list[CommitmentStatus] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def report_window(day: date, settings: DetectionSettings) -> tuple[date, date]:
    anomaly_start = day - timedelta(days=ANOMALY_DAYS - 1)
    return min(previous_month(day), history_start(anomaly_start, settings)), day


def build_report(
    config: Any,
    cache: CostCache,
    factory: SessionFactory | None,
    day: date,
    today: date | None = None,
) -> DailyReport:
    """The report of ``day`` (usually yesterday) for a loaded ``Config``."""
    today = today or clock.today()
    plan = plan_for(config, cache.source.max_group_by)
    settings = DetectionSettings.from_config(config.anomaly_detection)
    start, end = report_window(day, settings)
    before = cache.stats.requests
    data = cache.load(plan, start, end, today)
    scan = scan_loaded(data, plan, settings, day - timedelta(days=ANOMALY_DAYS - 1), day, cache)
    month_to_date = _month_to_date(data, day)
    forecast = None
    if month_to_date.current is not None:
        forecast = month_end_forecast(data, day, month_to_date.current, today, cache)
    applied: dict[str, dict[str, Any]] | str = (
        applied_budgets(factory) if factory is not None and config.budgets else {}
    )
    top_n = config.cost_report.top_services if config.cost_report else 8
    report = DailyReport(
        project=config.name,
        day=day,
        generated_at=clock.now(),
        yesterday=Change(_day_total(data, day), _day_total(data, day - timedelta(days=7))),
        seven_day_average=_average(data, day - timedelta(days=7), day - timedelta(days=1)),
        month_to_date=month_to_date,
        forecast=forecast,
        budgets=budget_statuses(config, data, day, applied, today, source_label(cache.source)),
        movers=_movers(data, day),
        tagging=_tagging(config, plan, data, day),
        anomalies=scan.anomalies,
        chart=_chart(data, day, top_n, forecast),
        top_services=_top_services(data, day, top_n),
        missing=list(data.missing),
        estimated=sorted(d for d in data.estimated if day - timedelta(days=CHART_DAYS) < d <= day),
        settings=settings,
        source=source_label(cache.source),
        commitments=commitment_statuses(
            config, cache, factory, lambda budget: period_start(budget, day), day, today
        ),
    )
    report.ce_requests = cache.stats.requests - before
    return report


def _complete(data: CostData, start: date, end: date) -> bool:
    return start >= data.start and not data.missing_days(start, end)


def _day_total(data: CostData, day: date) -> Decimal | None:
    return data.amount(day, day) if _complete(data, day, day) else None


def _average(data: CostData, start: date, end: date) -> Decimal | None:
    if not _complete(data, start, end):
        return None
    days = (end - start).days + 1
    return (data.amount(start, end) / days).quantize(Decimal("0.01"))


def _month_to_date(data: CostData, day: date) -> Change:
    month = day.replace(day=1)
    current = data.amount(month, day) if _complete(data, month, day) else None
    previous_start = previous_month(day)
    # The same days of the previous month, cut at its last day (the 31st vs a 30-day month).
    previous_end = min(previous_start + timedelta(days=day.day - 1), month - timedelta(days=1))
    previous = (
        data.amount(previous_start, previous_end)
        if _complete(data, previous_start, previous_end)
        else None
    )
    return Change(current, previous)


def _movers(data: CostData, day: date) -> list[ServiceMove]:
    """Services that changed most: the last seven days against the seven before, in dollars."""
    start = day - timedelta(days=2 * MOVER_DAYS - 1)
    middle = day - timedelta(days=MOVER_DAYS)
    if not _complete(data, start, day):
        return []
    current = data.amounts_by(SERVICE, middle + timedelta(days=1), day)
    previous = data.amounts_by(SERVICE, start, middle)
    moves = [
        ServiceMove(s, Change(current.get(s, ZERO), previous.get(s, ZERO)))
        for s in set(current) | set(previous)
    ]
    moves = [m for m in moves if m.change.amount]
    moves.sort(key=lambda m: abs(m.change.amount or ZERO), reverse=True)
    return moves[:MAX_MOVERS]


def _tagging(config: Any, plan: CostPlan, data: CostData, day: date) -> list[TagCoverage]:
    if config.tagging is None:
        return []
    month = day.replace(day=1)
    complete = _complete(data, month, day)
    total = data.amount(month, day) if complete else ZERO
    out = []
    for rule in config.tagging.required:
        dimension = Dimension.tag(rule.key)
        amounts: dict[str, Decimal] | None = None
        if complete and data.with_dimension(dimension) is not None:
            amounts = data.amounts_by(dimension, month, day)
        elif complete:
            amounts = _monthly_amounts(data, dimension, month)
        out.append(tag_coverage(rule, amounts, total))
    return out


def _monthly_amounts(
    data: CostData, dimension: Dimension, month: date
) -> dict[str, Decimal] | None:
    for label, rows in data.monthly.items():
        grouping = label.split("|")
        if dimension.label not in grouping:
            continue
        index = grouping.index(dimension.label)
        sums: dict[str, Decimal] = {}
        for period, keys, amount in rows:
            if period == month:
                sums[keys[index]] = sums.get(keys[index], ZERO) + amount
        return sums
    return None


def _top_services(data: CostData, day: date, top_n: int) -> list[tuple[str, Decimal]]:
    if not _complete(data, day, day):
        return []
    amounts = data.amounts_by(SERVICE, day, day)
    return sorted(amounts.items(), key=lambda kv: -kv[1])[:top_n]


def _chart(data: CostData, day: date, top_n: int, forecast: MonthForecast | None) -> ChartData:
    first = max(data.start, day - timedelta(days=CHART_DAYS - 1))
    matrix = data.matrix(SERVICE)
    if matrix.empty:
        return ChartData([], {}, {})
    window = matrix.loc[str(first) : str(day)]
    ranked = window.sum().sort_values(ascending=False)
    top = [str(s) for s in ranked.index[:top_n] if ranked[s] > 0]
    services = {s: window[s].round(2).tolist() for s in top}
    rest = [c for c in window.columns if c not in top]
    if rest:
        services["Other"] = window[rest].sum(axis=1).round(2).tolist()
    days = [d.date() for d in window.index]
    # Days Cost Explorer did not deliver are not zero spend: leave them out of the chart.
    gaps = set(data.missing_days(first, day))
    if gaps:
        keep = [i for i, d in enumerate(days) if d not in gaps]
        days = [days[i] for i in keep]
        services = {s: [v[i] for i in keep] for s, v in services.items()}
    projected = {d: float(v) for d, v in (forecast.daily.items() if forecast else [])}
    return ChartData(days, services, projected)
