"""The demo account's daily cost history, from ``data/demo_costs.yaml`` and the seeded anomalies.

Each line item's monthly cost is spread over days from the first day of the month 13 months ago
to yesterday, shaped by its driver: weekly seasonality, growth towards today's scale, and noise
drawn per calendar day from ``SEED``. The anomalies of ``ground_truth.DEMO_ANOMALIES`` are added
on top, noise-free, so their extra spend is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sentinel.emulator.cost_table import CostTable, tag_column
from sentinel.emulator.demo.ground_truth import (
    COST_ALLOCATION_TAGS,
    COST_HISTORY_MONTHS,
    DEMO_ANOMALIES,
    SEED,
    DemoCostAnomaly,
)
from sentinel.emulator.demo.layout import ACCOUNT_NAME, LAYOUT, REGION

DAYS_PER_MONTH = 365.25 / 12
# Noise is indexed by days since this date, so each calendar day always draws the same numbers.
_NOISE_EPOCH = date(2020, 1, 1)


@dataclass(frozen=True)
class Driver:
    growth_per_month: float
    noise: float
    weekly: tuple[float, ...]


@dataclass(frozen=True)
class LineItem:
    service: str
    usage_type: str
    unit: str
    monthly_usd: float
    monthly_usage: float
    driver: str
    resource: str
    region: str


@cache
def _bill() -> dict[str, Any]:
    text = resources.files("sentinel").joinpath("data/demo_costs.yaml").read_text()
    return yaml.safe_load(text)


def line_items() -> list[LineItem]:
    return [
        LineItem(
            service=raw["service"],
            usage_type=raw["usage_type"],
            unit=raw["unit"],
            monthly_usd=float(raw["monthly_usd"]),
            monthly_usage=float(raw["monthly_usage"]),
            driver=raw["driver"],
            resource=raw["resource"],
            region=raw.get("region", REGION),
        )
        for raw in _bill()["lines"]
    ]


def drivers() -> dict[str, Driver]:
    return {
        name: Driver(float(raw["growth_per_month"]), float(raw["noise"]), tuple(raw["weekly"]))
        for name, raw in _bill()["drivers"].items()
    }


def cost_tags(resource: str) -> dict[str, str]:
    """The cost allocation tags spend on ``resource`` carries."""
    if resource == "untagged":
        return {}
    profiles: dict[str, dict[str, str]] = _bill()["tag_profiles"]
    found = profiles.get(resource)
    if found is None:
        found = LAYOUT.tags_of(resource)
    return {k: v for k, v in found.items() if k in COST_ALLOCATION_TAGS}


def history_start(today: date) -> date:
    """The first day of the month ``COST_HISTORY_MONTHS`` months before today's month."""
    month_index = today.year * 12 + today.month - 1 - COST_HISTORY_MONTHS
    return date(month_index // 12, month_index % 12 + 1, 1)


def cost_history(today: date, account_id: str) -> CostTable:
    """Daily cost records from ``history_start(today)`` to yesterday."""
    start, end = history_start(today), today - timedelta(days=1)
    days = pd.date_range(start, end, freq="D")
    offsets = (days - pd.Timestamp(today)).days.to_numpy()
    weekdays = days.weekday.to_numpy()
    items = line_items()
    shapes = drivers()
    noise = _daily_noise(start, end, len(items))
    frames = []
    for i, item in enumerate(items):
        driver = shapes[item.driver]
        growth = (1 + driver.growth_per_month) ** (offsets / DAYS_PER_MONTH)
        factor = np.asarray(driver.weekly)[weekdays] * growth
        factor = factor * np.clip(1 + driver.noise * noise[:, i], 0.5, 1.5)
        frames.append(
            _frame(
                days,
                item.service,
                item.usage_type,
                item.region,
                item.unit,
                item.monthly_usd / DAYS_PER_MONTH * factor,
                item.monthly_usage / DAYS_PER_MONTH * factor,
                cost_tags(item.resource),
                account_id,
            )
        )
    frames.extend(_anomaly_frame(a, today, account_id) for a in DEMO_ANOMALIES)
    return CostTable(pd.concat(frames, ignore_index=True))


def _daily_noise(start: date, end: date, lines: int) -> np.ndarray:
    rows = (end - _NOISE_EPOCH).days + 1
    draws = np.random.default_rng(SEED).standard_normal((rows, lines))
    return draws[(start - _NOISE_EPOCH).days :]


def _anomaly_frame(anomaly: DemoCostAnomaly, today: date, account_id: str) -> pd.DataFrame:
    days = pd.DatetimeIndex(sorted(anomaly.days(today)))
    cost = np.full(len(days), anomaly.extra_usd_per_day)
    return _frame(
        days,
        anomaly.service,
        anomaly.usage_type,
        anomaly.region,
        anomaly.usage_unit,
        cost,
        cost / anomaly.unit_price_usd,
        cost_tags(anomaly.resource),
        account_id,
    )


def _frame(
    days: pd.DatetimeIndex,
    service: str,
    usage_type: str,
    region: str,
    unit: str,
    cost: np.ndarray,
    usage: np.ndarray,
    tags: dict[str, str],
    account_id: str,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "day": days,
            "service": service,
            "usage_type": usage_type,
            "region": region,
            "linked_account": account_id,
            "linked_account_name": ACCOUNT_NAME,
            "record_type": "Usage",
            "cost": np.round(cost, 10),
            "usage_quantity": np.round(usage, 6),
            "usage_unit": unit,
        }
    )
    for key in COST_ALLOCATION_TAGS:
        frame[tag_column(key)] = tags.get(key)
    return frame
