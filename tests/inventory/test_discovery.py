"""The inventory: tag filters, one listing per (type, region), every resource for the audit."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from sentinel.aws.session import SessionFactory
from sentinel.errors import AwsError
from sentinel.inventory import Inventory, Resource


def queue(aws: SessionFactory, name: str, region: str = "us-east-1", **tags: str) -> None:
    aws.client("sqs", region=region).create_queue(QueueName=name, tags=tags)


@pytest.fixture
def queues(aws: SessionFactory) -> None:
    queue(aws, "orders", Environment="production", Team="shop")
    queue(aws, "emails", Environment="staging", Team="shop")
    queue(aws, "reports", Environment="dev")
    queue(aws, "scratch")
    aws.counter.reset()


def ids(resources: list[Resource]) -> set[str]:
    return {resource.id for resource in resources}


@pytest.mark.usefixtures("queues")
def test_tag_filters_exact_any_of_and_absent_keys(aws: SessionFactory) -> None:
    inventory = Inventory(aws)

    assert ids(inventory.discover("sqs:queue", {"Environment": "production"})) == {"orders"}
    assert ids(inventory.discover("sqs:queue", {"Environment": ["production", "staging"]})) == {
        "orders",
        "emails",
    }
    assert ids(inventory.discover("sqs:queue", {"Environment": "dev", "Team": "shop"})) == set()
    assert ids(inventory.discover("sqs:queue", {"Owner": "anyone"})) == set()
    assert ids(inventory.discover("sqs:queue")) == {"orders", "emails", "reports", "scratch"}


@pytest.mark.usefixtures("queues")
def test_a_type_is_listed_once_per_inventory(aws: SessionFactory) -> None:
    inventory = Inventory(aws)
    inventory.discover("sqs:queue", {"Environment": "production"})
    first = aws.counter.total()
    assert first == 2  # ListQueues and GetResources

    inventory.discover("sqs:queue", {"Environment": "staging"})
    inventory.discover("sqs:queue")
    inventory.all(["sqs:queue"])
    assert aws.counter.total() == first

    Inventory(aws).discover("sqs:queue")
    assert aws.counter.total() == 2 * first


@pytest.mark.usefixtures("queues")
def test_callers_cannot_change_the_cached_listing(aws: SessionFactory) -> None:
    inventory = Inventory(aws)
    inventory.discover("sqs:queue").clear()
    assert len(inventory.discover("sqs:queue")) == 4


def test_all_finds_resources_without_any_tags(aws: SessionFactory, function_role: str) -> None:
    queue(aws, "untagged-queue")
    aws.client("s3").create_bucket(Bucket="untagged-bucket")
    aws.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    aws.client("lambda").create_function(
        FunctionName="untagged-function",
        Runtime="python3.12",
        Role=function_role,
        Handler="app.handler",
        Code={"ZipFile": b"code"},
    )
    aws.client("ecs").create_cluster(clusterName="untagged-cluster")

    found = Inventory(aws).all()

    by_type = {resource.type: resource for resource in found}
    assert set(by_type) == {
        "sqs:queue",
        "s3:bucket",
        "ec2:instance",
        "ec2:volume",  # the instance's root volume, untagged like it
        "lambda:function",
        "ecs:cluster",
    }
    assert all(dict(resource.tags) == {} for resource in found)
    assert by_type["s3:bucket"].id == "untagged-bucket"


@pytest.mark.usefixtures("queues")
def test_all_of_some_types_lists_only_those(aws: SessionFactory) -> None:
    aws.client("s3").create_bucket(Bucket="acme-logs")
    aws.counter.reset()

    found = Inventory(aws).all(["s3:bucket"])

    assert [(r.type, r.id) for r in found] == [("s3:bucket", "acme-logs")]
    assert aws.counter.total("sqs") == 0
    assert Inventory(aws).all([]) == []


def test_regions(aws: SessionFactory) -> None:
    queue(aws, "orders", Environment="production")
    queue(aws, "orders", region="eu-west-1", Environment="production")
    queue(aws, "audit", region="eu-west-1")
    aws.counter.reset()
    inventory = Inventory(aws, ["us-east-1", "eu-west-1"])

    found = inventory.discover("sqs:queue", {"Environment": "production"})
    assert sorted((r.region, r.arn) for r in found) == [
        ("eu-west-1", "arn:aws:sqs:eu-west-1:123456789012:orders"),
        ("us-east-1", "arn:aws:sqs:us-east-1:123456789012:orders"),
    ]
    assert ids(inventory.discover("sqs:queue", region="eu-west-1")) == {"orders", "audit"}
    assert aws.counter.total("sqs", "ListQueues") == 2

    assert Inventory(aws).regions == ["us-east-1"]


def test_aws_errors_name_the_type_and_region(aws: SessionFactory) -> None:
    with Stubber(aws.client("rds")) as stubber:
        stubber.add_client_error(
            "describe_db_instances",
            service_error_code="AccessDenied",
            service_message="not authorized to perform rds:DescribeDBInstances",
        )
        with pytest.raises(AwsError, match=r"cannot list rds:db in us-east-1: .*AccessDenied"):
            Inventory(aws).discover("rds:db")
