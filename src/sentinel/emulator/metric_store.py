"""Metric series held as arrays, and CloudWatch statistics computed over them.

A series is one metric (namespace, name, exact set of dimensions); each sample carries a sum,
minimum, maximum and sample count, so single values and statistic sets (PutMetricData's
StatisticValues) aggregate alike. Statistics follow CloudWatch: Sum, SampleCount, Average
(sum / count), Minimum, Maximum, and percentiles ``pNN`` / ``pNN.N`` by nearest rank over the
samples of a period.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100)$")


def is_percentile(statistic: str) -> bool:
    return bool(_PERCENTILE.match(statistic))


def is_supported_statistic(statistic: str) -> bool:
    return statistic in STATISTICS or is_percentile(statistic)


def epoch_seconds(moment: datetime, round_up: bool = False) -> int:
    """Whole seconds since the epoch; a naive datetime is taken as UTC, as moto stores them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return math.ceil(seconds) if round_up else math.floor(seconds)


@dataclass(frozen=True)
class MetricKey:
    """A metric as CloudWatch identifies it: dimensions are an exact, unordered set."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls, namespace: str, name: str, dimensions: Mapping[str, str] | Iterable[Mapping[str, str]]
    ) -> MetricKey:
        if isinstance(dimensions, Mapping):
            pairs = [(str(k), str(v)) for k, v in dimensions.items()]
        else:
            pairs = [(str(d["Name"]), str(d["Value"])) for d in dimensions]
        return cls(namespace, name, tuple(sorted(pairs)))

    def as_api(self) -> dict[str, object]:
        return {
            "Namespace": self.namespace,
            "MetricName": self.name,
            "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
        }


@dataclass(frozen=True)
class Samples:
    """Samples of one metric sorted by time (epoch seconds)."""

    timestamps: np.ndarray
    sums: np.ndarray
    minimums: np.ndarray
    maximums: np.ndarray
    counts: np.ndarray
    unit: str | None = None

    @classmethod
    def of_values(
        cls,
        timestamps: Sequence[int] | np.ndarray,
        values: Sequence[float] | np.ndarray,
        unit: str | None = None,
    ) -> Samples:
        values = np.asarray(values, dtype=float)
        return cls(
            np.asarray(timestamps, dtype=np.int64),
            values,
            values,
            values,
            np.ones(len(values)),
            unit,
        ).sorted()

    @classmethod
    def empty(cls, unit: str | None = None) -> Samples:
        return cls.of_values([], [], unit)

    def sorted(self) -> Samples:
        order = np.argsort(self.timestamps, kind="stable")
        if np.all(order == np.arange(len(order))):
            return self
        return Samples(
            self.timestamps[order],
            self.sums[order],
            self.minimums[order],
            self.maximums[order],
            self.counts[order],
            self.unit,
        )

    def __len__(self) -> int:
        return len(self.timestamps)

    def __add__(self, other: Samples) -> Samples:
        return Samples(
            np.concatenate([self.timestamps, other.timestamps]),
            np.concatenate([self.sums, other.sums]),
            np.concatenate([self.minimums, other.minimums]),
            np.concatenate([self.maximums, other.maximums]),
            np.concatenate([self.counts, other.counts]),
            self.unit or other.unit,
        ).sorted()


@dataclass(frozen=True)
class Datapoint:
    """The statistics of one period that holds samples."""

    start: int
    values: dict[str, float]


def aggregate(
    samples: Samples, start: int, end: int, period: int, statistics: Sequence[str]
) -> list[Datapoint]:
    """Statistics per period of ``period`` seconds from ``start``, for periods holding samples."""
    lo, hi = np.searchsorted(samples.timestamps, [start, end])
    if lo >= hi:
        return []
    bucket = (samples.timestamps[lo:hi] - start) // period
    size = int(bucket[-1]) + 1
    occupied = np.bincount(bucket, minlength=size)
    sums = np.bincount(bucket, weights=samples.sums[lo:hi], minlength=size)
    counts = np.bincount(bucket, weights=samples.counts[lo:hi], minlength=size)
    columns: dict[str, np.ndarray] = {}
    for statistic in statistics:
        if statistic == "Sum":
            columns[statistic] = sums
        elif statistic == "SampleCount":
            columns[statistic] = counts
        elif statistic == "Average":
            columns[statistic] = sums / np.where(counts == 0, 1, counts)
        elif statistic == "Minimum":
            column = np.full(size, np.inf)
            np.minimum.at(column, bucket, samples.minimums[lo:hi])
            columns[statistic] = column
        elif statistic == "Maximum":
            column = np.full(size, -np.inf)
            np.maximum.at(column, bucket, samples.maximums[lo:hi])
            columns[statistic] = column
        elif is_percentile(statistic):
            averages = samples.sums[lo:hi] / samples.counts[lo:hi]
            columns[statistic] = _nearest_rank(bucket, averages, occupied, float(statistic[1:]))
        else:
            raise ValueError(f"unsupported statistic: {statistic}")
    return [
        Datapoint(int(start + i * period), {s: float(columns[s][i]) for s in statistics})
        for i in np.flatnonzero(occupied)
    ]


def _nearest_rank(
    bucket: np.ndarray, values: np.ndarray, occupied: np.ndarray, percent: float
) -> np.ndarray:
    order = np.lexsort((values, bucket))
    ordered = values[order]
    first = np.concatenate([[0], np.cumsum(occupied)[:-1]])
    rank = np.ceil(percent / 100.0 * occupied).astype(np.int64)
    position = first + np.clip(rank, 1, None) - 1
    result = np.full(len(occupied), np.nan)
    filled = occupied > 0
    result[filled] = ordered[position[filled]]
    return result


class MetricStore:
    """Series by metric key; thread-safe for one writer among readers."""

    def __init__(self) -> None:
        self._series: dict[MetricKey, Samples] = {}
        self._lock = threading.Lock()

    def put(self, key: MetricKey, samples: Samples) -> None:
        """Add samples to a metric (merged in time order with what it holds)."""
        with self._lock:
            existing = self._series.get(key)
            self._series[key] = samples if existing is None else existing + samples

    def get(self, key: MetricKey) -> Samples | None:
        return self._series.get(key)

    def metrics(self) -> list[MetricKey]:
        return list(self._series)

    def datapoints(self) -> int:
        return sum(len(s) for s in self._series.values())

    def __len__(self) -> int:
        return len(self._series)
