"""What a day of a cost series should have cost: a seasonal, trending, robust baseline.

For every series and day, from the days before it only:

- the level of each of the last ``weeks`` (eight) weeks is the median of its seven days (weekday
  effects cancel, a spike does not move it);
- the weekly trend is the Theil-Sen slope through those weekly levels, and the level is
  projected to the day;
- the weekday effect is the median, over those weeks, of the same weekday's distance to its
  week's level;
- the spread is the median absolute deviation of the last ``scale_days`` residuals.

Medians make it robust to the anomalies it looks for; a series gets no baseline until it has a
week of history. Everything is computed for all series and days at once (numpy, no loops over
days; the medians in ``medians.py``), which is what lets a scan of 1,000 series x 400 days run
in about a quarter of a second.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sentinel.cost.medians import (
    nanmedian_last_axis,
    nanmedian_of_planes,
    selection_network,
    sort_planes,
    sorted_median,
    sorted_median_deviation,
)

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Baseline:
    """Per series (rows) and day (columns): the expectation, the spread and days of history."""

    expected: np.ndarray
    scale: np.ndarray
    history: np.ndarray


def first_days(values: np.ndarray) -> np.ndarray:
    """Index of each series' first day with cost (the number of days when it never had any)."""
    seen = values > 0
    return np.where(seen.any(axis=1), seen.argmax(axis=1), values.shape[1])


def compute_baseline(
    values: np.ndarray, weeks: int = 8, scale_days: int = 28, chunk: int = 32
) -> Baseline:
    """The baseline of every series (row) of ``values``, in chunks of series.

    Chunks bound memory, and small ones keep each step's arrays (a chunk x days x 28 stack is
    2.9 MiB at 32 series of 400 days) in the processor's cache, which makes the scan faster.
    """
    parts = [
        _baseline(np.ascontiguousarray(values[lo : lo + chunk], dtype=float), weeks, scale_days)
        for lo in range(0, max(values.shape[0], 1), chunk)
    ]
    return Baseline(
        expected=np.concatenate([p.expected for p in parts]),
        scale=np.concatenate([p.scale for p in parts]),
        history=np.concatenate([p.history for p in parts]),
    )


def _baseline(values: np.ndarray, weeks: int, scale_days: int) -> Baseline:
    days = values.shape[1]
    first = first_days(values)
    index = np.arange(days)
    history = index[None, :] - first[:, None]
    observed = np.where(history >= 0, values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        level = _rolling_week_median(observed)  # level[:, t] = median of days t..t+6
        seasonal = np.nan_to_num(nanmedian_of_planes(_weeks_before(observed - level, weeks)))
        slope = _weekly_slope(level, weeks) if weeks > 1 else np.zeros_like(level)
        distance = [float(7 * k - 3) for k in range(1, weeks + 1)]
        levels = _weeks_before(level, weeks)
        step = np.empty_like(slope)
        for plane, ahead in zip(levels, distance, strict=True):
            np.add(plane, np.multiply(slope, ahead, out=step), out=plane)
        projected = nanmedian_of_planes(levels)
        expected = np.clip(projected + seasonal, 0.0, None)
        residual = observed - expected
        scale = _rolling_mad(residual, scale_days) * MAD_TO_SIGMA
    return Baseline(expected=expected, scale=scale, history=history)


def _rolling_week_median(values: np.ndarray) -> np.ndarray:
    """As np.median over days t..t+6 (not nanmedian): a week with a NaN day has no level."""
    series, days = values.shape
    out = np.full((series, days), np.nan)
    if days >= 7:
        width = days - 6
        planes = [values[:, i : i + width].copy() for i in range(7)]
        middle = sort_planes(planes, selection_network(7, (3,)))[3]
        missing = np.zeros((series, days + 1), dtype=np.intp)
        np.cumsum(np.isnan(values), axis=1, out=missing[:, 1:])
        gaps = missing[:, 7:] != missing[:, :width]
        out[:, :width] = np.where(gaps, np.nan, middle)
    return out


def _weeks_before(values: np.ndarray, weeks: int) -> list[np.ndarray]:
    """Planes ``out[k - 1][:, d] = values[:, d - 7 * k]`` for k = 1..weeks, NaN before day 0."""
    return [_shift(values, 7 * k) for k in range(1, weeks + 1)]


def _weekly_slope(level: np.ndarray, weeks: int) -> np.ndarray:
    """Theil-Sen: the median slope between every two of the ``weeks`` levels before a day.

    The slope between weeks k and k + gap before a day is the slope over ``gap`` weeks ending
    k weeks before it, so each gap's slopes are computed once; the weeks go on the last axis
    (series x days x pairs) of one C-ordered stack, sorted in place.
    """
    series, days = level.shape
    pairs = weeks * (weeks - 1) // 2
    stack = np.empty((series, days, pairs))
    column = 0
    for gap in range(1, weeks):
        slopes = (level - _shift(level, 7 * gap)) / (7.0 * gap)
        for k in range(1, weeks - gap + 1):
            cut = min(7 * k, days)
            stack[:, :cut, column] = np.nan
            stack[:, cut:, column] = slopes[:, : days - cut]
            column += 1
    return np.nan_to_num(nanmedian_last_axis(stack, overwrite_input=True))


def _shift(values: np.ndarray, by: int) -> np.ndarray:
    """``out[:, d] = values[:, d - by]``, NaN where that is before the first day."""
    out = np.empty(values.shape)
    out[:, :by] = np.nan
    if by < values.shape[1]:
        out[:, by:] = values[:, :-by]
    return out


def _rolling_mad(residual: np.ndarray, window: int, chunk: int = 128) -> np.ndarray:
    """MAD of the ``window`` residuals before each day (NaN with fewer than a week of them).

    Each window is sorted once (NaN last): its median is the middle of its first ``count``
    values, and the median deviation from it is selected from the same sorted window. Series
    go through in chunks so memory stays bounded whatever their number.
    """
    series, days = residual.shape
    out = np.full((series, days), np.nan)
    # seen[:, k]: residuals among the first k days, so a window's count is a difference.
    seen = np.zeros((series, days + 1), dtype=np.int64)
    np.cumsum(~np.isnan(residual), axis=1, out=seen[:, 1:])
    day = np.arange(days)
    counts_of = seen[:, day] - seen[:, np.maximum(day - window, 0)]
    for lo in range(0, series, chunk):
        block = residual[lo : lo + chunk]
        counts = counts_of[lo : lo + chunk]
        padded = np.concatenate([np.full((block.shape[0], window), np.nan), block], axis=1)
        windows = np.sort(sliding_window_view(padded, window, axis=1)[:, :days], axis=2)
        mad = sorted_median_deviation(windows, counts, sorted_median(windows, counts))
        out[lo : lo + chunk] = np.where(counts >= 7, mad, np.nan)
    return out


def same_weekday_median(values: np.ndarray, before: int, day: int, weeks: int = 4) -> np.ndarray:
    """Per series: median of the ``weeks`` days before index ``before`` on ``day``'s weekday.

    The frozen baseline of an ongoing anomaly: what the days looked like before it began.
    """
    offset = (day - before) % 7
    first = before - 7 + offset
    picks = [first - 7 * k for k in range(weeks) if first - 7 * k >= 0]
    if not picks:
        return np.full(values.shape[0], np.nan)
    return np.median(values[:, picks], axis=1)
