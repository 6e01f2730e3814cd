"""The anomaly detector on series with weekly seasonality, trend, noise and short histories."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from sentinel.cost.baseline import compute_baseline
from sentinel.cost.detection import DetectionSettings, SeriesAnomaly, detect
from sentinel.cost.groupings import SERVICE, SeriesKey

WEEKLY = np.array([1.07, 1.08, 1.08, 1.07, 1.05, 0.84, 0.81])
START = date(2026, 1, 5)  # a Monday


def series(
    days: int = 140,
    level: float = 300.0,
    trend: float = 0.0,
    noise: float = 0.03,
    seed: int = 1,
    weekly: bool = True,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    shape = WEEKLY[t % 7] if weekly else np.ones(days)
    return level * shape * (1 + trend * t) * (1 + noise * rng.standard_normal(days))


def frame(*columns: np.ndarray) -> pd.DataFrame:
    days = pd.date_range(START, periods=len(columns[0]), freq="D")
    return pd.DataFrame({f"s{i}": c for i, c in enumerate(columns)}, index=days)


def keys(n: int) -> list[SeriesKey]:
    return [SeriesKey(SERVICE, f"s{i}") for i in range(n)]


def day(index: int) -> date:
    return START + timedelta(days=index)


def scan(
    matrix: pd.DataFrame, settings: DetectionSettings | None = None, first: int = 60
) -> list[SeriesAnomaly]:
    last = len(matrix) - 1
    return detect(
        matrix, keys(matrix.shape[1]), settings or DetectionSettings(), day(first), day(last)
    )


def test_weekly_seasonality_trend_and_noise_raise_nothing() -> None:
    columns = [series(seed=s, trend=0.004 * (s % 3), level=50 + 100 * s) for s in range(20)]
    assert scan(frame(*columns)) == []


def test_a_spike_is_found_with_its_day_actual_and_expected() -> None:
    values = series()
    values[100] += 400
    found = scan(frame(values))
    assert len(found) == 1
    anomaly = found[0]
    assert anomaly.days == [day(100)]
    assert anomaly.actual[0] == pytest.approx(values[100])
    # The expectation follows the weekday: about 300 x its weekday's factor.
    assert anomaly.expected[0] == pytest.approx(300 * WEEKLY[100 % 7], rel=0.06)
    assert float(anomaly.impact) == pytest.approx(400, rel=0.08)
    assert not anomaly.ongoing


def test_a_weekend_dip_in_a_weekly_series_is_no_anomaly_but_a_busy_sunday_is() -> None:
    values = series(level=400, noise=0.01)
    sunday = next(i for i in range(110, 130) if i % 7 == 6)
    values[sunday] = 400 * WEEKLY[0]  # a Sunday costing like a Monday: +32%
    found = scan(frame(values), DetectionSettings(min_impact=50, min_percent=20))
    assert [a.days for a in found] == [[day(sunday)]]


def test_thresholds_on_impact_and_percent() -> None:
    small = series(level=100, noise=0.01, seed=2)
    small[100] += 40  # +40%, but under $50
    large = series(level=2000, noise=0.01, seed=3)
    large[100] += 300  # $300, but +14%
    both = series(level=200, noise=0.01, seed=4)
    both[100] += 120  # $120 and +60%
    found = scan(frame(small, large, both))
    assert [a.series.value for a in found] == ["s2"]
    looser = scan(frame(small, large, both), DetectionSettings(min_impact=30, min_percent=10))
    assert sorted(a.series.value for a in looser) == ["s0", "s1", "s2"]


def test_no_alert_under_fourteen_days_of_history() -> None:
    values = np.zeros(100)
    values[88:] = series(12, level=20, seed=5)  # a service that appeared 12 days ago
    values[99] += 500
    assert scan(frame(values), first=80) == []
    values = np.zeros(100)
    values[80:] = series(20, level=20, seed=5)  # 19 days of history before the spike
    values[99] += 500
    found = scan(frame(values), first=80)
    assert [a.days for a in found] == [[day(99)]]


def test_a_lasting_increase_is_one_ongoing_anomaly() -> None:
    values = series(level=100, noise=0.01, weekly=False)
    values[-6:] += 80  # +80 a day for the last six days, still going on
    found = scan(frame(values))
    assert len(found) == 1
    anomaly = found[0]
    assert anomaly.days == [day(len(values) - 6 + i) for i in range(6)]
    assert anomaly.ongoing
    assert float(anomaly.impact) == pytest.approx(480, rel=0.05)


def test_an_anomaly_that_ended_is_not_ongoing_and_the_drop_after_it_is_no_anomaly() -> None:
    values = series(level=100, noise=0.01, weekly=False)
    values[110:113] += 200
    found = scan(frame(values))
    assert [(a.start, a.end, a.ongoing) for a in found] == [(day(110), day(112), False)]


def test_baseline_is_vectorised_over_many_series() -> None:
    values = np.vstack([series(seed=s, level=10 + s) for s in range(300)])
    baseline = compute_baseline(values)
    assert baseline.expected.shape == values.shape
    # No baseline in the first week; one everywhere after four weeks.
    assert np.isnan(baseline.expected[:, :7]).all()
    assert not np.isnan(baseline.expected[:, 35:]).any()
    residual = (values[:, 60:] - baseline.expected[:, 60:]) / baseline.scale[:, 60:]
    assert abs(float(np.median(residual))) < 0.2


def test_a_one_week_baseline_has_no_trend_but_works() -> None:
    values = np.vstack([series(seed=s, weekly=False) for s in range(3)])
    baseline = compute_baseline(values, weeks=1)
    assert not np.isnan(baseline.expected[:, 14:]).any()
    assert np.allclose(baseline.expected[:, 60:].mean(axis=1), 300, rtol=0.03)


def flat(level: float, days: int = 120) -> np.ndarray:
    """A noise-free series: its expectation is exactly ``level``, its spread floored at 2 %."""
    return np.full(days, level)


@pytest.mark.parametrize(
    ("level", "fall", "found"),
    [
        (200.0, 50.0, True),  # $50 and 25 %: at the impact threshold
        (200.0, 49.99, False),  # 25 %, a cent under $50
        (1000.0, 200.0, True),  # $200 and 20 %: at the percentage threshold
        (1000.0, 199.99, False),  # $199.99: 19.999 %
    ],
)
def test_a_drop_is_found_at_the_impact_and_percentage_thresholds(
    level: float, fall: float, found: bool
) -> None:
    values = flat(level)
    values[100] -= fall
    anomalies = scan(frame(values))
    if not found:
        assert anomalies == []
        return
    [drop] = anomalies
    assert (drop.direction, drop.days) == ("drop", [day(100)])
    assert (drop.actual, drop.expected) == ([level - fall], [level])
    assert float(drop.impact) == pytest.approx(-fall)
    assert drop.peak_impact == pytest.approx(-fall) and drop.percent < 0


def test_spend_that_stops_is_one_ongoing_drop() -> None:
    values = series(level=100, noise=0.01, weekly=False)
    values[-5:] = 0.0  # a backup job that stopped five days ago
    [drop] = scan(frame(values))
    assert drop.direction == "drop"
    assert drop.days == [day(len(values) - 5 + i) for i in range(5)]
    assert drop.ongoing
    assert drop.actual == [0.0] * 5
    assert float(drop.impact) == pytest.approx(-500, rel=0.05)


def test_drops_off_reports_only_spikes() -> None:
    values = flat(200.0)
    values[90] += 100
    values[100] -= 100
    both = scan(frame(values))
    assert [(a.direction, a.days) for a in both] == [("spike", [day(90)]), ("drop", [day(100)])]
    spikes = scan(frame(values), DetectionSettings(drops=False))
    assert [(a.direction, a.days) for a in spikes] == [("spike", [day(90)])]


def test_a_drop_right_after_a_spike_is_another_anomaly() -> None:
    values = flat(200.0)
    values[100:102] += 150  # a job ran two days, then its service stopped
    values[102:105] = 0.0
    found = scan(frame(values))
    assert [(a.direction, a.start, a.end) for a in found] == [
        ("spike", day(100), day(101)),
        ("drop", day(102), day(104)),
    ]


def test_spikes_are_the_same_with_or_without_drops() -> None:
    columns = [series(seed=s, level=50 + 120 * s, noise=0.04) for s in range(30)]
    for i, column in enumerate(columns):
        column[70 + 2 * i] += 60 + 40 * i
    matrix = frame(*columns)
    with_drops = scan(matrix)
    assert all(a.direction == "spike" for a in with_drops)  # the noise has no drop this large
    without = scan(matrix, DetectionSettings(drops=False))
    assert [(a.series, a.days, a.actual, a.expected, a.score) for a in with_drops] == [
        (a.series, a.days, a.actual, a.expected, a.score) for a in without
    ]
    assert len(with_drops) >= 25
