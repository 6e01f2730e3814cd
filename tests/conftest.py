"""Shared fixtures: one moto account and one boto3 Session per test."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory

# A real PostgreSQL server, and ``store_url``: each store test on SQLite and on PostgreSQL.
pytest_plugins = ["tests.postgres", "tests.migrations"]

# Never reach a real account from the test suite, whatever the developer's shell holds.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"


@pytest.fixture(autouse=True)
def _root_logging_of_the_test_only() -> Iterator[None]:
    """`sentinel route` and `sentinel daemon` configure the root logger for their process (a
    handler writing to stderr, level INFO); in a test run in-process that must not outlive the
    test, or later tests' output would carry every library's log lines."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in before and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def aws() -> Iterator[SessionFactory]:
    """An empty emulated AWS account (in-process moto, with Sentinel's extensions) and a
    factory bound to it."""
    from sentinel.emulator.extensions import install

    install()  # the same, stricter emulator in every test, whichever ran before it
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        yield SessionFactory(session=session, region="us-east-1")


LoadBalancerMaker = Callable[..., str]


@pytest.fixture
def load_balancer(aws: SessionFactory) -> LoadBalancerMaker:
    """Creates a load balancer with tags in a region (a VPC of two subnets per region, made once)
    and returns its CloudWatch ``LoadBalancer`` dimension, ``app/<name>/<hash>``."""
    subnets: dict[str, list[str]] = {}

    def make(
        name: str, tags: dict[str, str], region: str = "us-east-1", type: str = "application"
    ) -> str:
        if region not in subnets:
            ec2 = aws.client("ec2", region=region)
            vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            subnets[region] = [
                ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=zone)[
                    "Subnet"
                ]["SubnetId"]
                for n, zone in enumerate([f"{region}a", f"{region}b"], start=1)
            ]
        arn = aws.client("elbv2", region=region).create_load_balancer(
            Name=name,
            Subnets=subnets[region],
            Type=type,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["LoadBalancers"][0]["LoadBalancerArn"]
        return str(arn.split(":loadbalancer/", 1)[1])

    return make


TAGGING_PAGE = 14


@pytest.fixture
def small_tagging_pages() -> Iterator[int]:
    """GetResources pages of at most 14 resources: every tag reader must follow the pages."""
    from sentinel.emulator.extensions import install
    from sentinel.emulator.extensions.tagging import limit_pages

    install()
    with limit_pages(TAGGING_PAGE):
        yield TAGGING_PAGE
