"""CloudWatch metric reads over months of data: ListMetrics, GetMetricStatistics, GetMetricData.

moto keeps every datapoint as an object in one list and scans it per period, which does not
scale to the demo account's 30 days of metrics, and it matches dimensions loosely. Here each
account and region also holds a ``MetricStore`` of array-backed series (bulk-loaded by the
demo seed); the three read operations answer from the store and moto's own PutMetricData list
together, with CloudWatch's semantics: a metric is its exact dimension set, periods start at
StartTime, GetMetricStatistics returns at most 1,440 datapoints per call, and percentile
statistics (``p95``) work in both GetMetricStatistics (ExtendedStatistics) and GetMetricData.
Metric math goes through moto's expression parser; Metrics Insights queries are left to moto.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from moto.cloudwatch.exceptions import (
    InvalidParameterCombination,
    InvalidParameterValue,
    ValidationError,
)
from moto.cloudwatch.metric_data_expression_parser import parse_expression
from moto.cloudwatch.models import (
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
    cloudwatch_backends,
)
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

from sentinel.emulator.cost_table import DEFAULT_ACCOUNT_ID
from sentinel.emulator.metric_store import (
    MetricKey,
    MetricStore,
    Samples,
    aggregate,
    epoch_seconds,
    is_percentile,
    is_supported_statistic,
)

MAX_STATISTICS_DATAPOINTS = 1440
_STORE_ATTRIBUTE = "sentinel_metric_store"
_moto_get_metric_data = CloudWatchBackend.get_metric_data


def metric_store(account_id: str = DEFAULT_ACCOUNT_ID, region: str = "us-east-1") -> MetricStore:
    """The account's array-backed metric series in ``region`` (created empty on first use)."""
    return _store_of(cloudwatch_backends[account_id][region])


def install() -> None:
    CloudWatchBackend.get_filtered_metrics = _get_filtered_metrics  # type: ignore[method-assign,assignment]
    CloudWatchBackend.get_metric_statistics = _get_metric_statistics  # type: ignore[method-assign,assignment]
    CloudWatchBackend.get_metric_data = _get_metric_data  # type: ignore[method-assign]
    CloudWatchResponse.get_metric_statistics = _respond_metric_statistics  # type: ignore[method-assign]


def _store_of(backend: CloudWatchBackend) -> MetricStore:
    store = getattr(backend, _STORE_ATTRIBUTE, None)
    if store is None:
        store = MetricStore()
        setattr(backend, _STORE_ATTRIBUTE, store)
    return store


def _key_of(datum: MetricDatumBase) -> MetricKey:
    return MetricKey(
        datum.namespace,
        datum.name,
        tuple(sorted((str(d.name), str(d.value)) for d in datum.dimensions)),
    )


def _samples(backend: CloudWatchBackend, key: MetricKey, unit: str | None) -> Samples:
    """Samples of one metric from the store and from moto's PutMetricData list."""
    stored = _store_of(backend).get(key)
    if stored is None or (unit and stored.unit != unit):
        stored = Samples.empty(unit)
    rows = [
        datum
        for datum in backend.get_all_metrics()
        if datum.name == key.name
        and datum.namespace == key.namespace
        and (not unit or datum.unit == unit)
        and _key_of(datum) == key
    ]
    if not rows:
        return stored
    sums, minimums, maximums, counts = [], [], [], []
    for datum in rows:
        if isinstance(datum, MetricAggregatedDatum):
            sums.append(datum.sum)
            minimums.append(datum.min)
            maximums.append(datum.max)
            counts.append(datum.sample_count)
        elif isinstance(datum, MetricDatum):
            sums.append(datum.value)
            minimums.append(datum.value)
            maximums.append(datum.value)
            counts.append(1.0)
    listed = Samples(
        np.array([epoch_seconds(d.timestamp) for d in rows], dtype=np.int64),
        np.array(sums, dtype=float),
        np.array(minimums, dtype=float),
        np.array(maximums, dtype=float),
        np.array(counts, dtype=float),
        rows[0].unit,
    ).sorted()
    return stored + listed


def _get_filtered_metrics(
    self: CloudWatchBackend,
    metric_name: str | None,
    namespace: str | None,
    dimensions: Iterable[Mapping[str, str]] | None,
) -> list[dict[str, object]]:
    wanted = [(str(d["Name"]), d.get("Value")) for d in dimensions or []]
    keys = list(_store_of(self).metrics())
    seen = set(keys)
    for datum in self.get_all_metrics():
        key = _key_of(datum)
        if key not in seen:
            seen.add(key)
            keys.append(key)
    matching = []
    for key in keys:
        if namespace and key.namespace != namespace:
            continue
        if metric_name and key.name != metric_name:
            continue
        present = dict(key.dimensions)
        if any(n not in present or (v is not None and present[n] != v) for n, v in wanted):
            continue
        matching.append(key.as_api())
    return matching


