"""GetMetricData's percentile-rank statistic, ``PR(lower:upper)``, over the stored samples.

CloudWatch's ``PR(:0.2)`` is the percentage of a period's values at or under 0.2, and
``PR(0.1:0.5)`` of those above 0.1 and at or under 0.5. A latency SLO counts its good requests
with it (``PR(:threshold)`` x requests), so the emulator answers it over the same samples the
CloudWatch extension reads. A statistic set (one sample standing for ``SampleCount`` values)
counts its average ``SampleCount`` times. Expressions may use a rank query like any other.

Installed after ``cloudwatch``: it wraps whatever GetMetricData that extension left in place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.metric_data_expression_parser import parse_expression
from moto.cloudwatch.models import CloudWatchBackend

from sentinel.emulator.extensions import cloudwatch
from sentinel.emulator.metric_store import MetricKey, epoch_seconds

_RANK = re.compile(r"^PR\(\s*([-+0-9.eE]*)\s*:\s*([-+0-9.eE]*)\s*\)$")
_ATTRIBUTE = "_sentinel_rank_wrapped"


def install() -> None:
    current = CloudWatchBackend.get_metric_data
    if getattr(current, _ATTRIBUTE, False):
        return
    wrapped = _with_rank(current)
    setattr(wrapped, _ATTRIBUTE, True)
    CloudWatchBackend.get_metric_data = wrapped  # type: ignore[method-assign]


def parse_rank(statistic: str) -> tuple[float, float] | None:
    """``PR(lower:upper)`` -> (lower, upper), either end open (-inf, inf); None if not a rank."""
    match = _RANK.match(statistic.strip())
    if not match:
        return None
    lower, upper = match.group(1), match.group(2)
    if not lower and not upper:
        return None
    try:
        bounds = (float(lower) if lower else -math.inf, float(upper) if upper else math.inf)
    except ValueError:
        return None
    return bounds if bounds[0] < bounds[1] else None


def percentile_rank(
    timestamps: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    start: int,
    end: int,
    period: int,
    bounds: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """(period starts, percent of values in (lower, upper]) for periods holding values."""
    lo, hi = np.searchsorted(timestamps, [start, end])
    if lo >= hi:
        return np.array([], dtype=np.int64), np.array([])
    bucket = (timestamps[lo:hi] - start) // period
    size = int(bucket[-1]) + 1
    inside = (values[lo:hi] > bounds[0]) & (values[lo:hi] <= bounds[1])
    counted = np.bincount(bucket, weights=weights[lo:hi], minlength=size)
    ranked = np.bincount(bucket, weights=weights[lo:hi] * inside, minlength=size)
    occupied = np.flatnonzero(counted > 0)
    return start + occupied * period, 100.0 * ranked[occupied] / counted[occupied]


def _is_rank(query: Mapping[str, Any]) -> bool:
    stat = query.get("MetricStat") or {}
    return parse_rank(str(stat.get("Stat", ""))) is not None


def _with_rank(inner: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    def get_metric_data(
        self: CloudWatchBackend,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampAscending",
    ) -> list[dict[str, Any]]:
        if not any(_is_rank(q) for q in queries):
            return inner(self, queries, start_time, end_time, scan_by)
        computed: dict[str, dict[str, Any]] = {}
        plain = [
            {**q, "ReturnData": True} for q in queries if "MetricStat" in q and not _is_rank(q)
        ]
        if plain:
            for result in inner(self, plain, start_time, end_time, scan_by):
                computed[result["id"]] = result
        for query in queries:
            if _is_rank(query):
                computed[query["Id"]] = _rank_result(self, query, start_time, end_time, scan_by)
        for query in queries:
            expression = query.get("Expression")
            if expression is None:
                continue
            if expression.startswith("SELECT"):
                computed[query["Id"]] = inner(self, [query], start_time, end_time, scan_by)[0]
                continue
            values, timestamps = parse_expression(expression, list(computed.values()))
            computed[query["Id"]] = cloudwatch.query_result(
                query, query.get("Label") or query["Id"], values, timestamps
            )
        return [
            computed[q["Id"]] for q in queries if q.get("ReturnData", True) and q["Id"] in computed
        ]

    return get_metric_data


def _rank_result(
    backend: CloudWatchBackend,
    query: Mapping[str, Any],
    start_time: datetime,
    end_time: datetime,
    scan_by: str,
) -> dict[str, Any]:
    stat = query["MetricStat"]
    metric = stat["Metric"]
    bounds = parse_rank(stat["Stat"])
    if bounds is None:
        raise ValidationError(f"The statistic {stat['Stat']} is not supported.")
    key = MetricKey.of(metric["Namespace"], metric["MetricName"], metric.get("Dimensions", []))
    samples = cloudwatch._samples(backend, key, stat.get("Unit"))
    counts = np.where(samples.counts > 0, samples.counts, 1.0)
    starts, ranks = percentile_rank(
        samples.timestamps,
        samples.sums / counts,
        counts,
        epoch_seconds(start_time),
        epoch_seconds(end_time, round_up=True),
        int(stat["Period"]),
        bounds,
    )
    times = [datetime.fromtimestamp(int(s), UTC) for s in starts]
    values = [float(v) for v in ranks]
    if scan_by == "TimestampDescending":
        times.reverse()
        values.reverse()
    label = query.get("Label") or f"{metric['MetricName']} {stat['Stat']}"
    return cloudwatch.query_result(query, label, values, times)
