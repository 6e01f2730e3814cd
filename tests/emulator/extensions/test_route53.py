"""Route 53 health checks in the emulator, as AWS answers: paging, updates, references."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory

CONFIG = {"Type": "HTTPS", "FullyQualifiedDomainName": "shop.example.com", "Port": 443}


def test_list_health_checks_pages_with_max_items(aws: SessionFactory) -> None:
    route53 = aws.client("route53")
    made = {
        route53.create_health_check(CallerReference=f"r{n}", HealthCheckConfig=CONFIG)[
            "HealthCheck"
        ]["Id"]
        for n in range(7)
    }
    seen: list[str] = []
    marker: dict[str, str] = {}
    pages = 0
    while True:
        page = route53.list_health_checks(MaxItems="3", **marker)
        pages += 1
        seen += [c["Id"] for c in page["HealthChecks"]]
        if not page["IsTruncated"]:
            break
        marker = {"Marker": page["NextMarker"]}
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(seen) == 7


def test_update_changes_only_what_it_names_and_counts_the_version(aws: SessionFactory) -> None:
    route53 = aws.client("route53")
    regions = ["us-east-1", "eu-west-1", "ap-southeast-1"]
    check = route53.create_health_check(
        CallerReference="r", HealthCheckConfig={**CONFIG, "Regions": regions}
    )["HealthCheck"]
    route53.update_health_check(HealthCheckId=check["Id"], HealthCheckVersion=1, FailureThreshold=5)
    after = route53.get_health_check(HealthCheckId=check["Id"])["HealthCheck"]
    assert after["HealthCheckConfig"]["Regions"] == regions
    assert after["HealthCheckConfig"]["FailureThreshold"] == 5
    assert after["HealthCheckVersion"] == 2
    with pytest.raises(ClientError) as stale:
        route53.update_health_check(
            HealthCheckId=check["Id"], HealthCheckVersion=1, FailureThreshold=4
        )
    assert stale.value.response["Error"]["Code"] == "HealthCheckVersionMismatch"
    route53.update_health_check(HealthCheckId=check["Id"], ResetElements=["Regions"])
    reset = route53.get_health_check(HealthCheckId=check["Id"])["HealthCheck"]
    assert "Regions" not in reset["HealthCheckConfig"] or not reset["HealthCheckConfig"]["Regions"]


def test_a_caller_reference_names_one_request(aws: SessionFactory) -> None:
    route53 = aws.client("route53")
    first = route53.create_health_check(CallerReference="r", HealthCheckConfig=CONFIG)
    again = route53.create_health_check(CallerReference="r", HealthCheckConfig=CONFIG)
    assert first["HealthCheck"]["Id"] == again["HealthCheck"]["Id"]
    with pytest.raises(ClientError) as other:
        route53.create_health_check(CallerReference="r", HealthCheckConfig={**CONFIG, "Port": 8443})
    assert other.value.response["Error"]["Code"] == "HealthCheckAlreadyExists"
    assert len(route53.list_health_checks()["HealthChecks"]) == 1


def test_list_tags_for_resources_takes_ten_ids_at_most(aws: SessionFactory) -> None:
    route53 = aws.client("route53")
    ids = [
        route53.create_health_check(CallerReference=f"r{n}", HealthCheckConfig=CONFIG)[
            "HealthCheck"
        ]["Id"]
        for n in range(11)
    ]
    ten = route53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=ids[:10])
    assert len(ten["ResourceTagSets"]) == 10
    with pytest.raises(ClientError) as refused:
        route53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=ids)
    assert refused.value.response["Error"]["Code"] == "InvalidInput"
