"""CloudWatch Logs as AWS answers it: retention values it offers, log groups in small pages."""

from __future__ import annotations

import botocore.exceptions
import pytest

from sentinel.aws.session import SessionFactory


def test_a_retention_aws_does_not_offer_is_refused(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/ecs/api")

    with pytest.raises(botocore.exceptions.ClientError) as caught:
        logs.put_retention_policy(logGroupName="/ecs/api", retentionInDays=31)

    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "retentionInDays" in caught.value.response["Error"]["Message"]
    logs.put_retention_policy(logGroupName="/ecs/api", retentionInDays=30)
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/api")["logGroups"][0]
    assert group["retentionInDays"] == 30


def test_log_groups_come_in_pages_of_the_limit(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    for i in range(5):
        logs.create_log_group(logGroupName=f"/ecs/api-{i}")
    logs.create_log_group(logGroupName="/other")

    first = logs.describe_log_groups(logGroupNamePrefix="/ecs/", limit=2)
    pages = logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix="/ecs/", PaginationConfig={"PageSize": 2}
    )

    assert len(first["logGroups"]) == 2 and first.get("nextToken")
    names = [g["logGroupName"] for page in pages for g in page["logGroups"]]
    assert names == [f"/ecs/api-{i}" for i in range(5)]


def _put(logs: object, name: str, pattern: str = "ERROR", group: str = "/ecs/api") -> None:
    logs.put_metric_filter(  # type: ignore[attr-defined]
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[
            {"metricName": name, "metricNamespace": "Shop/Logs", "metricValue": "1"}
        ],
    )


def test_a_metric_filter_is_replaced_and_listed_in_pages(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/ecs/api")
    for i in range(3):
        _put(logs, f"shop-{i}")
    _put(logs, "shop-0", pattern="WARN")

    first = logs.describe_metric_filters(logGroupName="/ecs/api", limit=2)
    pages = logs.get_paginator("describe_metric_filters").paginate(
        logGroupName="/ecs/api", PaginationConfig={"PageSize": 1}
    )

    assert len(first["metricFilters"]) == 2 and first["nextToken"]
    found = {f["filterName"]: f["filterPattern"] for p in pages for f in p["metricFilters"]}
    assert found == {"shop-0": "WARN", "shop-1": "ERROR", "shop-2": "ERROR"}


def test_a_name_prefix_without_a_group_is_not_a_filter(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    for group in ("/ecs/api", "/ecs/worker"):
        logs.create_log_group(logGroupName=group)
        _put(logs, "shop-0", group=group)
        _put(logs, "team-0", group=group)

    everywhere = logs.describe_metric_filters(filterNamePrefix="shop-")["metricFilters"]
    on_one = logs.describe_metric_filters(logGroupName="/ecs/api", filterNamePrefix="shop-")

    assert len(everywhere) == 4
    assert [f["filterName"] for f in on_one["metricFilters"]] == ["shop-0"]


def test_metric_filters_need_their_group(aws: SessionFactory) -> None:
    logs = aws.client("logs")

    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        _put(logs, "shop-0", group="/ecs/missing")
    logs.create_log_group(logGroupName="/ecs/api")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_metric_filter(logGroupName="/ecs/api", filterName="shop-0")


def test_log_groups_by_identifiers_are_those_groups_only(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    for name in ("/ecs/api", "/ecs/worker", "/other"):
        logs.create_log_group(logGroupName=name)
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/other"

    found = logs.describe_log_groups(logGroupIdentifiers=["/ecs/api", arn, "/missing"])

    assert [g["logGroupName"] for g in found["logGroups"]] == ["/ecs/api", "/other"]
    with pytest.raises(botocore.exceptions.ClientError) as beside:
        logs.describe_log_groups(logGroupIdentifiers=["/ecs/api"], logGroupNamePrefix="/ecs/")
    assert beside.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as many:
        logs.describe_log_groups(logGroupIdentifiers=[f"/g{i}" for i in range(51)])
    assert many.value.response["Error"]["Code"] == "InvalidParameterException"
