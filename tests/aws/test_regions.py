"""Region names against botocore's partition data, and the opt-in table."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest
from click.testing import CliRunner

from sentinel.aws.regions import (
    is_opt_in,
    known_regions,
    opt_in_regions,
    partition_of,
    region_problem,
)
from sentinel.cli import main


def test_every_partition_region_is_known_and_endpoints_are_not() -> None:
    session = botocore.session.get_session()
    for partition in session.get_available_partitions():
        for region in session.get_available_regions("sts", partition_name=partition):
            assert region in known_regions(), region
    assert "aws-global" not in known_regions()
    assert {"us-east-1", "eu-west-2", "cn-north-1", "us-gov-west-1"} <= known_regions()


def test_a_typo_gets_a_hint_and_a_made_up_name_an_example() -> None:
    assert region_problem("us-east-1") is None
    problem = region_problem("eu-wset-1")
    assert problem is not None
    assert problem.startswith("unknown AWS region 'eu-wset-1': did you mean 'eu-west-1'?")
    assert botocore.__version__ in problem
    made_up = region_problem("moon-base-1")
    assert made_up is not None and "expected a name like us-east-1" in made_up


def test_opt_in_regions_are_real_regions_and_the_old_ones_are_not_opt_in() -> None:
    assert opt_in_regions() <= known_regions()
    assert is_opt_in("af-south-1") and is_opt_in("me-central-1")
    assert not is_opt_in("us-east-1") and not is_opt_in("ap-northeast-3")


def test_validate_names_an_unknown_region_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "sentinel.yaml").write_text("project: shop\nregions: [us-east-1, eu-wset-1]\n")

    result = CliRunner().invoke(main, ["validate", "-C", str(tmp_path)])

    assert result.exit_code == 1, result.output
    assert "sentinel.yaml:2:" in result.output
    assert "unknown AWS region 'eu-wset-1': did you mean 'eu-west-1'?" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_a_regions_partition_comes_from_botocores_data(region: str, partition: str) -> None:
    assert partition_of(region) == partition
