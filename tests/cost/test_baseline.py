"""The baseline against its plain statement: one ``np.nanmedian`` per step."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sentinel.cost.baseline import compute_baseline


def reference_baseline(values: np.ndarray, weeks: int, scale_days: int) -> tuple[np.ndarray, ...]:
    """The baseline stated plainly, one ``nanmedian`` per step (as it was first written)."""
    series, days = values.shape
    seen = values > 0
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), days)
    observed = np.where(np.arange(days)[None, :] >= first[:, None], values, np.nan)

    def shift(a: np.ndarray, by: int) -> np.ndarray:
        out = np.full(a.shape, np.nan)
        out[:, by:] = a[:, : days - by]
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        level = np.full((series, days), np.nan)
        for t in range(days - 6):
            level[:, t] = np.median(observed[:, t : t + 7], axis=1)
        levels = np.stack([shift(level, 7 * k) for k in range(1, weeks + 1)])
        deviations = np.stack([shift(observed - level, 7 * k) for k in range(1, weeks + 1)])
        seasonal = np.nan_to_num(np.nanmedian(deviations, axis=0))
        slopes = [
            (levels[i] - levels[j]) / (7.0 * (j - i))
            for i in range(weeks)
            for j in range(i + 1, weeks)
        ]
        slope = (
            np.nan_to_num(np.nanmedian(np.stack(slopes), axis=0))
            if slopes
            else np.zeros((series, days))
        )
        distance = np.array([7 * k - 3 for k in range(1, weeks + 1)], dtype=float)
        projected = np.nanmedian(levels + slope[None] * distance[:, None, None], axis=0)
        expected = np.clip(projected + seasonal, 0.0, None)
        residual = observed - expected
        scale = np.full((series, days), np.nan)
        for d in range(days):
            window = residual[:, max(0, d - scale_days) : d]
            center = np.nanmedian(window, axis=1, keepdims=True)
            mad = np.nanmedian(np.abs(window - center), axis=1)
            scale[:, d] = np.where((~np.isnan(window)).sum(axis=1) >= 7, mad, np.nan)
    return expected, scale * 1.4826


@pytest.mark.parametrize(("weeks", "scale_days"), [(8, 28), (3, 14), (1, 28)])
def test_compute_baseline_equals_the_plain_statement(weeks: int, scale_days: int) -> None:
    rng = np.random.default_rng(weeks)
    days = 130
    t = np.arange(days)
    values = (
        rng.uniform(5, 500, (37, 1))
        * (1 + 0.1 * np.sin(t / 3))
        * (1 + 0.05 * rng.normal(size=(37, days)))
    )
    values[:, ::17] *= 3  # spikes
    values[5, :40] = 0.0  # series that begin late, or never
    values[6, :100] = 0.0
    values[7] = 0.0
    baseline = compute_baseline(values, weeks=weeks, scale_days=scale_days, chunk=10)
    expected, scale = reference_baseline(values, weeks, scale_days)
    assert np.allclose(baseline.expected, expected, rtol=0, atol=1e-9, equal_nan=True)
    assert np.allclose(baseline.scale, scale, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(baseline.expected[7]).all()


@pytest.mark.parametrize("days", [1, 6, 7, 20, 57])
def test_short_histories_have_a_baseline_of_their_shape(days: int) -> None:
    values = np.random.default_rng(days).uniform(10, 20, (3, days))
    baseline = compute_baseline(values)
    assert baseline.expected.shape == baseline.scale.shape == (3, days)
    # A week of history before a day is needed for its level.
    assert np.isnan(baseline.expected[:, : min(days, 7)]).all()
    if days > 7:
        assert not np.isnan(baseline.expected[:, 7:]).any()
