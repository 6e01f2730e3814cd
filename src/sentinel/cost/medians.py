"""NaN-aware medians for the baseline, exact and without ``np.nanmedian``'s masked-array cost.

Two shapes of input:

- rows (the last axis of an array): sorted in place, NaNs last, and the middle of each row's
  non-NaN values taken (``nanmedian_last_axis``);
- planes (a few arrays of one shape, one per week before a day): sorted element-wise by a
  sorting network of ``np.minimum`` and ``np.maximum``, which for eight values is several times
  faster than sorting millions of rows of eight (``nanmedian_of_planes``).

Both return the values ``np.nanmedian`` does: the same middle elements, averaged the same way.
"""

from __future__ import annotations

from functools import cache

import numpy as np

Network = tuple[tuple[int, int], ...]


@cache
def sorting_network(size: int) -> Network:
    """Batcher's odd-even merge sort for ``size`` inputs: (low, high) comparators in order."""
    pairs: list[tuple[int, int]] = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


@cache
def selection_network(size: int, outputs: tuple[int, ...]) -> Network:
    """The comparators of ``sorting_network(size)`` that the given sorted positions depend on."""
    needed = set(outputs)
    kept: list[tuple[int, int]] = []
    for low, high in reversed(sorting_network(size)):
        if low in needed or high in needed:
            kept.append((low, high))
            needed |= {low, high}
    return tuple(reversed(kept))


def sort_planes(planes: list[np.ndarray], network: Network) -> list[np.ndarray]:
    """Sort element-wise across ``planes`` (arrays the list owns), in place: planes[0] lowest."""
    spare = np.empty_like(planes[0])
    for low, high in network:
        a, b = planes[low], planes[high]
        np.minimum(a, b, out=spare)
        np.maximum(a, b, out=b)
        planes[low], spare = spare, a
    return planes


def nanmedian_of_planes(planes: list[np.ndarray]) -> np.ndarray:
    """``np.nanmedian(np.stack(planes), axis=0)``, NaN where every plane is NaN.

    The planes are overwritten. NaNs become +inf and sort last, so where ``count`` planes have
    a value, its median is the middle of the first ``count`` sorted ones.
    """
    size = len(planes)
    counts = np.zeros(planes[0].shape, dtype=np.intp)
    for plane in planes:
        missing = np.isnan(plane)
        counts += ~missing
        np.copyto(plane, np.inf, where=missing)
    ordered = sort_planes(planes, sorting_network(size))
    median = (ordered[(size - 1) // 2] + ordered[size // 2]) / 2
    for count in range(size):
        where = counts == count
        if where.any():
            part = (ordered[(count - 1) // 2] + ordered[count // 2]) / 2 if count else np.nan
            np.copyto(median, part, where=where)
    return median


def nanmedian_last_axis(values: np.ndarray, overwrite_input: bool = False) -> np.ndarray:
    """``np.nanmedian(values, axis=-1)``, NaN where a row has no value, without its cost.

    NaNs sort last, so a row's median is the middle of its first ``count`` sorted values;
    ``nanmedian`` goes through masked arrays and is several times slower.
    """
    # One C-ordered copy, sorted in place: rows contiguous in memory sort several times
    # faster than along a strided axis (which np.sort's own copy would keep).
    # ``overwrite_input`` (as np.nanmedian's) sorts a C-ordered float array in place instead.
    reuse = overwrite_input and values.flags.c_contiguous and values.dtype == np.float64
    ordered = values if reuse else np.array(values, dtype=float, order="C")
    ordered.sort(axis=-1)
    return sorted_median(ordered, row_counts(ordered))


def row_counts(values: np.ndarray) -> np.ndarray:
    """Non-NaN values of each row (a product with ones: faster than a sum over short rows)."""
    present = (~np.isnan(values)).astype(np.float32)
    return (present @ np.ones(values.shape[-1], dtype=np.float32)).astype(np.intp)


def sorted_median(ordered: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Median of each row's first ``counts`` values (rows sorted, NaN last); NaN for none."""
    size = ordered.shape[-1]
    flat = ordered.reshape(-1)
    start = np.arange(0, counts.size * size, size).reshape(counts.shape)
    lo = np.take(flat, start + np.maximum((counts - 1) // 2, 0))
    hi = np.take(flat, start + np.minimum(counts // 2, size - 1))
    return np.where(counts > 0, (lo + hi) / 2, np.nan)


def sorted_median_deviation(
    ordered: np.ndarray, counts: np.ndarray, center: np.ndarray
) -> np.ndarray:
    """Median of ``|row - center|`` over each row's first ``counts`` values (rows sorted).

    No second sort: below the median (the row's first ``counts // 2`` values) the deviations
    ``center - x`` fall as x rises, above it ``x - center`` rise, so they are two sorted runs,
    and the middle of their merge is found by a branch-free binary search of how many of the
    lower run come before it. NaN where a row has no value.
    """
    size = ordered.shape[-1]
    flat = ordered.reshape(-1)
    start = np.arange(0, counts.size * size, size).reshape(counts.shape)
    below = counts // 2  # the lower run, nearest first: center - x[below - 1 - r]
    above = counts - below  # the upper run: x[below + r] - center
    wanted = (counts + 1) // 2  # deviations up to the (lower) middle one
    nearest_below = start + below - 1  # where the lower run's r-th is at nearest_below - r
    # With r of the lower run taken, the upper run's next is at beyond_wanted - r.
    beyond_wanted = start + below + wanted - 1

    def lower(index: np.ndarray) -> np.ndarray:
        return center - np.take(flat, index, mode="clip")

    def upper(index: np.ndarray) -> np.ndarray:
        return np.take(flat, index, mode="clip") - center

    # taken: how many of the ``wanted`` come from the lower run. The lower run's r-th is among
    # them when it is below the upper run's (wanted - r - 1)-th, which holds for r < taken.
    taken = np.maximum(wanted - above, 0)
    most = np.minimum(wanted, below)
    step = 1 << max(int((most - taken).max(initial=0)).bit_length() - 1, 0)
    while step:
        probe = taken + (step - 1)
        ahead = (probe < most) & (lower(nearest_below - probe) < upper(beyond_wanted - probe))
        taken += ahead * step
        step >>= 1
    rest = wanted - taken
    first = np.fmax(
        np.where(taken > 0, lower(nearest_below - taken + 1), -np.inf),
        np.where(rest > 0, upper(beyond_wanted - taken), -np.inf),
    )
    second = np.fmin(
        np.where(taken < below, lower(nearest_below - taken), np.inf),
        np.where(rest < above, upper(beyond_wanted - taken + 1), np.inf),
    )
    with np.errstate(invalid="ignore"):  # rows with no value: -inf + inf
        middle = np.where(counts % 2 == 1, first, (first + second) / 2)
    return np.where(counts > 0, middle, np.nan)
