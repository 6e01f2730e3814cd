"""The recommended alarms data file: every row names a known type, a valid metric and its source."""

from __future__ import annotations

import botocore.session
import pytest

from sentinel.aws.documented_limits import statistic_problem
from sentinel.config.models.base import _check_cloudwatch_period
from sentinel.inventory import KNOWN_RESOURCE_TYPES, resource_type
from sentinel.inventory.cloudwatch import NamespaceChoice
from sentinel.starter import Recommendation, covered_types, for_type, recommendations

PAGE = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
    "Best_Practice_Recommended_Alarms_AWS_Services.html#"
)
ROWS = recommendations()


def _id(row: Recommendation) -> str:
    return f"{row.type}:{row.metric}:{','.join(row.dimensions)}"


def _metric_name_shape() -> tuple[int, int]:
    model = botocore.session.get_session().get_service_model("cloudwatch")
    shape = model.operation_model("PutMetricAlarm").input_shape.members["MetricName"]
    return shape.metadata["min"], shape.metadata["max"]


def test_rows_cover_the_published_services() -> None:
    assert len(ROWS) == 70
    assert set(covered_types()) == {
        "ec2:instance",
        "ec2:volume",
        "rds:db",
        "rds:cluster",
        "elasticache:cluster",
        "ecs:cluster",
        "ecs:service",
        "lambda:function",
        "sqs:queue",
        "dynamodb:table",
        "apigateway:restapis",
        "cloudfront:distribution",
        "s3:bucket",
    }
    assert [r.metric for r in for_type("ec2:instance")] == [
        "CPUUtilization",
        "StatusCheckFailed",
        "StatusCheckFailed_AttachedEBS",
    ]


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_row_is_valid(row: Recommendation) -> None:
    assert row.type in KNOWN_RESOURCE_TYPES
    spec = resource_type(row.type)
    namespace = spec.cloudwatch.namespace
    allowed = (
        {namespace.default, *namespace.values.values()}
        if isinstance(namespace, NamespaceChoice)
        else {namespace}
    )
    assert row.namespace in allowed
    low, high = _metric_name_shape()
    assert low <= len(row.metric) <= high
    assert statistic_problem(row.statistic) is None
    assert _check_cloudwatch_period(row.period) == row.period
    assert 1 <= row.datapoints_to_alarm <= row.evaluation_periods
    assert row.severity in ("critical", "warning")
    assert row.source.startswith(PAGE) and len(row.source) > len(PAGE)
    assert row.intent and row.justification
    for key in row.where:
        assert key in spec.attributes
    # Every template is the inventory's: the type's own dimensions or a fixed published value.
    for name, template in row.dimensions.items():
        if template is not None and "{" in template:
            assert template == spec.cloudwatch.dimensions.get(name) or template == "{attr:instance}"


def test_a_row_says_why_it_is_not_written() -> None:
    by_metric = {(r.type, r.metric, tuple(r.dimensions)): r for r in ROWS}
    cpu = by_metric[("ec2:instance", "CPUUtilization", ("InstanceId",))]
    assert cpu.not_written_because() is None
    assert cpu.condition == "> 80"
    errors = by_metric[("lambda:function", "Errors", ("FunctionName",))]
    assert errors.threshold is None
    assert "no threshold" in (errors.not_written_because() or "")
    stage = by_metric[("apigateway:restapis", "4XXError", ("ApiName", "Stage"))]
    assert "Stage" in (stage.not_written_because() or "")
    lag = by_metric[("rds:cluster", "AuroraBinlogReplicaLag", ("DBClusterIdentifier", "Role"))]
    assert lag.condition == "<= -1" and lag.dimensions["Role"] == "WRITER"
    ids = by_metric[("rds:db", "MaximumUsedTransactionIDs", ("DBInstanceIdentifier",))]
    assert ids.condition == "> 1000000000"
    assert ids.where == {"engine": ["postgres", "aurora-postgresql"]}
