"""Region display names as CloudWatch has written them over the years."""

from __future__ import annotations

import pytest

from sentinel.routing.regions import account_from_arn, region_code, region_from_arn, region_name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("US East (N. Virginia)", "us-east-1"),
        ("US - N. Virginia", "us-east-1"),
        ("US West (Oregon)", "us-west-2"),
        ("EU (Ireland)", "eu-west-1"),
        ("EU - Ireland", "eu-west-1"),
        ("Europe (Frankfurt)", "eu-central-1"),
        ("Asia Pacific (Tokyo)", "ap-northeast-1"),
        ("South America (São Paulo)", "sa-east-1"),
        ("AWS GovCloud (US-West)", "us-gov-west-1"),
        ("eu-west-2", "eu-west-2"),
    ],
)
def test_display_names(name: str, code: str) -> None:
    assert region_code(name) == code


def test_unknown_names_are_none() -> None:
    assert region_code("EXAMPLE") is None
    assert region_code(None) is None


def test_arn_fields() -> None:
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x"
    assert region_from_arn(arn) == "eu-west-1" and account_from_arn(arn) == "123456789012"
    assert region_from_arn("not an arn") is None


def test_names_of_codes() -> None:
    assert region_name("eu-west-1") == "Europe (Ireland)"
    assert region_code(region_name("ap-southeast-2")) == "ap-southeast-2"
    assert region_name("xx-nowhere-1") == "xx-nowhere-1"
