"""The seeded demo account: its idle and oversized instances are all found, in one call."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo import BUSY_INSTANCES, IDLE_INSTANCES, OVERSIZED, seed_demo_account
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import RightsizingReport, rightsize
from sentinel.rightsizing.sizes import size_of, split_type


@pytest.fixture(scope="module")
def report() -> Iterator[RightsizingReport]:
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        seed_demo_account(factory)
        yield rightsize(factory, ["us-east-1"])


def test_every_idle_instance_is_found(report: RightsizingReport) -> None:
    idle = {f.name: f for f in report.findings if f.kind is FindingKind.IDLE}
    for instance in IDLE_INSTANCES:
        finding = idle[instance.name]
        assert finding.current == instance.instance_type
        assert finding.recommended == "stop or terminate"
        assert finding.monthly_saving is not None and finding.monthly_saving > 0
        assert finding.evidence.startswith("idle on 14 of the last 14 days")


def test_every_oversized_instance_is_found_with_a_smaller_size_of_its_family(
    report: RightsizingReport,
) -> None:
    over = {f.name: f for f in report.findings if f.kind is FindingKind.OVER}
    for instance in OVERSIZED:
        finding = over[instance.name]
        assert finding.current == instance.instance_type
        recommended = size_of("ec2", finding.recommended)
        current = size_of("ec2", instance.instance_type)
        assert recommended is not None and current is not None
        assert split_type(recommended.name)[0] == split_type(current.name)[0]
        assert recommended.vcpu < current.vcpu
        assert finding.monthly_saving is not None and finding.monthly_saving > 0


def test_busy_instances_are_left_alone(report: RightsizingReport) -> None:
    assert not {f.name for f in report.findings} & set(BUSY_INSTANCES)


def test_sorted_by_saving_in_one_get_metric_data_call(report: RightsizingReport) -> None:
    savings = [f.monthly_saving for f in report.findings]
    assert savings == sorted(savings, key=lambda s: -(s or 0))
    assert dict(report.examined) == {
        "ec2:instance": 6,
        "rds:db": 5,
        "elasticache:cluster": 1,
        "ecs:service": 4,
    }
    # 16 resources' 79 statistics fit one call; one GetMetricStatistics per resource and
    # metric would be 6 x 4 + 5 x 3 + 1 x 2 + 4 x 2 calls.
    assert report.metric_calls == 1
    assert report.naive_calls == 49