def _get_metric_statistics(
    self: CloudWatchBackend,
    namespace: str,
    metric_name: str,
    start_time: datetime,
    end_time: datetime,
    period: int,
    stats: Sequence[str],
    dimensions: Iterable[Mapping[str, str]] | None = None,
    unit: str | None = None,
    extended_statistics: Sequence[str] = (),
) -> list[dict[str, Any]]:
    start, end = epoch_seconds(start_time), epoch_seconds(end_time, round_up=True)
    if start >= end:
        raise InvalidParameterValue(
            "The parameter StartTime must be less than the parameter EndTime."
        )
    if not period or period <= 0:
        raise InvalidParameterValue("The parameter Period must be greater than 0.")
    requested = -(-(end - start) // period)
    if requested > MAX_STATISTICS_DATAPOINTS:
        raise InvalidParameterCombination(
            f"You have requested up to {requested:,} datapoints, which exceeds the limit of "
            f"{MAX_STATISTICS_DATAPOINTS:,}. You may reduce the datapoints requested by "
            "increasing Period, or decreasing the time range."
        )
    for statistic in extended_statistics:
        if not is_percentile(statistic):
            raise InvalidParameterValue(f"The extended statistic {statistic} is not supported.")
    samples = _samples(self, MetricKey.of(namespace, metric_name, dimensions or []), unit)
    points = aggregate(samples, start, end, period, [*stats, *extended_statistics])
    datapoints = []
    for point in points:
        datapoint: dict[str, Any] = {
            "Timestamp": datetime.fromtimestamp(point.start, UTC),
            "Unit": samples.unit or "None",
            **{s: point.values[s] for s in stats},
        }
        if extended_statistics:
            datapoint["ExtendedStatistics"] = {s: point.values[s] for s in extended_statistics}
        datapoints.append(datapoint)
    return datapoints


def _respond_metric_statistics(self: CloudWatchResponse) -> ActionResult:
    statistics = self._get_param("Statistics", [])
    extended = self._get_param("ExtendedStatistics", [])
    if not statistics and not extended:
        raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
    metric_name = self._get_param("MetricName")
    datapoints = self.cloudwatch_backend.get_metric_statistics(
        self._get_param("Namespace"),
        metric_name,
        self._get_param("StartTime"),
        self._get_param("EndTime"),
        self._get_int_param("Period"),
        statistics,
        dimensions=self._get_param("Dimensions", []),
        unit=self._get_param("Unit"),
        extended_statistics=extended,  # type: ignore[call-arg]
    )
    return ActionResult({"Label": metric_name, "Datapoints": datapoints})


def _get_metric_data(
    self: CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampAscending",
) -> list[dict[str, Any]]:
    start, end = epoch_seconds(start_time), epoch_seconds(end_time, round_up=True)
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")
    computed: dict[str, dict[str, Any]] = {}
    for query in queries:
        if "MetricStat" in query:
            computed[query["Id"]] = _metric_stat_result(self, query, start, end, scan_by)
    for query in queries:
        expression = query.get("Expression")
        if expression is None:
            continue
        if expression.startswith("SELECT"):
            moto_results = _moto_get_metric_data(self, [query], start_time, end_time, scan_by)
            computed[query["Id"]] = moto_results[0]
        else:
            values, timestamps = parse_expression(expression, list(computed.values()))
            computed[query["Id"]] = query_result(
                query, query.get("Label") or query["Id"], values, timestamps
            )
    return [computed[q["Id"]] for q in queries if q.get("ReturnData", True) and q["Id"] in computed]


def _metric_stat_result(
    backend: CloudWatchBackend, query: Mapping[str, Any], start: int, end: int, scan_by: str
) -> dict[str, Any]:
    stat = query["MetricStat"]
    metric = stat["Metric"]
    statistic = stat["Stat"]
    if not is_supported_statistic(statistic):
        raise ValidationError(f"The statistic {statistic} is not supported.")
    key = MetricKey.of(metric["Namespace"], metric["MetricName"], metric.get("Dimensions", []))
    samples = _samples(backend, key, stat.get("Unit"))
    points = aggregate(samples, start, end, int(stat["Period"]), [statistic])
    if scan_by == "TimestampDescending":
        points.reverse()
    label = query.get("Label") or f"{metric['MetricName']} {statistic}"
    return query_result(
        query,
        label,
        [p.values[statistic] for p in points],
        [datetime.fromtimestamp(p.start, UTC) for p in points],
    )


def query_result(
    query: Mapping[str, Any], label: str, values: list[Any], timestamps: list[datetime]
) -> dict[str, Any]:
    """One MetricDataResults entry as GetMetricData returns it."""
    return {
        "id": query["Id"],
        "label": label,
        "values": values,
        "timestamps": timestamps,
        "status_code": "Complete",
    }
