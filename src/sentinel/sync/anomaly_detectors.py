"""CloudWatch anomaly detectors: the model behind each band alarm (``outside band 2``).

A band alarm's ``ANOMALY_DETECTION_BAND`` only has a band once a detector models its metric;
the detector is written with PutAnomalyDetector before the alarm (this kind comes first in
the apply order, and is deleted after the alarms).

Detectors have no name and no tags, so ownership is borrowed from the alarms: a detector is
the project's when one of the project's alarms (by name prefix or ``aws_name``) watches its
metric through a band, and its owner is that alarm's ``sentinel:project`` tag. A detector no
managed alarm uses is never read, so another team's detectors are never touched, and one the
project stops using is deleted in the same apply that deletes its last alarm.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sentinel.sync.alarms import (
    BAND_ID,
    BAND_METRIC_ID,
    band_queries,
    describe_alarms,
    evaluation_periods,
)
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key
from sentinel.sync.templates import expand

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "anomaly detector"
PAGE_SIZE = 100  # DescribeAnomalyDetectors' MaxResults maximum


def detector_key(metric: Mapping[str, Any]) -> str:
    """namespace/metric/dimensions/stat: what identifies a detector in AWS."""
    dimensions = ",".join(
        f"{d['Name']}={d['Value']}" for d in sorted(metric.get("Dimensions") or [], key=_name)
    )
    return f"{metric['Namespace']}/{metric['MetricName']}[{dimensions}]/{metric['Stat']}"


def _name(dimension: Mapping[str, Any]) -> str:
    return str(dimension["Name"])


def _fields(metric: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "namespace": metric["Namespace"],
        "metric": metric["MetricName"],
        "dimensions": {d["Name"]: str(d["Value"]) for d in metric.get("Dimensions") or []},
        "stat": metric["Stat"],
    }


def detector_of(alarm: Mapping[str, Any]) -> dict[str, Any] | None:
    """The detector a band alarm's band is drawn from (its metric and stat), read from the
    alarm's PutMetricAlarm parameters or DescribeAlarms entry alike; None for other alarms."""
    if not alarm.get("ThresholdMetricId"):
        return None
    for query in alarm.get("Metrics") or []:
        stat = query.get("MetricStat")
        if query.get("Id") == BAND_METRIC_ID and stat:
            metric = stat["Metric"]
            return {
                "Namespace": metric["Namespace"],
                "MetricName": metric["MetricName"],
                "Dimensions": metric.get("Dimensions") or [],
                "Stat": stat["Stat"],
            }
    return None


def _request(metric: Mapping[str, Any]) -> dict[str, Any]:
    """SingleMetricAnomalyDetector as Put/DeleteAnomalyDetector take it."""
    return {k: metric[k] for k in ("Namespace", "MetricName", "Dimensions", "Stat") if k in metric}


def detector_pages(cloudwatch: Any) -> Iterator[dict[str, Any]]:
    """Every anomaly detector of the account and region, 100 a page, to the last page."""
    request: dict[str, Any] = {"MaxResults": PAGE_SIZE}
    while True:
        page = cloudwatch.describe_anomaly_detectors(**request)
        yield from page.get("AnomalyDetectors", [])
        token = page.get("NextToken")
        if not token:
            return
        request["NextToken"] = token


class AnomalyDetectors(Kind):
    name = KIND
    label = "CloudWatch anomaly detectors"
    updatable = False  # a detector is its key: a changed one is another detector
    reads = ("cloudwatch:DescribeAnomalyDetectors", "cloudwatch:DescribeAlarms")
    writes = ("cloudwatch:PutAnomalyDetector", "cloudwatch:DeleteAnomalyDetector")

    def desired(self, ctx: SyncContext) -> list[State]:
        states: dict[str, State] = {}
        for rule in ctx.config.alarms:
            if rule.condition.band is None:
                continue
            source = ctx.config.source("alarm", rule.name)
            period, _ = evaluation_periods(ctx, rule)
            resources = (
                [None]
                if rule.for_each is None
                else expand(rule.for_each, ctx.inventory, ctx.region)
            )
            for resource in resources:
                queries = band_queries(rule, resource, source, period)
                metric = detector_of({"ThresholdMetricId": BAND_ID, "Metrics": queries})
                assert metric is not None  # a band rule's queries draw a band
                key = detector_key(metric)
                states.setdefault(
                    key, State(KIND, key, _fields(metric), source=source, payload=metric)
                )
        return list(states.values())

    def actual(self, ctx: SyncContext) -> list[State]:
        users: dict[str, str | None] = {}
        for alarm in describe_alarms(ctx, "MetricAlarm"):
            used = detector_of(alarm)
            if used is not None:
                users.setdefault(detector_key(used), alarm.get("AlarmArn"))
        states = []
        for detector in detector_pages(ctx.client("cloudwatch")):
            metric = detector.get("SingleMetricAnomalyDetector")
            if not metric:
                continue
            key = detector_key(metric)
            if key in users:
                states.append(
                    State(KIND, key, _fields(metric), arn=users[key], payload=_request(metric))
                )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        # The owner of the alarm that uses the detector (its arn): detectors have no tags.
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").put_anomaly_detector(SingleMetricAnomalyDetector=state.payload)

    def delete(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").delete_anomaly_detector(SingleMetricAnomalyDetector=state.payload)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        # Nothing to tag: a detector belongs to whoever owns the alarms that use it.
        return None

    def references(self, ctx: SyncContext, state: State) -> set[str]:
        return set()
