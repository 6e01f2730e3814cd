"""Burn-rate factors against the SRE Workbook's table, computed from the windows data file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sentinel.slo.windows import burn_rate_windows, status_windows

DAY = 86_400

# The Workbook's table 5-8 (30 days) and the same budget shares over a 28-day period.
WORKBOOK = {
    30: [14.4, 6.0, 3.0, 1.0],
    28: [13.44, 5.6, 2.8, 0.9333],
}


def test_the_table_is_the_workbooks_rows() -> None:
    rows = [(w.alert, w.budget, w.long_label, w.short_label) for w in burn_rate_windows()]
    assert rows == [
        ("page", Decimal("0.02"), "1h", "5m"),
        ("page", Decimal("0.05"), "6h", "30m"),
        ("ticket", Decimal("0.1"), "1d", "2h"),
        ("ticket", Decimal("0.1"), "3d", "6h"),
    ]


@pytest.mark.parametrize("days", sorted(WORKBOOK))
def test_factors_match_the_workbook_to_four_decimals(days: int) -> None:
    factors = [round(w.factor(days * DAY), 4) for w in burn_rate_windows()]
    assert factors == WORKBOOK[days]


def test_a_factor_spends_the_rows_budget_share_in_its_long_window() -> None:
    for window in burn_rate_windows():
        for days in (7, 28, 30):
            period = days * DAY
            spent = window.factor(period) * window.long / period
            assert spent == pytest.approx(float(window.budget))


def test_status_reports_the_long_windows() -> None:
    assert status_windows() == (3600, 6 * 3600, DAY, 3 * DAY)
