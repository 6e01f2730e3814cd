"""GetResources: pages of a chosen size, and AWS's limit of 100 ARNs a request."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory


def _volumes(aws: SessionFactory, count: int) -> list[str]:
    ec2 = aws.client("ec2")
    arns = []
    for n in range(count):
        volume = ec2.create_volume(
            AvailabilityZone="us-east-1a",
            Size=8,
            TagSpecifications=[
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"data-{n}"}]}
            ],
        )
        arns.append(f"arn:aws:ec2:us-east-1:123456789012:volume/{volume['VolumeId']}")
    return arns


def test_pages_hold_at_most_the_limit_and_the_token_leads_to_the_rest(
    aws: SessionFactory, small_tagging_pages: int
) -> None:
    arns = _volumes(aws, 30)
    tagging = aws.client("resourcegroupstaggingapi")
    listing = {"ResourceTypeFilters": ["ec2:volume"]}

    first = tagging.get_resources(**listing)
    pages = list(tagging.get_paginator("get_resources").paginate(**listing))

    assert len(first["ResourceTagMappingList"]) == small_tagging_pages == 14
    assert first["PaginationToken"]
    assert [len(p["ResourceTagMappingList"]) for p in pages] == [14, 14, 2]
    listed = {m["ResourceARN"] for p in pages for m in p["ResourceTagMappingList"]}
    assert listed == set(arns)


def test_an_arn_list_is_answered_in_one_response_and_never_paged(
    aws: SessionFactory, small_tagging_pages: int
) -> None:
    arns = _volumes(aws, 30)
    tagging = aws.client("resourcegroupstaggingapi")

    answer = tagging.get_resources(ResourceARNList=arns)

    assert {m["ResourceARN"] for m in answer["ResourceTagMappingList"]} == set(arns)
    assert not answer.get("PaginationToken")
    # AWS refuses the ARN list beside a filter or any pagination parameter.
    for extra in (
        {"TagFilters": [{"Key": "team"}]},
        {"ResourceTypeFilters": ["ec2:volume"]},
        {"ResourcesPerPage": 10},
        {"TagsPerPage": 100},
        {"PaginationToken": "next"},
    ):
        with pytest.raises(ClientError, match="InvalidParameterException"):
            tagging.get_resources(ResourceARNList=arns, **extra)


def test_more_than_100_arns_are_refused_as_aws_does(aws: SessionFactory) -> None:
    arns = [f"arn:aws:ec2:us-east-1:123456789012:volume/vol-{n:017x}" for n in range(101)]
    tagging = aws.client("resourcegroupstaggingapi")

    with pytest.raises(ClientError, match="InvalidParameterException"):
        tagging.get_resources(ResourceARNList=arns)
    assert tagging.get_resources(ResourceARNList=arns[:100])["ResourceTagMappingList"] == []
