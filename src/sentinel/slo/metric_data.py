"""CloudWatch GetMetricData in as few calls as the API allows; SLOs and right-sizing read with it.

One call answers up to 500 queries and 100,800 datapoints, paged by NextToken. Queries are
packed into calls by both limits, so that a thousand instances' metrics cost tens of calls, not
one GetMetricStatistics per instance per metric. Results are arrays on the query's period grid.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_CALL = 100_800
MAX_PARALLEL_CALLS = 4


@dataclass(frozen=True)
class MetricQuery:
    """One statistic of one metric at one period."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period: int
    unit: str | None = None

    @classmethod
    def of(
        cls,
        namespace: str,
        metric: str,
        dimensions: Mapping[str, str],
        stat: str,
        period: int,
        unit: str | None = None,
    ) -> MetricQuery:
        return cls(namespace, metric, tuple(sorted(dimensions.items())), stat, period, unit)

    def as_api(self, query_id: str) -> dict[str, Any]:
        stat: dict[str, Any] = {
            "Metric": {
                "Namespace": self.namespace,
                "MetricName": self.metric,
                "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
            },
            "Period": self.period,
            "Stat": self.stat,
        }
        if self.unit:
            stat["Unit"] = self.unit
        return {"Id": query_id, "MetricStat": stat, "ReturnData": True}


@dataclass(frozen=True)
class Grid:
    """Periods of ``period`` seconds from ``start`` (inclusive) to ``end`` (exclusive), epoch s."""

    start: int
    end: int
    period: int

    @classmethod
    def between(cls, start: datetime, end: datetime, period: int) -> Grid:
        return cls(int(start.timestamp()), int(end.timestamp()), period)

    def __len__(self) -> int:
        return max(0, -(-(self.end - self.start) // self.period))

    @property
    def starts(self) -> np.ndarray:
        return self.start + self.period * np.arange(len(self), dtype=np.int64)

    def time(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.start + index * self.period, UTC)


@dataclass(frozen=True)
class Series:
    """A query's values on its grid: NaN where CloudWatch returned no datapoint."""

    grid: Grid
    values: np.ndarray

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.values)

    def filled(self, value: float = 0.0) -> np.ndarray:
        return np.where(self.present, self.values, value)


def read_metrics(
    cloudwatch: Any,
    queries: Mapping[Hashable, MetricQuery],
    start: datetime,
    end: datetime,
) -> dict[Hashable, Series]:
    """Every query's series between ``start`` and ``end``, in the fewest GetMetricData calls."""
    keys = list(queries)
    batches = list(_batches(keys, queries, start, end))
    results: dict[Hashable, Series] = {}

    def run(batch: list[Hashable]) -> dict[Hashable, Series]:
        return _read_batch(cloudwatch, batch, queries, start, end)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CALLS, len(batches) or 1)) as pool:
        for part in pool.map(run, batches):
            results.update(part)
    return results


def _batches(
    keys: list[Hashable], queries: Mapping[Hashable, MetricQuery], start: datetime, end: datetime
) -> Iterator[list[Hashable]]:
    span = int(end.timestamp()) - int(start.timestamp())
    batch: list[Hashable] = []
    points = 0
    for key in keys:
        size = max(1, -(-span // queries[key].period))
        if batch and (
            len(batch) >= MAX_QUERIES_PER_CALL or points + size > MAX_DATAPOINTS_PER_CALL
        ):
            yield batch
            batch, points = [], 0
        batch.append(key)
        points += size
    if batch:
        yield batch


def _read_batch(
    cloudwatch: Any,
    batch: list[Hashable],
    queries: Mapping[Hashable, MetricQuery],
    start: datetime,
    end: datetime,
) -> dict[Hashable, Series]:
    ids = {f"q{i}": key for i, key in enumerate(batch)}
    request: dict[str, Any] = {
        "MetricDataQueries": [queries[key].as_api(qid) for qid, key in ids.items()],
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    points: dict[str, tuple[list[Any], list[float]]] = {qid: ([], []) for qid in ids}
    while True:
        page = cloudwatch.get_metric_data(**request)
        for result in page.get("MetricDataResults", []):
            times, values = points[result["Id"]]
            times.extend(result.get("Timestamps", []))
            values.extend(result.get("Values", []))
        token = page.get("NextToken")
        if not token:
            break
        request["NextToken"] = token
    series = {}
    for qid, key in ids.items():
        grid = Grid.between(start, end, queries[key].period)
        times, values = points[qid]
        series[key] = Series(grid, _on_grid(grid, times, values))
    return series


def _on_grid(grid: Grid, times: list[Any], values: list[float]) -> np.ndarray:
    out = np.full(len(grid), np.nan)
    if not times:
        return out
    seconds = np.array([int(t.timestamp()) for t in times], dtype=np.int64)
    index = (seconds - grid.start) // grid.period
    inside = (index >= 0) & (index < len(out))
    out[index[inside]] = np.asarray(values, dtype=float)[inside]
    return out
