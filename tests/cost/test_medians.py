"""The medians of the baseline against numpy's own ``nanmedian``."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from sentinel.cost.medians import (
    nanmedian_last_axis,
    nanmedian_of_planes,
    selection_network,
    sort_planes,
    sorted_median,
    sorted_median_deviation,
    sorting_network,
)


def reference(values: np.ndarray, axis: int = -1) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        return np.nanmedian(values, axis=axis)


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


@pytest.mark.parametrize("size", [2, 3, 7, 8, 11, 16])
def test_sorting_networks_sort_every_input_of_zeros_and_ones(size: int) -> None:
    # The 0-1 principle: a network that sorts every sequence of 0s and 1s sorts every input.
    inputs = np.array(list(itertools.product([0.0, 1.0], repeat=size))).T
    planes = sort_planes([row.copy() for row in inputs], sorting_network(size))
    assert np.array_equal(np.stack(planes), np.sort(inputs, axis=0))


def test_networks_have_the_known_sizes() -> None:
    assert len(sorting_network(7)) == 16
    assert len(sorting_network(8)) == 19
    assert len(selection_network(7, (3,))) < len(sorting_network(7))


def test_a_selection_network_gives_the_median_of_seven() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 5, (7, 2000)).astype(float)  # many ties
    middle = sort_planes([row.copy() for row in values], selection_network(7, (3,)))[3]
    assert np.array_equal(middle, np.median(values, axis=0))


@pytest.mark.parametrize("size", [1, 2, 7, 8])
@pytest.mark.parametrize("nan_share", [0.0, 0.2, 0.7])
def test_median_of_planes_equals_nanmedian(size: int, nan_share: float) -> None:
    rng = np.random.default_rng(size * 10 + int(nan_share * 10))
    values = rng.normal(100.0, 30.0, (size, 30, 40)).round(1)
    values[rng.random(values.shape) < nan_share] = np.nan
    values[:, 2, 3] = np.nan  # no value at all
    got = nanmedian_of_planes([plane.copy() for plane in values])
    assert np.array_equal(got, reference(values, axis=0), equal_nan=True)
    assert np.isnan(got[2, 3])


@pytest.mark.parametrize("length", [1, 2, 3, 7, 14, 27, 28])
@pytest.mark.parametrize("nan_share", [0.0, 0.3, 0.9])
def test_median_deviation_of_sorted_rows_equals_nanmedian(length: int, nan_share: float) -> None:
    rng = np.random.default_rng(length * 10 + int(nan_share * 10))
    values = rng.normal(0.0, 5.0, (20, 30, length)).round(int(length % 3))  # ties too
    values[rng.random(values.shape) < nan_share] = np.nan
    values[4, 4] = np.nan
    values.sort(axis=-1)
    counts = (~np.isnan(values)).sum(axis=-1)
    center = sorted_median(values, counts)
    got = sorted_median_deviation(values, counts, center)
    assert np.array_equal(got, reference(np.abs(values - center[..., None])), equal_nan=True)
    assert np.isnan(got[4, 4])
