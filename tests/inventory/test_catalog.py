from __future__ import annotations

import boto3
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.errors import SentinelError
from sentinel.inventory import (
    KNOWN_RESOURCE_TYPES,
    Inventory,
    UnknownResourceTypeError,
    resource_type,
    resource_types,
)
from sentinel.inventory.tagging import BatchTags, TaggingApiTags

EXPECTED = {
    "ec2:instance",
    "ec2:volume",
    "rds:db",
    "rds:cluster",
    "elasticache:cluster",
    "ecs:cluster",
    "ecs:service",
    "elasticloadbalancing:loadbalancer",
    "elasticloadbalancing:targetgroup",
    "lambda:function",
    "sqs:queue",
    "s3:bucket",
    "dynamodb:table",
    "apigateway:restapis",
    "kafka:cluster",
    "cloudfront:distribution",
}


def test_known_types_are_sorted_and_complete() -> None:
    assert sorted(KNOWN_RESOURCE_TYPES) == KNOWN_RESOURCE_TYPES
    assert set(KNOWN_RESOURCE_TYPES) == EXPECTED == set(resource_types())


def test_every_call_in_the_catalog_exists_and_lists_have_paginators() -> None:
    session = boto3.Session(region_name="us-east-1")
    tagging = session.client("resourcegroupstaggingapi")
    assert tagging.can_paginate("get_resources")
    for spec in resource_types().values():
        client = session.client(spec.service)
        assert client.can_paginate(spec.listing.operation), spec.name
        if isinstance(spec.tags, BatchTags):
            assert hasattr(client, spec.tags.operation), spec.name


def test_only_global_types_have_a_fixed_region() -> None:
    fixed = {name: spec.region for name, spec in resource_types().items() if spec.is_global}
    assert fixed == {"cloudfront:distribution": "us-east-1"}


def test_tagging_api_filters_are_the_type_names_except_elasticache() -> None:
    filters = {
        name: spec.tags.filter
        for name, spec in resource_types().items()
        if isinstance(spec.tags, TaggingApiTags)
    }
    assert filters.pop("elasticache:cluster") == "elasticache"
    assert all(name == value for name, value in filters.items())


def test_unknown_type_suggests_the_closest_name() -> None:
    with pytest.raises(UnknownResourceTypeError) as caught:
        resource_type("rds:dbs")
    assert isinstance(caught.value, SentinelError)
    assert caught.value.suggestions == ["rds:db"]
    assert "did you mean 'rds:db'" in str(caught.value)


def test_unknown_type_without_a_close_name() -> None:
    with pytest.raises(UnknownResourceTypeError) as caught:
        resource_type("nothing")
    assert caught.value.suggestions == []
    assert str(caught.value) == "unknown resource type 'nothing'"


def test_inventory_rejects_unknown_types_before_any_call(aws: SessionFactory) -> None:
    with pytest.raises(UnknownResourceTypeError, match="did you mean 'lambda:function'"):
        Inventory(aws).discover("lambda:functions")
    with pytest.raises(UnknownResourceTypeError):
        Inventory(aws).all(["sqs:queue", "sqs:queues"])
    assert aws.counter.total() == 0
