"""Fixtures for inventory tests: a VPC with two subnets, and a role for functions."""

from __future__ import annotations

import pytest

from sentinel.aws.session import SessionFactory


@pytest.fixture
def vpc(aws: SessionFactory) -> str:
    return aws.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def subnets(aws: SessionFactory, vpc: str) -> list[str]:
    ec2 = aws.client("ec2")
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate(["us-east-1a", "us-east-1b"], start=1)
    ]


@pytest.fixture
def function_role(aws: SessionFactory) -> str:
    return aws.client("iam").create_role(
        RoleName="sentinel-test-function", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
