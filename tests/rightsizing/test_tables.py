"""The bundled tables: ladders step within a family, prices cover the required regions."""

from __future__ import annotations

import pytest

from sentinel.rightsizing import prices
from sentinel.rightsizing.sizes import (
    TaskSize,
    ladder,
    larger,
    size_of,
    smaller,
    smaller_tasks,
    task_sizes,
)
from sentinel.rightsizing.sizes import _raw as raw_sizes

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-south-1")
COMMON = {
    "ec2": ("t3.large", "m5.xlarge", "m6i.xlarge", "c5.xlarge", "r5.large"),
    "rds": ("db.t3.medium", "db.m5.large", "db.r5.large", "db.r6g.large"),
    "elasticache": ("cache.t3.medium", "cache.m5.large", "cache.r6g.large"),
}


def test_next_size_down_and_up_stay_in_the_family() -> None:
    assert [s.name for s in smaller("ec2", "m5.2xlarge")] == ["m5.xlarge", "m5.large"]
    assert smaller("ec2", "m5.large") == []
    assert larger("ec2", "m5.xlarge") == size_of("ec2", "m5.2xlarge")
    assert larger("ec2", "m5.24xlarge") is None
    assert [s.name for s in smaller("rds", "db.r6g.xlarge")] == ["db.r6g.large"]
    assert smaller("ec2", "x2idn.metal") == []  # a family the table does not know


def test_sizes_double_and_burstables_have_baselines() -> None:
    m5 = ladder("ec2", "m5")
    assert [(s.vcpu, s.memory_gib) for s in m5[:3]] == [(2, 8), (4, 16), (8, 32)]
    t3 = size_of("ec2", "t3.medium")
    assert t3 is not None and (t3.vcpu, t3.memory_gib, t3.baseline) == (2, 4, 20)
    assert size_of("ec2", "m5.large") is not None and not size_of("ec2", "m5.large").burstable


@pytest.mark.parametrize("service", sorted(COMMON))
@pytest.mark.parametrize("region", REGIONS)
def test_common_types_are_priced_in_every_required_region(service: str, region: str) -> None:
    for name in COMMON[service]:
        rate = prices.hourly(service, region, name)
        assert rate is not None and 0 < rate < 10, (service, region, name)


def test_every_priced_type_has_a_size() -> None:
    for service in ("ec2", "rds", "elasticache"):
        for region in REGIONS:
            for family, sizes in prices._table(service)["regions"][region].items():
                for size in sizes:
                    assert size_of(service, f"{family}.{size}") is not None, (family, size)  # type: ignore[arg-type]
    assert set(raw_sizes()) == {"ec2", "rds", "elasticache", "fargate"}


def test_tables_name_their_source_and_date() -> None:
    for source in prices.sources():
        assert source.source and source.compiled
        assert set(REGIONS) <= set(source.regions)


def test_rates_follow_the_size_ladder() -> None:
    # Twice the size costs twice as much within these families.
    assert prices.hourly("ec2", "us-east-1", "m5.xlarge") == 0.192
    assert prices.hourly("ec2", "us-east-1", "m5.large") == 0.096
    assert prices.hourly("ec2", "eu-west-1", "m5.large") == 0.107
    assert prices.rds_hourly("us-east-1", "db.r6g.large", "postgres", multi_az=True) == 0.45
    assert prices.rds_hourly("us-east-1", "db.r6g.large", "docdb", multi_az=False) is None
    assert prices.hourly("ec2", "sa-east-1", "m5.large") is None


def test_fargate_sizes_and_rates() -> None:
    assert task_sizes()[256] == (512, 1024, 2048)
    assert task_sizes()[4096][0] == 8192 and task_sizes()[4096][-1] == 30720
    assert smaller_tasks(TaskSize(1024, 2048)) == [512, 256]
    rate = prices.fargate_hourly("us-east-1", TaskSize(1024, 2048))
    assert rate == pytest.approx(0.04048 + 2 * 0.004445)
