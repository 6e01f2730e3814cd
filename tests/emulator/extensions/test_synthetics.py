"""Synthetics canaries in the emulator, as AWS answers: checks, states, paging, tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.sync.canary_code import canary_runtimes

ROLE = "arn:aws:iam::123456789012:role/canary"


def _canary(name: str = "shop-home", **changes: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Code": {"ZipFile": b"PK\x05\x06" + bytes(18), "Handler": "canary.handler"},
        "ArtifactS3Location": "s3://bucket/prefix",
        "ExecutionRoleArn": ROLE,
        "Schedule": {"Expression": "rate(5 minutes)"},
        "RuntimeVersion": canary_runtimes()[0],
        **changes,
    }


def _code(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_create_get_update_start_stop_delete(aws: SessionFactory) -> None:
    synthetics = aws.client("synthetics")
    synthetics.create_canary(**_canary(Tags={"team": "shop"}))
    canary = synthetics.get_canary(Name="shop-home")["Canary"]
    assert canary["Status"]["State"] == "READY"
    assert canary["ArtifactS3Location"] == "bucket/prefix"
    assert canary["Code"]["Handler"] == "canary.handler"
    synthetics.update_canary(Name="shop-home", Schedule={"Expression": "rate(1 hour)"})
    assert synthetics.get_canary(Name="shop-home")["Canary"]["Schedule"]["Expression"] == (
        "rate(1 hour)"
    )
    synthetics.start_canary(Name="shop-home")
    assert synthetics.get_canary(Name="shop-home")["Canary"]["Status"]["State"] == "RUNNING"
    assert _code(lambda: synthetics.delete_canary(Name="shop-home")) == "ConflictException"
    synthetics.stop_canary(Name="shop-home")
    synthetics.delete_canary(Name="shop-home")
    assert _code(lambda: synthetics.get_canary(Name="shop-home")) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "changes",
    [
        {"Name": "Shop-Home"},
        {"Name": "x" * 256},
        {"Schedule": {"Expression": "rate(30 seconds)"}},
        {"Schedule": {"Expression": "rate(2 hours)"}},
        {"Schedule": {"Expression": "rate(1 minutes)"}},
        {"RuntimeVersion": "syn-python-selenium-0.1"},
        {"ExecutionRoleArn": "canary-role"},
        {"Code": {"Handler": "canary.handler"}},
    ],
)
def test_create_refuses_what_aws_refuses(aws: SessionFactory, changes: dict[str, Any]) -> None:
    synthetics = aws.client("synthetics")
    assert _code(lambda: synthetics.create_canary(**_canary(**changes))) == "ValidationException"
    assert synthetics.describe_canaries()["Canaries"] == []


def test_a_name_is_taken_once(aws: SessionFactory) -> None:
    synthetics = aws.client("synthetics")
    synthetics.create_canary(**_canary())
    assert _code(lambda: synthetics.create_canary(**_canary())) == "ConflictException"


def test_describe_pages_and_filters_by_names(aws: SessionFactory) -> None:
    synthetics = aws.client("synthetics")
    for n in range(7):
        synthetics.create_canary(**_canary(f"shop-{n}"))
    names: list[str] = []
    token: dict[str, str] = {}
    pages = 0
    while True:
        page = synthetics.describe_canaries(MaxResults=3, **token)
        pages += 1
        names += [c["Name"] for c in page["Canaries"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert (pages, names) == (3, [f"shop-{n}" for n in range(7)])
    picked = synthetics.describe_canaries(Names=["shop-1", "shop-5"])["Canaries"]
    assert [c["Name"] for c in picked] == ["shop-1", "shop-5"]
    assert _code(lambda: synthetics.describe_canaries(MaxResults=21)) == "ValidationException"


def test_tags(aws: SessionFactory) -> None:
    synthetics = aws.client("synthetics")
    synthetics.create_canary(**_canary(Tags={"a": "1"}))
    arn = "arn:aws:synthetics:us-east-1:123456789012:canary:shop-home"
    synthetics.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert synthetics.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    assert synthetics.get_canary(Name="shop-home")["Canary"]["Tags"] == {"a": "1", "b": "2"}
