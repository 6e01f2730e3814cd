"""Small cost histories with known shape, loaded into the emulated Cost Explorer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np

from sentinel.emulator.cost_table import CostRecord, CostTable

GROWTH_EPOCH = date(2025, 1, 1)
# Monday .. Sunday: weekdays busier, as web traffic is.
WEEKLY = (1.06, 1.08, 1.08, 1.06, 1.04, 0.86, 0.82)

# service, usage type, cost per day, weekly shape?, tags
LINES: tuple[tuple[str, str, float, bool, dict[str, str]], ...] = (
    (
        "Amazon Elastic Compute Cloud - Compute",
        "BoxUsage:m5.large",
        60.0,
        False,
        {
            "Environment": "production",
            "Service": "backend",
            "Owner": "team-api",
            "CostCenter": "eng-100",
        },
    ),
    (
        "Amazon Elastic Compute Cloud - Compute",
        "BoxUsage:t3.medium",
        12.0,
        False,
        {
            "Environment": "staging",
            "Service": "backend",
            "Owner": "team-api",
            "CostCenter": "eng-100",
        },
    ),
    (
        "Amazon Relational Database Service",
        "InstanceUsage:db.r6g.large",
        30.0,
        False,
        {
            "Environment": "production",
            "Service": "database",
            "Owner": "team-data",
            "CostCenter": "eng-200",
        },
    ),
    (
        "Amazon Simple Storage Service",
        "TimedStorage-ByteHrs",
        8.0,
        False,
        {
            "Environment": "Production",
            "Service": "storage",
            "Owner": "team-web",
            "CostCenter": "eng-300",
        },
    ),
    (
        "Amazon CloudFront",
        "DataTransfer-Out-Bytes",
        15.0,
        True,
        {
            "Environment": "production",
            "Service": "frontend",
            "Owner": "team-web",
            "CostCenter": "ENG-300",
        },
    ),
    (
        "AWS Lambda",
        "Lambda-GB-Second",
        4.0,
        True,
        {
            "Environment": "production",
            "Service": "backend",
            "Owner": "team-api",
            "CostCenter": "eng-100",
        },
    ),
    ("AmazonCloudWatch", "CW:MetricMonitorUsage", 3.0, False, {}),
)


def daily_records(
    today: date,
    days: int = 120,
    noise: float = 0.02,
    seed: int = 7,
    extra: Iterable[tuple[int, str, str, float, dict[str, str]]] = (),
    growth_per_day: float = 0.0,
    stopped: dict[str, int] | None = None,
) -> list[CostRecord]:
    """``days`` of history up to yesterday; ``extra`` adds (days_ago, service, usage, $, tags);
    ``stopped`` ends usage types' spend (usage type -> days ago it stopped)."""
    records = []
    for ago in range(days, 0, -1):
        day = today - timedelta(days=ago)
        # Noise per calendar day: a day costs the same whichever day the bill is made.
        draws = np.random.default_rng([seed, day.toordinal()]).standard_normal(len(LINES))
        for (service, usage, cost, weekly, tags), draw in zip(LINES, draws, strict=True):
            amount = cost * (WEEKLY[day.weekday()] if weekly else 1.0)
            amount *= 1 + growth_per_day * (day - GROWTH_EPOCH).days
            amount *= 1 + noise * float(draw)
            if ago <= (stopped or {}).get(usage, 0):
                continue
            records.append(CostRecord(day, service, usage, round(amount, 4), tags=tags))
    for ago, service, usage, amount, tags in extra:
        records.append(CostRecord(today - timedelta(days=ago), service, usage, amount, tags=tags))
    return records


def bill(today: date, **kwargs: object) -> CostTable:
    return CostTable.from_records(daily_records(today, **kwargs))  # type: ignore[arg-type]


def expected_total(table: CostTable, first: date, last: date, **where: str) -> float:
    """Sum of the bill's cost from ``first`` to ``last`` inclusive, optionally filtered."""
    frame = table.frame
    mask = (frame["day"] >= str(first)) & (frame["day"] <= str(last))
    for column, value in where.items():
        mask &= frame[column] == value
    return float(frame.loc[mask, "cost"].sum())
