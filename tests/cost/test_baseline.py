"""The baseline's NaN-aware median against numpy's own ``nanmedian``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sentinel.cost.baseline import nanmedian_last_axis


def reference(values: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        return np.nanmedian(values, axis=-1)


@pytest.mark.parametrize("length", [1, 2, 7, 8, 27, 28])
@pytest.mark.parametrize("nan_share", [0.0, 0.3, 0.9])
def test_equals_nanmedian_on_random_rows_with_nans(length: int, nan_share: float) -> None:
    rng = np.random.default_rng(length * 100 + int(nan_share * 10))
    values = rng.normal(100.0, 30.0, (40, 50, length))
    values[rng.random(values.shape) < nan_share] = np.nan
    values[3, :, :] = np.nan  # rows with no value at all
    values[5, 7, :] = np.nan
    got = nanmedian_last_axis(values)
    assert got.shape == values.shape[:-1]
    assert np.array_equal(got, reference(values), equal_nan=True)
    assert np.isnan(got[3]).all() and np.isnan(got[5, 7])


def test_even_and_odd_counts_and_ties() -> None:
    values = np.array(
        [
            [1.0, np.nan, 3.0, 2.0],  # three values: the middle one
            [4.0, 1.0, np.nan, np.nan],  # two: their mean
            [np.nan, np.nan, np.nan, 5.0],  # one
            [np.nan, np.nan, np.nan, np.nan],  # none: NaN
            [2.0, 2.0, -1.0, 2.0],  # ties and negatives
            [0.1, 0.2, 0.3, 0.7],  # four: the mean of the two middle ones
        ]
    )
    got = nanmedian_last_axis(values)
    assert np.array_equal(got, [2.0, 2.5, 5.0, np.nan, 2.0, 0.25], equal_nan=True)
    assert np.array_equal(got, reference(values), equal_nan=True)


def test_strided_input_gives_the_same_as_contiguous() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=(28, 30, 20))
    values[rng.random(values.shape) < 0.2] = np.nan
    strided = np.moveaxis(values, 0, -1)  # the reduced axis is not the contiguous one
    assert np.array_equal(nanmedian_last_axis(strided), reference(strided), equal_nan=True)
