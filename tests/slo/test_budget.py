"""Error budget, burn rates and status from good and total requests per hour."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import yaml

from sentinel.config.models.monitors import MonitorsFile, Slo
from sentinel.slo.budget import SloState, evaluate
from sentinel.slo.metric_data import Grid
from sentinel.slo.sli import SliSeries

END = datetime(2026, 3, 31, tzinfo=UTC)
HOURS = 30 * 24


def slo(objective: str = "99.9%") -> Slo:
    text = f"""
slos:
  - name: api
    objective: {objective}
    window: 30d
    availability:
      errors: {{namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count}}
      total: {{namespace: AWS/ApplicationELB, metric: RequestCount}}
"""
    return MonitorsFile.model_validate(yaml.safe_load(text)).slos[0]


def series(bad_per_hour: np.ndarray, requests: float = 1000.0) -> SliSeries:
    hours = len(bad_per_hour)
    grid = Grid(int(END.timestamp()) - hours * 3600, int(END.timestamp()), 3600)
    total = np.full(hours, requests)
    return SliSeries(grid, total - bad_per_hour, total, "requests")


def test_budget_in_requests_and_percent() -> None:
    bad = np.zeros(HOURS)
    bad[100] = 180.0  # one bad hour: 180 of 720,000 requests
    status = evaluate(slo(), series(bad), END)
    assert status.budget.allowed == pytest.approx(720.0)  # 0.1 % of 720,000
    assert status.budget.consumed == 180
    assert status.budget.remaining == pytest.approx(540.0)
    assert status.budget.consumed_percent == pytest.approx(25.0)
    assert status.budget.remaining_percent == pytest.approx(75.0)
    assert status.state is SloState.OK


def test_burn_rates_over_the_last_hour_six_hours_day_and_three_days() -> None:
    bad = np.zeros(HOURS)
    bad[-1] = 14.4  # 1.44 % errors in the last hour: exactly the page threshold
    bad[-30] = 3.0
    status = evaluate(slo(), series(bad), END)
    rates = {b.label: b for b in status.burn_rates}
    assert rates["1h"].rate == pytest.approx(14.4)
    assert rates["6h"].rate == pytest.approx(14.4 / 6)
    assert rates["1d"].rate == pytest.approx(14.4 / 24)
    assert rates["3d"].rate == pytest.approx(17.4 / 72)
    assert (rates["1h"].threshold, rates["3d"].threshold) == (pytest.approx(14.4), 1.0)
    # The 1h burn rate reaches its page factor: WARNING, though most budget is left.
    assert rates["1h"].alerting
    assert status.state is SloState.WARNING


def test_low_budget_left_is_a_warning_and_none_left_is_breached() -> None:
    bad = np.zeros(HOURS)
    bad[10] = 600.0  # 83 % of the budget
    assert evaluate(slo(), series(bad), END).state is SloState.WARNING
    bad[11] = 200.0  # 111 %: the SLI is below the objective
    status = evaluate(slo(), series(bad), END)
    assert status.state is SloState.BREACHED
    assert status.budget.remaining_percent == pytest.approx(100 - 800 / 7.2)
    assert status.sli == pytest.approx(100 * (1 - 800 / 720_000))


def test_only_the_window_counts() -> None:
    bad = np.zeros(HOURS + 48)
    bad[:48] = 1000.0  # outside the 30 days
    status = evaluate(slo(), series(bad), END)
    assert status.budget.consumed == 0
    assert status.total == 720_000
