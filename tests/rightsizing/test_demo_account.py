"""The seeded demo account: its idle and oversized instances are all found, in one call."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo import BUSY_INSTANCES, IDLE_INSTANCES, OVERSIZED, seed_demo_account
from sentinel.emulator.demo.serverless import (
    AURORA_CLUSTER,
    AURORA_PEAK,
    AURORA_RECOMMENDED,
    NOT_ENOUGH_DATA_FUNCTION,
    OVER_PROVISIONED_FUNCTION,
    UNDER_PROVISIONED_FUNCTION,
)
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import RightsizingReport, rightsize
from sentinel.rightsizing.sizes import size_of, split_type


@pytest.fixture(scope="module")
def report() -> Iterator[RightsizingReport]:
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        seed_demo_account(factory)
        yield rightsize(factory, ["us-east-1"], sleep=lambda seconds: None)


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
        "rds:cluster": 1,
        "lambda:function": 3,
    }
    # 17 resources' 82 statistics fit one call; one GetMetricStatistics per resource and
    # metric would be 6 x 4 + 5 x 3 + 1 x 2 + 4 x 2 + 1 calls. The Lambda functions' memory is
    # one Logs Insights query.
    assert report.metric_calls == 1
    assert report.naive_calls == 50
    assert report.log_queries == 1


def test_serverless_findings_of_the_demo_account(report: RightsizingReport) -> None:
    by_name = {f.name: f for f in report.findings}
    notifications = by_name[OVER_PROVISIONED_FUNCTION[0]]
    assert notifications.kind is FindingKind.OVER
    assert (notifications.current, notifications.recommended) == (
        "1024 MB arm64",
        OVER_PROVISIONED_FUNCTION[1],
    )
    assert notifications.source == "Logs Insights (REPORT lines)"
    resizer = by_name[UNDER_PROVISIONED_FUNCTION]
    assert resizer.kind is FindingKind.UNDER
    assert "reached its memory size" in resizer.notes[0]
    aurora = by_name[AURORA_CLUSTER]
    assert (aurora.kind, aurora.current, aurora.recommended) == (
        FindingKind.OVER,
        "4-32 ACU",
        AURORA_RECOMMENDED,
    )
    assert f"peak {AURORA_PEAK:g} ACU" in aurora.evidence
    assert aurora.monthly_saving is not None and aurora.monthly_saving > 50
    [short] = report.not_enough_data
    assert short.name == NOT_ENOUGH_DATA_FUNCTION
    assert short.reason == "14 invocations in the 14d, 100 needed"
