"""Fixtures for inventory tests: a network to put resources in, and a role for functions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sentinel.aws.session import SessionFactory


@dataclass(frozen=True)
class Network:
    vpc: str
    subnets: list[str]


@pytest.fixture
def network(aws: SessionFactory) -> Network:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(["us-east-1a", "us-east-1b"], start=1)
    ]
    return Network(vpc=vpc, subnets=subnets)


@pytest.fixture
def function_role(aws: SessionFactory) -> str:
    return aws.client("iam").create_role(
        RoleName="sentinel-test-function", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
