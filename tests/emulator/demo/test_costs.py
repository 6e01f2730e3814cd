"""The demo account's cost history: its span, its scale, its three anomalies and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from sentinel.emulator.demo import DEMO_ANOMALIES
from sentinel.emulator.demo.costs import cost_history, cost_tags, history_start, line_items

TODAY = date(2025, 3, 12)
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def costs() -> pd.DataFrame:
    return cost_history(TODAY, ACCOUNT).frame


def daily_by_service(costs: pd.DataFrame) -> pd.DataFrame:
    return costs.pivot_table(index="day", columns="service", values="cost", aggfunc="sum").fillna(0)


def test_history_runs_from_13_months_back_to_yesterday(costs: pd.DataFrame) -> None:
    assert history_start(TODAY) == date(2024, 2, 1)
    assert history_start(date(2025, 1, 31)) == date(2023, 12, 1)
    assert costs["day"].min() == pd.Timestamp("2024-02-01")
    assert costs["day"].max() == pd.Timestamp(TODAY - timedelta(days=1))
    assert costs.groupby("day").size().min() == len(line_items())


def test_monthly_scale_is_the_seed_system_with_staging(costs: pd.DataFrame) -> None:
    february = costs[costs["day"].dt.to_period("M") == "2025-02"]
    by_environment = february.groupby(february["tag:Environment"].fillna("untagged"))["cost"].sum()

    assert 1_700 < february["cost"].sum() < 2_300
    assert 1_200 < by_environment["production"] < 1_800
    assert by_environment["production"] > by_environment["staging"] > by_environment["dev"]
    assert 0 < by_environment["untagged"] < 0.1 * february["cost"].sum()


def test_weekdays_cost_more_than_weekends(costs: pd.DataFrame) -> None:
    daily = costs.groupby("day")["cost"].sum()
    recent = daily[daily.index >= pd.Timestamp("2024-12-01")]
    anomaly_days = {pd.Timestamp(d) for a in DEMO_ANOMALIES for d in a.days(TODAY)}
    recent = recent[~recent.index.isin(anomaly_days)]
    weekend = recent.index.weekday >= 5

    assert recent[~weekend].mean() > recent[weekend].mean() + 2


def test_costs_grow_gently(costs: pd.DataFrame) -> None:
    monthly = costs.groupby(costs["day"].dt.to_period("M"))["cost"].sum()
    first, last = monthly["2024-03"], monthly["2025-01"]

    assert 1.0 < last / first < 1.15


def test_each_anomaly_adds_its_spend_on_its_days(costs: pd.DataFrame) -> None:
    daily = daily_by_service(costs)
    for anomaly in DEMO_ANOMALIES:
        days = [pd.Timestamp(d) for d in anomaly.days(TODAY)]
        baseline = daily[anomaly.service].drop(days).tail(60).median()

        extra = daily.loc[days, anomaly.service] - baseline

        assert len(days) == anomaly.first_day_ago - anomaly.last_day_ago + 1
        assert anomaly.extra_usd_per_day > 50
        assert (extra > 0.9 * anomaly.extra_usd_per_day).all(), anomaly.service
        assert (extra < 1.1 * anomaly.extra_usd_per_day + 5).all(), anomaly.service


def test_nothing_else_stands_out(costs: pd.DataFrame) -> None:
    daily = daily_by_service(costs)
    anomalous = {(a.service, pd.Timestamp(d)) for a in DEMO_ANOMALIES for d in a.days(TODAY)}
    baseline = daily.rolling(28, min_periods=7, center=True).median()
    deviation = (daily - baseline).abs().stack()

    outliers = {key for key, value in deviation.items() if value > 10}

    assert {(service, day) for day, service in outliers} == anomalous


def test_cost_tags_follow_the_resources() -> None:
    assert cost_tags("p2p-worker-2")["Environment"] == "Production"
    assert cost_tags("p2p-sandbox-assets")["Environment"] == "prod"
    assert "CostCenter" not in cost_tags("p2p-redis")
    assert cost_tags("p2p-dev-sandbox") == {}
    assert cost_tags("untagged") == {}
    assert cost_tags("cdn")["Service"] == "frontend"
    assert "Name" not in cost_tags("p2p-bastion")
