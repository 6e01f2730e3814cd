"""CloudWatch dashboards as AWS keeps them: tags on the dashboard ARN, bodies checked on put."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory

TEXT = {"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "a"}}


def _tags(client: Any, arn: str) -> dict[str, str]:
    found = client.list_tags_for_resource(ResourceARN=arn)["Tags"]
    return {t["Key"]: t["Value"] for t in found}


def test_tags_are_set_at_creation_and_changed_with_tag_resource(aws: SessionFactory) -> None:
    cloudwatch = aws.client("cloudwatch")
    body = json.dumps({"widgets": [TEXT]})
    cloudwatch.put_dashboard(
        DashboardName="ops", DashboardBody=body, Tags=[{"Key": "Team", "Value": "a"}]
    )
    arn = cloudwatch.get_dashboard(DashboardName="ops")["DashboardArn"]
    # As in AWS, Tags on a later PutDashboard are ignored.
    cloudwatch.put_dashboard(
        DashboardName="ops", DashboardBody=body, Tags=[{"Key": "Team", "Value": "b"}]
    )
    assert _tags(cloudwatch, arn) == {"Team": "a"}

    cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "Owner", "Value": "c"}])
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["Team"])
    assert _tags(cloudwatch, arn) == {"Owner": "c"}

    cloudwatch.delete_dashboards(DashboardNames=["ops"])
    cloudwatch.put_dashboard(DashboardName="ops", DashboardBody=body)
    assert _tags(cloudwatch, arn) == {}


@pytest.mark.parametrize(
    ("widget", "message"),
    [
        ({**TEXT, "x": 20}, "/widgets/0: Should fit the 24-column grid (x + width)"),
        ({**TEXT, "width": 25}, "/widgets/0/width: Should be an integer from 1 to 24"),
        ({**TEXT, "type": "chart"}, "/widgets/0/type: Should be equal to one of"),
        (
            {"type": "metric", "properties": {"metrics": [["AWS/EC2", "CPUUtilization"]]}},
            "/widgets/0/properties: Should have required property 'region'",
        ),
        (
            {"type": "metric", "properties": {"region": "us-east-1", "metrics": []}},
            "/widgets/0/properties/metrics: Should NOT have fewer than 1 items",
        ),
        (
            {"type": "alarm", "properties": {"alarms": []}},
            "/widgets/0/properties/alarms: Should have 1 to 100 items",
        ),
    ],
)
def test_invalid_bodies_are_refused_with_the_problem(
    aws: SessionFactory, widget: dict, message: str
) -> None:
    cloudwatch = aws.client("cloudwatch")
    with pytest.raises(ClientError) as refused:
        cloudwatch.put_dashboard(
            DashboardName="bad", DashboardBody=json.dumps({"widgets": [widget]})
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterInput"
    assert message in refused.value.response["Error"]["Message"]
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
