"""CloudWatch anomaly detectors, which moto 5.2.5 lacks: Put, Describe (paged), Delete.

A detector is keyed as AWS keys it, by namespace, metric name, dimensions and statistic; a
second PutAnomalyDetector of the same key replaces it. DescribeAnomalyDetectors pages by
``MaxResults`` (at most 100) and ``NextToken``; DeleteAnomalyDetector of an unknown detector
is ResourceNotFoundException, as AWS answers.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue, ResourceNotFoundException
from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, EmptyResult

MAX_RESULTS = 100
_ATTRIBUTE = "_sentinel_anomaly_detectors"

DetectorKey = tuple[str, str, tuple[tuple[str, str], ...], str]
BAND_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "GreaterThanUpperThreshold",
    "LessThanLowerThreshold",
)
_moto_put_metric_alarm = CloudWatchResponse.put_metric_alarm


def install() -> None:
    CloudWatchResponse.put_metric_alarm = _put_metric_alarm  # type: ignore[method-assign]
    CloudWatchResponse.put_anomaly_detector = _put  # type: ignore[attr-defined]
    CloudWatchResponse.describe_anomaly_detectors = _describe  # type: ignore[attr-defined]
    CloudWatchResponse.delete_anomaly_detector = _delete  # type: ignore[attr-defined]


def _detectors(backend: CloudWatchBackend) -> dict[DetectorKey, dict[str, Any]]:
    found: dict[DetectorKey, dict[str, Any]] | None = getattr(backend, _ATTRIBUTE, None)
    if found is None:
        found = {}
        setattr(backend, _ATTRIBUTE, found)
    return found


def _single(self: CloudWatchResponse) -> dict[str, Any]:
    """The detector's metric, from SingleMetricAnomalyDetector or the legacy top-level fields."""
    single = self._get_param("SingleMetricAnomalyDetector") or {}
    metric = {
        "Namespace": single.get("Namespace") or self._get_param("Namespace"),
        "MetricName": single.get("MetricName") or self._get_param("MetricName"),
        "Dimensions": single.get("Dimensions") or self._get_param("Dimensions") or [],
        "Stat": single.get("Stat") or self._get_param("Stat"),
    }
    missing = [name for name in ("Namespace", "MetricName", "Stat") if not metric[name]]
    if missing:
        raise InvalidParameterValue(f"The parameter {missing[0]} is required.")
    return metric


def _key(metric: dict[str, Any]) -> DetectorKey:
    dimensions = tuple(sorted((d["Name"], str(d["Value"])) for d in metric["Dimensions"]))
    return (metric["Namespace"], metric["MetricName"], dimensions, metric["Stat"])


def _put(self: CloudWatchResponse) -> EmptyResult:
    metric = _single(self)
    detector: dict[str, Any] = {
        "SingleMetricAnomalyDetector": metric,
        "StateValue": "PENDING_TRAINING",
    }
    configuration = self._get_param("Configuration")
    if configuration:
        detector["Configuration"] = configuration
    _detectors(self.cloudwatch_backend)[_key(metric)] = detector
    return EmptyResult()


def _describe(self: CloudWatchResponse) -> ActionResult:
    size = int(self._get_param("MaxResults") or MAX_RESULTS)
    if not 1 <= size <= MAX_RESULTS:
        raise InvalidParameterValue(f"MaxResults must be between 1 and {MAX_RESULTS}.")
    namespace = self._get_param("Namespace")
    metric_name = self._get_param("MetricName")
    ordered = sorted(_detectors(self.cloudwatch_backend).items(), key=lambda item: item[0])
    selected = [
        detector
        for key, detector in ordered
        if (not namespace or key[0] == namespace) and (not metric_name or key[1] == metric_name)
    ]
    token = self._get_param("NextToken")
    start = int(json.loads(base64.b64decode(token))["start"]) if token else 0
    page = selected[start : start + size]
    result: dict[str, Any] = {"AnomalyDetectors": page}
    if start + size < len(selected):
        result["NextToken"] = base64.b64encode(
            json.dumps({"start": start + size}).encode()
        ).decode()
    return ActionResult(result)


def _delete(self: CloudWatchResponse) -> EmptyResult:
    key = _key(_single(self))
    detectors = _detectors(self.cloudwatch_backend)
    if key not in detectors:
        raise ResourceNotFoundException()
    del detectors[key]
    return EmptyResult()


def _put_metric_alarm(self: CloudWatchResponse) -> Any:
    """What AWS refuses of a band alarm and moto stores: a band without ThresholdMetricId,
    a ThresholdMetricId that names no expression, a band operator without one."""
    threshold_id = self._get_param("ThresholdMetricId")
    operator = self._get_param("ComparisonOperator")
    metrics = self._get_param("Metrics") or []
    expressions = {str(q.get("Id")): str(q.get("Expression") or "") for q in metrics}
    if threshold_id:
        if not expressions.get(threshold_id):
            raise InvalidParameterValue(
                f"ThresholdMetricId {threshold_id} must name an expression in Metrics."
            )
        if operator not in BAND_OPERATORS:
            raise InvalidParameterValue(
                "ThresholdMetricId needs a band comparison operator, not " + str(operator) + "."
            )
    else:
        if operator in BAND_OPERATORS:
            raise InvalidParameterValue(f"ComparisonOperator {operator} needs ThresholdMetricId.")
        if any("ANOMALY_DETECTION_BAND" in e for e in expressions.values()):
            raise InvalidParameterValue(
                "An ANOMALY_DETECTION_BAND expression needs ThresholdMetricId."
            )
    return _moto_put_metric_alarm(self)
