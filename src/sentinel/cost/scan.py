"""The anomaly scan: load the data it needs through the cache, find and group anomalies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from sentinel.cost.anomalies import BASELINE_DAYS, Breakdown, CostAnomaly, find_anomalies
from sentinel.cost.cache import CostCache
from sentinel.cost.data import CostData, MissingData
from sentinel.cost.detection import DetectionSettings
from sentinel.cost.groupings import CostPlan, Dimension, plan_for
from sentinel.cost.sources import CostDataUnavailable, CostQuery

DEFAULT_SCAN_DAYS = 30


@dataclass
class AnomalyScan:
    start: date
    end: date
    anomalies: list[CostAnomaly]
    settings: DetectionSettings
    missing: list[MissingData] = field(default_factory=list)
    requests: int = 0


def history_start(start: date, settings: DetectionSettings) -> date:
    """First day to load: the baseline's weeks before any anomaly still running at ``start``."""
    return start - timedelta(days=BASELINE_DAYS + settings.max_days)


def scan_window(end: date, days: int) -> tuple[date, date]:
    return end - timedelta(days=max(days, 1) - 1), end


def cache_breakdown(cache: CostCache) -> Breakdown:
    """Drivers through the cache: one request per anomaly, kept for the next runs."""

    def lookup(
        dimension: Dimension, where: tuple[Dimension, str] | None, first: date, last: date
    ) -> pd.DataFrame:
        query = CostQuery((dimension,), first, last + timedelta(days=1), where=where)
        try:
            answer = cache.breakdown(query)
        except CostDataUnavailable as exc:
            raise LookupError(str(exc)) from None
        frame = pd.DataFrame(
            [(pd.Timestamp(day), keys[0], float(amount)) for day, keys, amount in answer.rows],
            columns=["day", "value", "amount"],
        )
        if frame.empty:
            return pd.DataFrame()
        return frame.pivot_table(
            index="day", columns="value", values="amount", aggfunc="sum"
        ).fillna(0.0)

    return lookup


def scan_loaded(
    data: CostData,
    plan: CostPlan,
    settings: DetectionSettings,
    start: date,
    end: date,
    cache: CostCache | None = None,
) -> AnomalyScan:
    before = cache.stats.requests if cache else 0
    anomalies = find_anomalies(
        data, plan, settings, start, end, cache_breakdown(cache) if cache else None
    )
    requests = (cache.stats.requests - before) if cache else 0
    return AnomalyScan(start, end, anomalies, settings, list(data.missing), requests)


def scan_anomalies(config: Any, cache: CostCache, end: date, days: int, today: date) -> AnomalyScan:
    """Anomalies of the last ``days`` days up to ``end``, with the history their baseline needs."""
    plan = plan_for(config, cache.source.max_group_by)
    settings = DetectionSettings.from_config(config.anomaly_detection)
    start, end = scan_window(end, days)
    before = cache.stats.requests
    data = cache.load(plan, history_start(start, settings), end, today)
    scan = scan_loaded(data, plan, settings, start, end, cache)
    scan.requests = cache.stats.requests - before
    return scan
